/** @module Opaque pagination markers: clients get a token, never the key it encodes. */
import { stratusError } from '../shared/errors.ts';

export function encodeMarker(key: string | number): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeMarker(marker: string): string | number {
  try {
    const key: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (typeof key === 'string' || typeof key === 'number') return key;
  } catch {
    // fall through to the user error below
  }
  throw stratusError('REQUEST_INVALID_PARAMETER.marker');
}
