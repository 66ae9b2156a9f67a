/**
 * @module Reads a zip's central directory into entries with bounds-checked offsets and declared sizes.
 *
 * Hand-written on purpose: fflate's `unzipSync` reports declared sizes to its filter but not where
 * each entry's data is, and it inflates into a buffer sized by the (untrusted) header, silently
 * truncating an entry whose header understates it. Reading the directory here lets the limits
 * apply before any byte is inflated; `unzip.ts` then inflates each entry with an exact bound.
 */
import { stratusError, type StratusError } from '../shared/errors.ts';

/** One central-directory record, validated to point inside the zip. */
export interface ZipEntry {
  /** The name as stored, decoded; not yet checked for safety (see `unzip.ts`). */
  name: string;
  /** 0 = stored, 8 = deflate; anything else is refused when the entry is read. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** Uncompressed size as declared by the directory: untrusted until inflation confirms it. */
  size: number;
  crc32: number;
  /** Offset of the entry's (compressed) data in the zip. */
  dataOffset: number;
}

export interface ZipReadLimits {
  maxEntries: number;
  maxUnzippedBytes: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffffffff;

/**
 * Parses the central directory and refuses, before anything is inflated, a zip with more than
 * `maxEntries` records or whose declared uncompressed total exceeds `maxUnzippedBytes`.
 */
export function readZipDirectory(zip: Uint8Array, limits: ZipReadLimits): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  // 64-bit fields: anything past 2^53 is nonsense for a package, so it is reported as corrupt.
  const u64 = (at: number): number => {
    const high = u32(at + 4);
    if (high > 0x1fffff) throw stratusError('CODE_INVALID_ZIP.outOfRange');
    return high * 2 ** 32 + u32(at);
  };
  const need = (at: number, length: number, what: string): void => {
    if (at < 0 || length < 0 || at + length > zip.byteLength) throw stratusError('CODE_INVALID_ZIP.outsideFile', { part: what });
  };

  const eocd = findEndOfCentralDirectory(zip, u32);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) throw stratusError('CODE_INVALID_ZIP.spanned');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (eocd >= 20 && u32(eocd - 20) === EOCD64_LOCATOR_SIG) {
    const at = u64(eocd - 20 + 8);
    need(at, 56, 'the zip64 directory record');
    if (u32(at) !== EOCD64_SIG) throw stratusError('CODE_INVALID_ZIP.zip64RecordMissing');
    count = u64(at + 32);
    cdSize = u64(at + 40);
    cdOffset = u64(at + 48);
  }
  if (count > limits.maxEntries) {
    throw stratusError('CODE_TOO_LARGE.entries', { count, max: limits.maxEntries });
  }
  need(cdOffset, cdSize, 'the central directory');
  // Each record is at least 46 bytes, so the count cannot claim more records than fit.
  if (count * 46 > cdSize) throw stratusError('CODE_INVALID_ZIP.directoryShort');

  const entries: ZipEntry[] = [];
  let declaredTotal = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    need(at, 46, 'a central directory record');
    if (u32(at) !== CDH_SIG) throw stratusError('CODE_INVALID_ZIP.directoryRecordDamaged');
    const flags = u16(at + 8);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    need(at + 46, nameLength + extraLength + commentLength, 'a central directory record');
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    let localOffset = u32(at + 42);
    // Zip64 extra field: only the fields saturated in the fixed record are present, in this order.
    if (size === U32_MAX || compressedSize === U32_MAX || localOffset === U32_MAX) {
      let field = findExtraField(zip, at + 46 + nameLength, extraLength, 0x0001, u16);
      if (field < 0) throw stratusError('CODE_INVALID_ZIP.zip64SizeMissing');
      const take = (): number => {
        need(field, 8, 'a zip64 size record');
        const value = u64(field);
        field += 8;
        return value;
      };
      if (size === U32_MAX) size = take();
      if (compressedSize === U32_MAX) compressedSize = take();
      if (localOffset === U32_MAX) localOffset = take();
    }
    need(localOffset, 30, 'an entry header');
    if (u32(localOffset) !== LFH_SIG) throw stratusError('CODE_INVALID_ZIP.headerDamaged');
    const dataOffset = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    need(dataOffset, compressedSize, "an entry's data");
    declaredTotal += size;
    entries.push({
      name: decodeName(nameBytes, (flags & 0x0800) !== 0),
      method: u16(at + 10),
      encrypted: (flags & 0x0001) !== 0,
      compressedSize,
      size,
      crc32: u32(at + 16),
      dataOffset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (declaredTotal > limits.maxUnzippedBytes) throw tooLargeUnzipped(limits.maxUnzippedBytes, declaredTotal);
  return entries;
}

/** Lambda's rule, with what to do about it. `actual` is omitted when inflation stopped early. */
export function tooLargeUnzipped(limit: number, actual?: number): StratusError {
  return actual === undefined ? stratusError('CODE_TOO_LARGE.unzippedStopped', { max: limit }) : stratusError('CODE_TOO_LARGE.unzipped', { max: limit, bytes: actual });
}

/** Scans backwards for the end-of-central-directory record (it sits before a comment of up to 64 KiB). */
function findEndOfCentralDirectory(zip: Uint8Array, u32: (at: number) => number): number {
  if (zip.byteLength < EOCD_SIZE) throw stratusError('CODE_INVALID_ZIP.unreadable');
  const lowest = Math.max(0, zip.byteLength - EOCD_SIZE - MAX_COMMENT);
  for (let at = zip.byteLength - EOCD_SIZE; at >= lowest; at--) {
    if (u32(at) === EOCD_SIG) return at;
  }
  throw stratusError('CODE_INVALID_ZIP.unreadable');
}

/** Offset of the data of extra field `id` within `[start, start + length)`, or -1. */
function findExtraField(zip: Uint8Array, start: number, length: number, id: number, u16: (at: number) => number): number {
  const end = Math.min(start + length, zip.byteLength);
  for (let at = start; at + 4 <= end; at += 4 + u16(at + 2)) {
    if (u16(at) === id) return at + 4;
  }
  return -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Names flagged UTF-8 are decoded as such. Unflagged names are officially CP437, but most tools
 * write UTF-8 without the flag, so UTF-8 is tried first and Latin-1 is the lossless fallback.
 */
function decodeName(bytes: Uint8Array, flaggedUtf8: boolean): string {
  try {
    return utf8.decode(bytes);
  } catch {
    if (flaggedUtf8) throw stratusError('CODE_INVALID_ZIP.nameNotUtf8');
    return latin1.decode(bytes);
  }
}
