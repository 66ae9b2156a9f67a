/** @module Guest runtime: the host's randomness and hashing behind checked guest functions, and the Web Crypto global (`crypto.getRandomValues`, `crypto.randomUUID`) built on them. */

// Bounds the host enforces too; checked here first so a bad call fails with a guest error and
// crosses nothing. Checking first matters: isolated-vm copies a callback's arguments whole onto the
// host's main thread before the host can look at them, so an object or string of any size passed
// where a number or a name belongs would stall every environment of the process while it is copied.
const $MAX_RANDOM_BYTES = 65536;
const $MAX_HASH_CHUNK_BYTES = 1048576;
const $MAX_KEY_BYTES = 1048576;
const $MAX_ALGORITHM_CHARS = 64;
const $Uint8Array = Uint8Array;
const $u8Set = Uint8Array.prototype.set;
const $typedArrayProto = $getPrototypeOf(Uint8Array.prototype);
const $typedArrayBuffer = /** @type {(this: unknown) => ArrayBufferLike} */ ($getOwnPropertyDescriptor($typedArrayProto, 'buffer')?.get);
const $typedArrayOffset = /** @type {(this: unknown) => number} */ ($getOwnPropertyDescriptor($typedArrayProto, 'byteOffset')?.get);
const $typedArrayLength = /** @type {(this: unknown) => number} */ ($getOwnPropertyDescriptor($typedArrayProto, 'byteLength')?.get);
const $INTEGER_ARRAYS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

/**
 * @typedef {object} GuestNative
 * @property {(n: number) => Uint8Array} random fresh random bytes from the host's CSPRNG (at most 65536)
 * @property {(algorithm: string, key?: Uint8Array) => number} hashOpen a hash (or, with a key, an HMAC) held by the host
 * @property {(id: number, data: Uint8Array) => void} hashUpdate feeds bytes (any length: sent in bounded pieces)
 * @property {(id: number) => Uint8Array} hashDigest the digest; the hash is closed
 * @property {(kind: 'private' | 'public', data: string | Uint8Array, format?: string, type?: string, passphrase?: string) => [number, Record<string, unknown>]} keyImport a key held by the host: its id and facts
 * @property {(id: number) => [number, Record<string, unknown>]} keyPublic the public key of a key
 * @property {(id: number, format?: string, type?: string) => string | Uint8Array} keyExport
 * @property {(algorithm: string | null, id: number, data: Uint8Array, options?: GuestSignOptions) => Uint8Array} sign
 * @property {(algorithm: string | null, id: number, data: Uint8Array, signature: Uint8Array, options?: GuestSignOptions) => boolean} verify
 *
 * @typedef {{ padding?: number, saltLength?: number, dsaEncoding?: string }} GuestSignOptions
 */

/**
 * Only numbers and the two known strings cross, whatever the options object holds.
 * @param {GuestSignOptions | undefined} o
 */
function $signOptions(o) {
  if (typeof o !== 'object' || o === null) return undefined;
  const padding = o.padding;
  const saltLength = o.saltLength;
  const dsaEncoding = o.dsaEncoding;
  return {
    padding: typeof padding === 'number' ? padding : undefined,
    saltLength: typeof saltLength === 'number' ? saltLength : undefined,
    dsaEncoding: dsaEncoding === 'der' || dsaEncoding === 'ieee-p1363' ? dsaEncoding : undefined,
  };
}

// Data signed or verified in one call (signing cannot be fed in pieces).
const $MAX_SIGN_BYTES = 16 * 1048576;

/**
 * A short name (format, type, algorithm) checked before it crosses: at most 64 characters.
 * @param {unknown} value
 * @param {string} what
 */
function $optionalString(value, what) {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new $TypeError(`${what} must be a string`);
  if (value.length > $MAX_ALGORITHM_CHARS) throw new $RangeError(`${what} is longer than ${$MAX_ALGORITHM_CHARS} characters`);
  return value;
}

/**
 * A key id as the host gave it: a number (anything else would be copied whole to the host).
 * @param {unknown} id
 */
