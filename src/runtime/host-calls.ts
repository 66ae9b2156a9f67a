/**
 * @module The host operations guest code may call synchronously (randomness, hashing, keys and
 * signatures), one set per
 * environment. Attack surface by design, so every operation: checks its arguments' types and sizes
 * (and refuses views over shared memory), does a bounded amount of work, answers only with fresh
 * exact-size bytes, numbers or strings, and never throws (a thrown host error would carry the host's
 * stack into the guest): it answers `[true, value]` or `[false, message]`.
 * Engine-independent: an engine wraps `call` in its own copy-only callback.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, type Hash, type Hmac, type KeyObject, randomFillSync, sign, verify } from 'node:crypto';

/** Web Crypto's bound on one getRandomValues call; Node's randomBytes is split into calls of this size by the guest. */
export const MAX_RANDOM_BYTES = 65_536;
/** Bytes hashed per call: the guest splits larger input, so one call keeps the engine's thread for about a millisecond. */
export const MAX_HASH_CHUNK_BYTES = 1_048_576;
/** Hashes an environment may have open at once; the oldest is dropped past this (its next use fails). */
export const MAX_OPEN_HASHES = 256;
/** Longest HMAC key, and longest key text or DER, accepted. */
const MAX_KEY_BYTES = 1_048_576;
/** Keys an environment may hold at once; the oldest is dropped past this (its next use fails). */
export const MAX_OPEN_KEYS = 256;
/** Bytes signed or verified per call (signing cannot be fed in pieces through crypto.sign). */
export const MAX_SIGN_BYTES = 16 * 1_048_576;
const KEY_FORMATS = new Set(['pem', 'der', 'jwk']);
const KEY_TYPES = new Set(['pkcs1', 'pkcs8', 'spki', 'sec1']);

const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

export type HostAnswer = [true, unknown] | [false, string];

