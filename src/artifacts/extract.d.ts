/** @module Types of extract.js (plain JavaScript, run by the bundling process). */

/** One file of a validated zip: where its bytes are and what its directory record declares. */
export interface ExtractEntry {
  path: string;
  dataOffset: number;
  compressedSize: number;
  size: number;
  method: number;
  crc32: number;
}

export class ExtractError extends Error {
  readonly problem: 'damaged' | 'size' | 'checksum';
  readonly path: string;
}

export function extractFiles(zip: Uint8Array, files: readonly ExtractEntry[], root: string): void;
