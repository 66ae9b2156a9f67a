/** @module Injected id source: request ids, revision ids, environment ids. */
import { randomBytes, randomUUID } from 'node:crypto';

export interface IdSource {
  /** A random UUID (request ids, revision ids). */
  uuid(): string;
  /** A short random token of the given byte length, hex-encoded. */
  token(bytes: number): string;
}

export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  token: (bytes) => randomBytes(bytes).toString('hex'),
};
