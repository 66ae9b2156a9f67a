/**
 * @module Writes a zip archive from files given in order: each one deflated by node:zlib (or stored),
 * with a fixed timestamp, so the same files always give the same bytes.
 *
 * The archive layout is written by hand (it is three fixed records, APPNOTE 4.3): fflate's `zipSync`
 * deflates in JavaScript (level 9 took 16 s on a 7,000-file package that `zip -r` packs in 2.5 s),
 * and its streaming `Zip`, which would take data deflated elsewhere, adds a data descriptor to
 * every entry and took 90-190 ms to lay out those 7,000 entries (about 15 ms here). zlib at level 6,
 * the level `zip` uses by default, gave a zip 1% smaller than fflate's level 9 on that package.
 */
import * as zlib from 'node:zlib';
import { CliError } from './errors.ts';

/** Zip's format limits without zip64 extensions; far above what a Lambda package may hold (250 MB unzipped). */
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

/**
 * 1980-01-01 00:00:00 in DOS format (the earliest time a zip can hold): every entry carries it, so
 * rewriting a file without changing it leaves the archive, and its CodeSha256, unchanged.
 */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Every entry is declared a regular file, mode 0644, made on Unix. Info-ZIP's unzip reads names
 * from an archive made on MS-DOS as code page 437 even when the UTF-8 flag is set; declaring Unix
 * makes it honour the flag, and then it takes the mode from here. One fixed mode for all files
 * keeps the archive the same on every machine, whatever its umask.
 */
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;

const DEFLATED = 8;
/** General purpose flag bit 11: the name is UTF-8 (set only when it is not plain ASCII, as `zip` does). */
const UTF8_NAME = 0x0800;

/** The level `zip` uses by default. */
export const DEFLATE_LEVEL = 6;

/** One file as the archive holds it: stored (method 0) or deflated (8), with the CRC and size of its bytes. */
export interface CompressedFile {
  method: 0 | 8;
  crc: number;
  size: number;
  data: Uint8Array;
}

/** What compressFile needs of node:zlib (crc32 may be the JavaScript fallback on older Node releases). */
export interface ZlibFunctions {
  deflateRawSync(data: Uint8Array, options: { level: number; chunkSize: number }): Uint8Array;
  crc32(data: Uint8Array): number;
}

/**
 * Deflates one file, or stores it when it is in a compressed format already (judged by its name)
 * or would not shrink. Self-contained on purpose: zip-workers.ts runs its source text in worker
 * threads, so it uses nothing but its arguments and literals.
 */
export function compressFile(path: string, bytes: Uint8Array, zlib: ZlibFunctions, level: number): CompressedFile {
  const crc = zlib.crc32(bytes);
  // Deflating these again costs time and saves nothing.
  const compressedAlready = /\.(?:gz|tgz|zip|jar|br|zst|xz|bz2|7z|png|jpe?g|gif|webp|avif|woff2?|mp3|mp4|m4a|ogg|webm|pdf)$/i.test(path);
  if (bytes.byteLength > 0 && !compressedAlready) {
    // zlib's output buffer is 16 KiB by default, for a file of a few hundred bytes as much as for a
    // large one: sized to half the file instead (more is added when needed), a 7,000-file package
    // deflated in about a fifth less time, most of it saved in garbage collection.
    const chunkSize = Math.max(64, Math.min((bytes.byteLength >> 1) + 64, 1 << 17));
    const deflated = zlib.deflateRawSync(bytes, { level, chunkSize });
    // Like `zip`, keep whichever is smaller: tiny or random files grow when deflated.
    if (deflated.byteLength < bytes.byteLength) return { method: 8, crc, size: bytes.byteLength, data: deflated };
  }
  return { method: 0, crc, size: bytes.byteLength, data: bytes };
}

interface Entry {
  file: CompressedFile;
  name: Buffer;
  /** UTF8_NAME when the name is not plain ASCII (its UTF-8 form is then longer than the string), else 0. */
  flags: number;
  offset: number;
}

