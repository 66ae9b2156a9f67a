/**
 * @module Reads and compresses the files of a large package on worker threads, one batch at a time
 * per thread, so deflating (most of the time of a zip) uses every core, where `zip -r` uses one.
 *
 * The threads run source text built here from `compressFile` (zip-writer.ts), the technique fflate
 * uses for its own workers: the CLI ships as one bundled file, so there is no worker file to point at.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import { CliError } from './errors.ts';
import { compressFile, DEFLATE_LEVEL, type CompressedFile } from './zip-writer.ts';

/** Below this many files, starting threads costs about what they would save. */
export const PARALLEL_FROM_FILES = 1000;
const MAX_THREADS = 4;
/** Files per message: few enough to share the work out evenly, enough that messages cost little. */
const BATCH = 64;

export interface SourceFile {
  /** Path in the archive (its extension decides whether it is deflated). */
  path: string;
  /** Real path it is read from. */
  real: string;
}

interface Batch {
  start: number;
  paths: string[];
  reals: string[];
}

type Reply =
  | { start: number; files: { method: 0 | 8; crc: number; size: number; length: number }[]; data: Uint8Array }
  | { start: number; failed: { index: number; message: string } };

/**
 * How many threads to compress `fileCount` files with; 0 means compress on the main thread.
 * Threads pay only where cores are idle: each costs its start-up and the copying of what it
 * reads, so on a machine already busy (load average at or above its cores) they finished later
 * than the main thread alone; two threads need about a core and a half to themselves to gain.
 */
export function compressionThreads(fileCount: number, cores = availableParallelism(), load = loadavg()[0]!): number {
  // Threads need zlib.crc32 (Node 20.15, 22.2): the fallback for older releases lives on the main thread only.
  if (fileCount < PARALLEL_FROM_FILES || typeof zlib.crc32 !== 'function') return 0;
  const idle = cores - load;
  return idle < 1.5 ? 0 : Math.min(MAX_THREADS, Math.max(2, Math.round(idle)));
}

/** Each thread: read the batch's files, compress each, send them back in one transferred buffer. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const zlib = require('node:zlib');
const compressFile = ${compressFile.toString()};
parentPort.on('message', ({ start, paths, reals }) => {
  const files = [];
  const parts = [];
  let total = 0;
  for (let i = 0; i < reals.length; i++) {
    let bytes;
    try {
      bytes = readFileSync(reals[i]);
    } catch (err) {
      parentPort.postMessage({ start, failed: { index: i, message: err.message } });
      return;
    }
    const file = compressFile(paths[i], bytes, zlib, ${DEFLATE_LEVEL});
    files.push({ method: file.method, crc: file.crc, size: file.size, length: file.data.byteLength });
    parts.push(file.data);
    total += file.data.byteLength;
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.byteLength;
  }
  parentPort.postMessage({ start, files, data }, [data.buffer]);
});
`;

/** Compresses `files` on `threads` worker threads; the result is in the order of `files`. */
export async function compressInWorkers(files: readonly SourceFile[], threads: number, onProgress?: (done: number, total: number) => void): Promise<CompressedFile[]> {
  const results: CompressedFile[] = new Array(files.length);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  let next = 0;
  let done = 0;
  const run = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        if (next >= files.length) return resolve();
        const start = next;
        next = Math.min(files.length, next + BATCH);
        const slice = files.slice(start, next);
        const batch: Batch = { start, paths: slice.map((f) => f.path), reals: slice.map((f) => f.real) };
        worker.postMessage(batch);
      };
      worker.on('message', (reply: Reply) => {
        if ('failed' in reply) return reject(new CliError(`cannot read ${files[reply.start + reply.failed.index]!.path}: ${reply.failed.message}`));
        let at = 0;
        reply.files.forEach((file, i) => {
          results[reply.start + i] = { method: file.method, crc: file.crc, size: file.size, data: reply.data.subarray(at, at + file.length) };
          at += file.length;
        });
        done += reply.files.length;
        onProgress?.(done, files.length);
        send();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`a compression thread stopped (exit code ${code})`)));
      send();
    });
  try {
    await Promise.all(workers.map(run));
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
