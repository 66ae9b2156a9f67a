/**
 * @module The host operations guest code may call synchronously (randomness and hashing), one set per
 * environment. Attack surface by design, so every operation: checks its arguments' types and sizes
 * (and refuses views over shared memory), does a bounded amount of work, answers only with fresh
 * exact-size bytes, numbers or strings, and never throws (a thrown host error would carry the host's
 * stack into the guest): it answers `[true, value]` or `[false, message]`.
 * Engine-independent: an engine wraps `call` in its own copy-only callback.
 */
import { createHash, createHmac, type Hash, type Hmac, randomFillSync } from 'node:crypto';

/** Web Crypto's bound on one getRandomValues call; Node's randomBytes is split into calls of this size by the guest. */
export const MAX_RANDOM_BYTES = 65_536;
/** Bytes hashed per call: the guest splits larger input, so one call keeps the engine's thread for about a millisecond. */
export const MAX_HASH_CHUNK_BYTES = 1_048_576;
/** Hashes an environment may have open at once; the oldest is dropped past this (its next use fails). */
export const MAX_OPEN_HASHES = 256;
/** Longest HMAC key accepted. */
const MAX_KEY_BYTES = 1_048_576;

const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

export type HostAnswer = [true, unknown] | [false, string];

export interface HostCalls {
  /** One operation; never throws. */
  call(op: unknown, a?: unknown, b?: unknown, c?: unknown): HostAnswer;
  /** Drops every open hash (the environment is gone). */
  dispose(): void;
}

/** A byte view of guest memory (copied across): a Uint8Array over an ordinary, unshared buffer. */
function bytesOf(value: unknown, max: number, what: string): Uint8Array | string {
  if (!(value instanceof Uint8Array)) return `${what} must be a Uint8Array`;
  if (value.buffer instanceof SharedArrayBuffer) return `${what} must not be backed by a SharedArrayBuffer`;
  if (value.byteLength > max) return `${what} is ${value.byteLength} bytes; at most ${max} are accepted per call`;
  return value;
}

/** A copy into a fresh buffer of exactly its size: never a view of a pooled or larger buffer. */
function fresh(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

export function createHostCalls(): HostCalls {
  const open = new Map<number, Hash | Hmac>();
  let nextId = 1;

  function random(n: unknown): HostAnswer {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_RANDOM_BYTES)
      return [false, `random: the byte count must be a whole number from 0 to ${MAX_RANDOM_BYTES}`];
    const out = new Uint8Array(n);
    randomFillSync(out);
    return [true, out];
  }

  function openHash(alg: unknown, key: unknown): HostAnswer {
    if (typeof alg !== 'string' || !HASHES.has(alg.toLowerCase())) return [false, `Digest method not supported: use one of ${[...HASHES].join(', ')}`];
    let hash: Hash | Hmac;
    if (key === undefined) {
      hash = createHash(alg.toLowerCase());
    } else {
      const k = bytesOf(key, MAX_KEY_BYTES, 'the HMAC key');
      if (typeof k === 'string') return [false, k];
      hash = createHmac(alg.toLowerCase(), k);
    }
    if (open.size >= MAX_OPEN_HASHES) open.delete(open.keys().next().value as number);
    const id = nextId++;
    open.set(id, hash);
    return [true, id];
  }

  function update(id: unknown, data: unknown): HostAnswer {
    const hash = typeof id === 'number' ? open.get(id) : undefined;
    if (hash === undefined) return [false, `this hash is no longer open (digest was called, or more than ${MAX_OPEN_HASHES} hashes were open at once)`];
    const bytes = bytesOf(data, MAX_HASH_CHUNK_BYTES, 'the data');
    if (typeof bytes === 'string') return [false, bytes];
    hash.update(bytes);
    return [true, bytes.byteLength];
  }

  function digest(id: unknown): HostAnswer {
    const hash = typeof id === 'number' ? open.get(id) : undefined;
    if (hash === undefined) return [false, `this hash is no longer open (digest was called, or more than ${MAX_OPEN_HASHES} hashes were open at once)`];
    open.delete(id as number);
    return [true, fresh(hash.digest())];
  }

  return {
    call(op, a, b) {
      try {
        switch (op) {
          case 'random':
            return random(a);
          case 'hashOpen':
            return openHash(a, b);
          case 'hashUpdate':
            return update(a, b);
          case 'hashDigest':
            return digest(a);
          default:
            return [false, `unknown host operation ${typeof op === 'string' ? op.slice(0, 40) : typeof op}`];
        }
      } catch {
        // Only the fact crosses: a host error's message or stack would describe the host.
        return [false, `the host operation ${typeof op === 'string' ? op.slice(0, 40) : ''} failed`];
      }
    },
    dispose() {
      open.clear();
    },
  };
}