/** Builds one archive from files added in order (so only compressed bytes are kept); `finish` lays the archive out. */
export class ZipWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;

  /** Compresses `bytes` here and adds them. */
  add(path: string, bytes: Uint8Array): void {
    this.addCompressed(path, compressFile(path, bytes, { deflateRawSync: zlib.deflateRawSync, crc32 }, DEFLATE_LEVEL));
  }

  /** Adds a file compressed elsewhere (by compressFile, in a worker thread). */
  addCompressed(path: string, file: CompressedFile): void {
    if (this.entries.length === MAX_ENTRIES) throw new CliError(`more than ${MAX_ENTRIES} files to zip, the most a zip without zip64 holds (a Lambda package holds far fewer)`);
    const name = Buffer.from(path, 'utf8');
    this.entries.push({ file, name, flags: name.byteLength === path.length ? 0 : UTF8_NAME, offset: this.offset });
    this.offset += LOCAL_HEADER + name.byteLength + file.data.byteLength;
    if (this.offset > MAX_OFFSET) throw new CliError('more than 4 GiB to zip, the most a zip without zip64 holds (a Lambda package may unzip to 250 MB)');
  }

  finish(): Uint8Array {
    const directorySize = this.entries.reduce((sum, entry) => sum + CENTRAL_HEADER + entry.name.byteLength, 0);
    const out = Buffer.allocUnsafe(this.offset + directorySize + END_RECORD);
    let at = 0;
    for (const entry of this.entries) {
      at = writeHeader(out, at, entry, false);
      out.set(entry.file.data, at);
      at += entry.file.data.byteLength;
    }
    const directoryOffset = at;
    for (const entry of this.entries) at = writeHeader(out, at, entry, true);
    out.writeUInt32LE(0x06054b50, at);
    out.writeUInt16LE(0, at + 4); // this disk
    out.writeUInt16LE(0, at + 6); // disk where the directory starts
    out.writeUInt16LE(this.entries.length, at + 8);
    out.writeUInt16LE(this.entries.length, at + 10);
    out.writeUInt32LE(directorySize, at + 12);
    out.writeUInt32LE(directoryOffset, at + 16);
    out.writeUInt16LE(0, at + 20); // comment length
    return out;
  }
}

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;

/** A local file header (before the data) or a central directory record: the same fields, laid out twice. */
function writeHeader(out: Buffer, start: number, entry: Entry, central: boolean): number {
  let at = start;
  out.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, at);
  at += 4;
  if (central) {
    out.writeUInt16LE((3 << 8) | 20, at); // made by: zip 2.0 on Unix
    at += 2;
  }
  const { file } = entry;
  out.writeUInt16LE(file.method === DEFLATED ? 20 : 10, at); // version needed to extract
  out.writeUInt16LE(entry.flags, at + 2);
  out.writeUInt16LE(file.method, at + 4);
  out.writeUInt16LE(DOS_TIME, at + 6);
  out.writeUInt16LE(DOS_DATE, at + 8);
  out.writeUInt32LE(file.crc, at + 10);
  out.writeUInt32LE(file.data.byteLength, at + 14);
  out.writeUInt32LE(file.size, at + 18);
  out.writeUInt16LE(entry.name.byteLength, at + 22);
  out.writeUInt16LE(0, at + 24); // extra field length
  at += 26;
  if (central) {
    out.writeUInt16LE(0, at); // comment length
    out.writeUInt16LE(0, at + 2); // disk number
    out.writeUInt16LE(0, at + 4); // internal attributes
    out.writeUInt32LE(REGULAR_FILE_0644, at + 6); // external attributes
    out.writeUInt32LE(entry.offset, at + 10);
    at += 14;
  }
  out.set(entry.name, at);
  return at + entry.name.byteLength;
}

/** zlib's native CRC-32 (Node 20.15+, 22.2+), else the same function in JavaScript for older releases. */
const crc32: (data: Uint8Array) => number = typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) : crc32InJavaScript;

let crcTable: Int32Array | undefined;

/** Table-driven CRC-32 (the zip polynomial), for Node releases whose zlib binding does not expose crc32. */
export function crc32InJavaScript(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
