/** @module Content hashes of code packages: Lambda's CodeSha256 and the bundle's content address. */
import { createHash } from 'node:crypto';

/** Base64 SHA-256, the encoding Lambda uses for `CodeSha256`. */
export function sha256Base64(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** Hex SHA-256, used as the content address of a built bundle. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
