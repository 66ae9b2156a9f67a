/**
 * @module Safe unzipping of user zips: entry path checks and limits, checked here before anything
 * is inflated; the files themselves are inflated by the bundling process (extract.js).
 *
 * Inflation uses node:zlib rather than fflate: its `maxOutputLength` stops a bomb within one output
 * chunk of the bound, and it measured about four times faster; fflate's streaming `Inflate` can only
 * be bounded per input slice, which overshoots by up to 1032x a slice.
 */
import { inflateRawSync } from 'node:zlib';
import { isStratusError, stratusError, type StratusError } from '../shared/errors.ts';
import type { ExtractEntry, ExtractError } from './extract.js';
import { readZipDirectory, type ZipEntry } from './zip-reader.ts';

export interface UnzipLimits {
  /** Bound on the total uncompressed size of all entries. */
  maxUnzippedBytes: number;
  /** Bound on the number of entries (directories included), checked before reading any of them. */
  maxEntries: number;
}

/** Lambda's limit for an unzipped package is 250 MB (262,144,000 bytes). */
export const DEFAULT_UNZIP_LIMITS: Readonly<UnzipLimits> = { maxUnzippedBytes: 262_144_000, maxEntries: 20_000 };

/** A regular file of the package: its safe relative path and where its bytes are in the zip. */
export interface ZipFile {
  /** Normalized, `/`-separated, relative, without `.` or `..` segments. */
  path: string;
  entry: ZipEntry;
}

/** Linux's limit for one file name; a longer one would fail to write, so it is refused up front. */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_LENGTH = 1024;

/**
 * Lists the regular files of a zip, refusing it before anything is inflated when it breaks a limit,
 * holds an entry whose path could escape the extraction folder, or is ambiguous (duplicates).
 * Directory entries are dropped: folders are implied by file paths.
 */
export function listZipFiles(zip: Uint8Array, limits: UnzipLimits): ZipFile[] {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(zip, limits);
  } catch (error) {
    // The reader checks every offset, so anything else is a bug on hostile input: still a bad zip.
    throw isStratusError(error) ? error : stratusError('CODE_INVALID_ZIP.unreadable');
  }
  const files: ZipFile[] = [];
  const filePaths = new Set<string>();
  const folderPaths = new Set<string>();
  for (const entry of entries) {
    const isFolder = entry.name.endsWith('/');
    const path = safeEntryPath(entry.name);
    if (isFolder) {
      if (path !== '') folderPaths.add(path);
      continue;
    }
    if (path === '') throw stratusError('CODE_INVALID_ZIP.entryEmptyName', { name: entry.name });
    if (filePaths.has(path)) throw stratusError('CODE_INVALID_ZIP.entryTwice', { name: entry.name });
    if (entry.encrypted) throw stratusError('CODE_INVALID_ZIP.entryEncrypted', { name: entry.name });
    if (entry.method !== 0 && entry.method !== 8) {
      throw stratusError('CODE_INVALID_ZIP.entryMethod', { name: entry.name, method: entry.method });
    }
    if (entry.method === 0 && entry.compressedSize !== entry.size) throw stratusError('CODE_INVALID_ZIP.entrySizesDisagree', { name: entry.name });
    filePaths.add(path);
    files.push({ path, entry });
  }
  // A path that is both a file and a folder cannot be extracted faithfully.
  for (const file of files) {
    for (let slash = file.path.indexOf('/'); slash >= 0; slash = file.path.indexOf('/', slash + 1)) {
      const folder = file.path.slice(0, slash);
      if (filePaths.has(folder)) throw stratusError('CODE_INVALID_ZIP.entryFileAsFolder', { name: folder, child: file.path });
    }
    if (folderPaths.has(file.path)) throw stratusError('CODE_INVALID_ZIP.entryFileAndFolder', { name: file.path });
  }
  return files;
}

/** What the bundling process needs to extract a file (see extract.js). */
export function extractEntry(file: ZipFile): ExtractEntry {
  const { entry } = file;
  return { path: file.path, dataOffset: entry.dataOffset, compressedSize: entry.compressedSize, size: entry.size, method: entry.method, crc32: entry.crc32 };
}

/** The user error for a file that could not be extracted as its directory record says. */
export function extractionError(problem: ExtractError['problem'], path: string): StratusError {
  if (problem === 'size') return sizeMismatch(path);
  if (problem === 'checksum') return stratusError('CODE_INVALID_ZIP.entryChecksum', { name: path });
  return stratusError('CODE_INVALID_ZIP.entryDamaged', { name: path });
}

/**
 * One small file's text, inflated here (synchronously: it is bounded to `maxBytes`, and only
 * configuration files are read this way); larger files are refused with a user error.
 */
export function readSmallText(zip: Uint8Array, file: ZipFile, maxBytes: number): string {
  const { entry } = file;
  if (entry.size > maxBytes) throw stratusError('CODE_INVALID_ZIP.entryTooBig', { name: file.path, bytes: entry.size, max: maxBytes });
  const input = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let output: Uint8Array = input;
  if (entry.method === 8) {
    try {
      output = inflateRawSync(input, { maxOutputLength: Math.max(1, entry.size) });
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') throw sizeMismatch(file.path);
      throw stratusError('CODE_INVALID_ZIP.entryDamaged', { name: file.path });
    }
  }
  if (output.byteLength !== entry.size) throw sizeMismatch(file.path);
  return Buffer.from(output.buffer, output.byteOffset, output.byteLength).toString('utf8');
}

/**
 * Turns an entry name into a safe relative path, or refuses it. Absolute paths, drive letters,
 * `..` and backslashes are refused rather than repaired: a zip that has them was made wrongly or
 * on purpose, and guessing what was meant could put a file somewhere unexpected.
 */
export function safeEntryPath(name: string): string {
  if (name.includes('\0')) throw stratusError('CODE_INVALID_ZIP.entryNul', { name });
  if (name.includes('\\')) {
    throw stratusError('CODE_INVALID_ZIP.entryBackslash', { name });
  }
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw stratusError('CODE_INVALID_ZIP.entryAbsolute', { name });
  if (name.length > MAX_PATH_LENGTH) throw stratusError('CODE_INVALID_ZIP.entryPathTooLong', { name: name.slice(0, 64) + '...', max: MAX_PATH_LENGTH });
  const segments: string[] = [];
  const parts = name.split('/');
  // A trailing slash marks a folder entry; it leaves one empty part that is not an error.
  if (parts[parts.length - 1] === '') parts.pop();
  for (const part of parts) {
    if (part === '..') throw stratusError('CODE_INVALID_ZIP.entryDotDot', { name });
    if (part === '') throw stratusError('CODE_INVALID_ZIP.entryEmptyFolder', { name });
    if (part === '.') continue; // "./index.js" is how some tools write "index.js".
    if (Buffer.byteLength(part) > MAX_SEGMENT_BYTES) throw stratusError('CODE_INVALID_ZIP.entrySegmentTooLong', { name, max: MAX_SEGMENT_BYTES });
    segments.push(part);
  }
  return segments.join('/');
}

function sizeMismatch(path: string): StratusError {
  return stratusError('CODE_INVALID_ZIP.entrySizeMismatch', { name: path });
}