export interface HostCalls {
  /** One operation; never throws. */
  call(op: unknown, ...args: unknown[]): HostAnswer;
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

/** What the guest learns of a key it imported: facts, never the host object. */
function keyFacts(key: KeyObject): Record<string, unknown> {
  const details = key.asymmetricKeyDetails ?? {};
  return {
    type: key.type,
    asymmetricKeyType: key.asymmetricKeyType ?? null,
    modulusLength: details.modulusLength ?? null,
    publicExponent: details.publicExponent === undefined ? null : Number(details.publicExponent),
    namedCurve: details.namedCurve ?? null,
  };
}

/** Sign/verify options the guest may pass (numbers only); anything else is ignored. */
function signOptions(opts: unknown): { padding?: number; saltLength?: number; dsaEncoding?: 'der' | 'ieee-p1363' } {
  if (typeof opts !== 'object' || opts === null) return {};
  const o = opts as Record<string, unknown>;
  const out: { padding?: number; saltLength?: number; dsaEncoding?: 'der' | 'ieee-p1363' } = {};
  if (typeof o.padding === 'number' && Number.isInteger(o.padding)) out.padding = o.padding;
  if (typeof o.saltLength === 'number' && Number.isInteger(o.saltLength)) out.saltLength = o.saltLength;
  if (o.dsaEncoding === 'der' || o.dsaEncoding === 'ieee-p1363') out.dsaEncoding = o.dsaEncoding;
  return out;
}

export function createHostCalls(): HostCalls {
  const open = new Map<number, Hash | Hmac>();
  const keys = new Map<number, KeyObject>();
  let nextId = 1;

  function keep(key: KeyObject): HostAnswer {
    if (keys.size >= MAX_OPEN_KEYS) keys.delete(keys.keys().next().value as number);
    const id = nextId++;
    keys.set(id, key);
    return [true, [id, keyFacts(key)]];
  }

  /** kind: 'private' | 'public'; spec: { data: string | Uint8Array, format?, type?, passphrase? } with jwk as JSON text. */
  function importKey(kind: unknown, spec: unknown): HostAnswer {
    if ((kind !== 'private' && kind !== 'public') || typeof spec !== 'object' || spec === null) return [false, 'keyImport: expected a kind and a key'];
    const o = spec as Record<string, unknown>;
    const format = o.format === undefined ? 'pem' : o.format;
    if (typeof format !== 'string' || !KEY_FORMATS.has(format)) return [false, 'The key format must be pem, der or jwk'];
    if (o.type !== undefined && (typeof o.type !== 'string' || !KEY_TYPES.has(o.type))) return [false, 'The key type must be pkcs1, pkcs8, spki or sec1'];
    let data: string | Uint8Array | object;
    if (typeof o.data === 'string') {
      if (o.data.length > MAX_KEY_BYTES) return [false, `The key is longer than ${MAX_KEY_BYTES} characters`];
      data = o.data;
      if (format === 'jwk') {
        try {
          data = JSON.parse(o.data) as object;
        } catch {
          return [false, 'The JWK is not valid JSON'];
        }
      }
    } else {
      const bytes = bytesOf(o.data, MAX_KEY_BYTES, 'the key');
      if (typeof bytes === 'string') return [false, bytes];
      data = Buffer.from(fresh(bytes));
    }
    const passphrase = typeof o.passphrase === 'string' ? o.passphrase : undefined;
    try {
      const input = { key: data, format, ...(o.type === undefined ? {} : { type: o.type }), ...(passphrase === undefined ? {} : { passphrase }) } as Parameters<
        typeof createPrivateKey
      >[0];
      return keep(kind === 'private' ? createPrivateKey(input) : createPublicKey(input as Parameters<typeof createPublicKey>[0]));
    } catch {
      // OpenSSL's reasons are not passed on: they describe the host's library, not the key.
      return [false, `The ${kind} key could not be read: check its format (${format}${o.type === undefined ? '' : `, ${o.type}`}), its contents and its passphrase`];
    }
  }

  function keyOf(id: unknown): KeyObject | undefined {
    return typeof id === 'number' ? keys.get(id) : undefined;
  }

  const gone = `this key is no longer available (more than ${MAX_OPEN_KEYS} keys were in use at once): import it again`;

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

  function publicOf(id: unknown): HostAnswer {
    const key = keyOf(id);
    if (key === undefined) return [false, gone];
    return keep(key.type === 'public' ? key : createPublicKey(key));
  }

  function exportKey(id: unknown, opts: unknown): HostAnswer {
    const key = keyOf(id);
    if (key === undefined) return [false, gone];
    const o = (typeof opts === 'object' && opts !== null ? opts : {}) as Record<string, unknown>;
    const format = o.format === undefined ? 'pem' : o.format;
    if (format === 'jwk') return [true, JSON.stringify(key.export({ format: 'jwk' }))];
    if (format !== 'pem' && format !== 'der') return [false, 'The export format must be pem, der or jwk'];
    const type = o.type ?? (key.type === 'public' ? 'spki' : 'pkcs8');
    if (typeof type !== 'string' || !KEY_TYPES.has(type)) return [false, 'The export type must be pkcs1, pkcs8, spki or sec1'];
    const out = key.export({ format, type } as never) as string | Buffer;
    return [true, typeof out === 'string' ? out : fresh(out)];
  }

  function signWith(alg: unknown, id: unknown, data: unknown, opts: unknown): HostAnswer {
    const key = keyOf(id);
    if (key === undefined) return [false, gone];
    if (alg !== null && typeof alg !== 'string') return [false, 'The algorithm must be a string or null'];
    const bytes = bytesOf(data, MAX_SIGN_BYTES, 'the data');
    if (typeof bytes === 'string') return [false, bytes];
    try {
      return [true, fresh(sign(alg, bytes, { key, ...signOptions(opts) } as never))];
    } catch {
      return [false, `Signing failed: check that the algorithm (${String(alg).slice(0, 40)}) suits a ${key.asymmetricKeyType ?? key.type} key, and that it is a private key`];
    }
  }

  function verifyWith(alg: unknown, id: unknown, data: unknown, signature: unknown, opts: unknown): HostAnswer {
    const key = keyOf(id);
    if (key === undefined) return [false, gone];
    if (alg !== null && typeof alg !== 'string') return [false, 'The algorithm must be a string or null'];
    const bytes = bytesOf(data, MAX_SIGN_BYTES, 'the data');
    if (typeof bytes === 'string') return [false, bytes];
    const sig = bytesOf(signature, MAX_KEY_BYTES, 'the signature');
    if (typeof sig === 'string') return [false, sig];
    try {
      return [true, verify(alg, bytes, { key, ...signOptions(opts) } as never, sig)];
    } catch {
      return [false, `Verifying failed: check that the algorithm (${String(alg).slice(0, 40)}) suits a ${key.asymmetricKeyType ?? key.type} key`];
    }
  }

  return {
    call(op, ...args) {
      const [a, b, c, d, e] = args;
      try {
        switch (op) {
          case 'keyImport':
            return importKey(a, b);
          case 'keyPublic':
            return publicOf(a);
          case 'keyExport':
            return exportKey(a, b);
          case 'sign':
            return signWith(a, b, c, d);
          case 'verify':
            return verifyWith(a, b, c, d, e);
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
      keys.clear();
    },
  };
}