function $keyId(id) {
  if (typeof id !== 'number') throw new $TypeError('the key id must be the number keyImport returned');
  return id;
}

/** @param {unknown} algorithm */
function $signAlgorithm(algorithm) {
  if (algorithm === null || algorithm === undefined) return null;
  const name = $String(algorithm);
  if (name.length > $MAX_ALGORITHM_CHARS) throw new $Error('Invalid digest');
  return name;
}

/**
 * The brand of a typed array, read through the intrinsic getter (clone.js's $typedArrayKind: a
 * subclass or a spoofed Symbol.toStringTag cannot change it); undefined for anything else.
 * @param {unknown} value
 */
function $typedArrayBrand(value) {
  return $apply($typedArrayKind, value, []);
}

/**
 * `length` bytes of `buffer` from `offset`, copied into a fresh buffer of exactly that size: what
 * crosses to the host is a copy of those bytes and nothing more. Built with the constructor captured
 * above and `set`, never `slice`: slice asks `constructor[Symbol.species]`, which guest code can
 * point at a view over a buffer of any size, and isolated-vm copies a view's whole buffer.
 * @param {ArrayBufferLike} buffer
 * @param {number} offset
 * @param {number} length
 */
function $exactCopy(buffer, offset, length) {
  const out = new $Uint8Array(length);
  // A detached buffer has no bytes (and refuses a view, even an empty one).
  if (length > 0) $apply($u8Set, out, [new $Uint8Array(buffer, offset, length)]);
  return out;
}

/**
 * An exact copy of a typed array's bytes (never the whole buffer behind a view), at most `max`.
 * @param {unknown} view
 * @param {string} what
 * @param {number} max
 */
function $bytesCopy(view, what, max) {
  if ($typedArrayBrand(view) === undefined) throw new $TypeError(`${what} must be a TypedArray or Buffer`);
  const length = $apply($typedArrayLength, view, []);
  if (length > max) throw new $RangeError(`${what} is ${length} bytes; at most ${max} are accepted`);
  return $exactCopy($apply($typedArrayBuffer, view, []), $apply($typedArrayOffset, view, []), length);
}

/**
 * A hash id as the host gave it: a number, checked here because anything else would be copied whole to the host.
 * @param {unknown} id
 */
function $hashId(id) {
  if (typeof id !== 'number') throw new $TypeError('the hash id must be the number hashOpen returned');
  return id;
}

/**
 * @param {Function} hostCall the host's copy-only callback: (op, a, b) => [true, value] | [false, message]
 * @returns {GuestNative}
 */
