/**
 * @module Writes a validated zip's files under a folder, synchronously: run by the bundling process
 * (build-worker.js), where blocking is free and each of thousands of small files costs microseconds
 * instead of a thread-pool round trip. Plain JavaScript, so that process needs no TypeScript loader.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';

/** zlib's output step, so also how far past the bound a bomb gets; small files get small buffers. */
const MAX_INFLATE_CHUNK = 256 * 1024;
const MIN_INFLATE_CHUNK = 1024;

/** An entry that cannot be extracted as its directory record says: `problem` is 'damaged', 'size' or 'checksum'. */
export class ExtractError extends Error {
  constructor(problem, path) {
    super(`${path}: ${problem}`);
    this.name = 'ExtractError';
    this.problem = problem;
    this.path = path;
  }
}

/**
 * Inflates each file (paths already made safe, sizes already counted against the limits by the
 * server) and checks its size and CRC-32 against the directory. zlib stops as soon as the output
 * passes the declared size, so a header that understates a bomb cannot make this allocate past it.
 * Each file is written as a plain new file ('wx'), never through a link.
 */
export function extractFiles(zip, files, root) {
  const made = new Set();
  for (const file of files) {
    const input = zip.subarray(file.dataOffset, file.dataOffset + file.compressedSize);
    let output = input;
    if (file.method === 8) {
      try {
        const chunkSize = Math.min(MAX_INFLATE_CHUNK, Math.max(MIN_INFLATE_CHUNK, file.size));
        // maxOutputLength must be at least 1; an empty file's exact size is checked below.
        output = inflateRawSync(input, { maxOutputLength: Math.max(1, file.size), chunkSize });
      } catch (error) {
        throw new ExtractError(error && error.code === 'ERR_BUFFER_TOO_LARGE' ? 'size' : 'damaged', file.path);
      }
    }
    if (output.byteLength !== file.size) throw new ExtractError('size', file.path);
    if (crc32(output) >>> 0 !== file.crc32) throw new ExtractError('checksum', file.path);
    const target = join(root, file.path);
    const folder = dirname(target);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    writeFileSync(target, output, { flag: 'wx' });
  }
}