function $createNative(hostCall) {
  /**
   * @param {string} op
   * @param {unknown[]} args
   */
  const call = (op, ...args) => {
    const answer = $apply(hostCall, undefined, [op, ...args]);
    if (!$isArray(answer) || answer.length !== 2) throw new $Error(`the host operation ${op} answered nothing usable`);
    if (answer[0] !== true) throw new $Error($String(answer[1]));
    return answer[1];
  };
  return {
    random(n) {
      if (typeof n !== 'number' || n < 0 || n > $MAX_RANDOM_BYTES || n % 1 !== 0) throw new $RangeError(`random: at most ${$MAX_RANDOM_BYTES} bytes at once`);
      return /** @type {Uint8Array} */ (call('random', n));
    },
    hashOpen(algorithm, key) {
      const name = $String(algorithm);
      if (name.length > $MAX_ALGORITHM_CHARS) throw new $Error('Digest method not supported');
      return /** @type {number} */ (call('hashOpen', name, key === undefined ? undefined : $bytesCopy(key, 'The key', $MAX_KEY_BYTES)));
    },
    hashUpdate(id, data) {
      const hash = $hashId(id);
      if ($typedArrayBrand(data) === undefined) throw new $TypeError('The data must be a TypedArray or Buffer');
      const buffer = $apply($typedArrayBuffer, data, []);
      const offset = $apply($typedArrayOffset, data, []);
      const length = $apply($typedArrayLength, data, []);
      for (let at = 0; at < length; at += $MAX_HASH_CHUNK_BYTES) {
        // Each piece is an exact copy: a view would send its whole buffer across.
        call('hashUpdate', hash, $exactCopy(buffer, offset + at, length - at < $MAX_HASH_CHUNK_BYTES ? length - at : $MAX_HASH_CHUNK_BYTES));
      }
    },
    hashDigest(id) {
      return /** @type {Uint8Array} */ (call('hashDigest', $hashId(id)));
    },
    keyImport(kind, data, format, type, passphrase) {
      if (typeof data === 'string' && data.length > $MAX_KEY_BYTES) throw new $RangeError(`The key is longer than ${$MAX_KEY_BYTES} characters`);
      if (typeof passphrase === 'string' && passphrase.length > 1024) throw new $RangeError('The passphrase is longer than 1024 characters');
      const spec = {
        data: typeof data === 'string' ? data : $bytesCopy(data, 'The key', $MAX_KEY_BYTES),
        format: $optionalString(format, 'The key format'),
        type: $optionalString(type, 'The key type'),
        passphrase: passphrase === undefined ? undefined : typeof passphrase === 'string' ? passphrase : $String(passphrase),
      };
      return /** @type {[number, Record<string, unknown>]} */ (call('keyImport', kind === 'public' ? 'public' : 'private', spec));
    },
    keyPublic(id) {
      return /** @type {[number, Record<string, unknown>]} */ (call('keyPublic', $keyId(id)));
    },
    keyExport(id, format, type) {
      return /** @type {string | Uint8Array} */ (call('keyExport', $keyId(id), { format: $optionalString(format, 'The format'), type: $optionalString(type, 'The type') }));
    },
    sign(algorithm, id, data, options) {
      return /** @type {Uint8Array} */ (call('sign', $signAlgorithm(algorithm), $keyId(id), $bytesCopy(data, 'The data', $MAX_SIGN_BYTES), $signOptions(options)));
    },
    verify(algorithm, id, data, signature, options) {
      return /** @type {boolean} */ (
        call(
          'verify',
          $signAlgorithm(algorithm),
          $keyId(id),
          $bytesCopy(data, 'The data', $MAX_SIGN_BYTES),
          $bytesCopy(signature, 'The signature', $MAX_KEY_BYTES),
          $signOptions(options),
        )
      );
    },
  };
}

/**
 * Web Crypto's `crypto` global: getRandomValues, randomUUID and subtle (see subtle.js).
 * @param {GuestNative} native
 */
function $createWebCrypto(native) {
  return {
    subtle: $createSubtle(native),
    /**
     * @template {ArrayBufferView} T
     * @param {T} view
     * @returns {T}
     */
    getRandomValues(view) {
      const kind = $typedArrayBrand(view);
      if (kind === undefined || $INTEGER_ARRAYS.indexOf(kind) < 0) {
        const err = new $TypeError("Failed to execute 'getRandomValues' on 'Crypto': The provided ArrayBufferView is not an integer array type");
        err.name = 'TypeMismatchError';
        throw err;
      }
      const length = $apply($typedArrayLength, view, []);
      if (length > $MAX_RANDOM_BYTES) {
        const err = new $Error(
          `Failed to execute 'getRandomValues' on 'Crypto': The ArrayBufferView's byte length (${length}) exceeds the number of bytes of entropy available via this API (${$MAX_RANDOM_BYTES})`,
        );
        err.name = 'QuotaExceededError';
        throw err;
      }
      const target = new $Uint8Array($apply($typedArrayBuffer, view, []), $apply($typedArrayOffset, view, []), length);
      $apply($u8Set, target, [native.random(length)]);
      return view;
    },
    randomUUID() {
      const b = native.random(16);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      let hex = '';
      for (let i = 0; i < 16; i++) hex += (b[i] < 16 ? '0' : '') + b[i].toString(16);
      return `${$apply($stringSlice, hex, [0, 8])}-${$apply($stringSlice, hex, [8, 12])}-${$apply($stringSlice, hex, [12, 16])}-${$apply($stringSlice, hex, [16, 20])}-${$apply($stringSlice, hex, [20])}`;
    },
  };
}
