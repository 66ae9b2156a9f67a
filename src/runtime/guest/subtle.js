/**
 * @module Guest runtime: `crypto.subtle` for what functions verify and sign with (digest; HMAC;
 * RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA and Ed25519 with keys imported as JWK, SPKI or PKCS#8), over the
 * host's hashing and signatures (native.js). Secret keys stay in the guest; the others are held by
 * the host and the CryptoKey knows only their id there.
 */

const $SUBTLE_HASHES = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const $SIGNATURE_ALGORITHMS = ['HMAC', 'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'ECDSA', 'Ed25519'];

/**
 * @param {string} name
 * @param {string} message
 */
function $domError(name, message) {
  const err = new $Error(message);
  err.name = name;
  return err;
}

/** @param {unknown} algorithm */
function $algorithmOf(algorithm) {
  const a = typeof algorithm === 'string' ? { name: algorithm } : /** @type {Record<string, unknown>} */ (algorithm);
  if (typeof a !== 'object' || a === null || typeof a.name !== 'string') throw new $TypeError('Algorithm: expected a name or an object with one');
  const upper = a.name.toUpperCase();
  const name = $SIGNATURE_ALGORITHMS.find((n) => n.toUpperCase() === upper) ?? (upper in $SUBTLE_HASHES ? upper : undefined);
  if (name === undefined) throw $domError('NotSupportedError', `Unrecognized or unsupported algorithm name: ${$String(a.name)}`);
  return /** @type {Record<string, any> & { name: string }} */ ({ ...a, name });
}

/** @param {unknown} hash */
function $hashOf(hash) {
  const name = typeof hash === 'string' ? hash : typeof hash === 'object' && hash !== null ? /** @type {{ name?: unknown }} */ (hash).name : undefined;
  const key = typeof name === 'string' ? name.toUpperCase() : '';
  const node = /** @type {Record<string, string>} */ ($SUBTLE_HASHES)[key];
  if (node === undefined) throw $domError('NotSupportedError', `Unsupported hash: ${$String(name)} (use SHA-1, SHA-256, SHA-384 or SHA-512)`);
  return { web: key, node };
}

// What one subtle call takes in (the host signs it in one piece).
const $MAX_SUBTLE_BYTES = 16 * 1048576;
const $arrayBufferByteLength = /** @type {(this: unknown) => number} */ ($getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')?.get);

/**
 * A BufferSource's bytes, copied exactly (never through anything the guest can replace).
 * @param {unknown} data
 */
function $bufferSource(data) {
  if ($typedArrayBrand(data) === undefined) {
    let length;
    try {
      length = $apply($arrayBufferByteLength, data, []);
    } catch {
      throw new $TypeError('The data must be an ArrayBuffer, a TypedArray or a DataView');
    }
    if (length > $MAX_SUBTLE_BYTES) throw new $RangeError(`The data is ${length} bytes; at most ${$MAX_SUBTLE_BYTES} are accepted`);
    return $exactCopy(/** @type {ArrayBuffer} */ (data), 0, length);
  }
  return $bytesCopy(data, 'The data', $MAX_SUBTLE_BYTES);
}

/** @param {Uint8Array} bytes */
function $arrayBuffer(bytes) {
  return $apply(ArrayBuffer.prototype.slice, bytes.buffer, [bytes.byteOffset, bytes.byteOffset + bytes.byteLength]);
}

class CryptoKey {
  /**
   * @param {'secret' | 'private' | 'public'} type
   * @param {boolean} extractable
   * @param {Record<string, unknown>} algorithm
   * @param {string[]} usages
   * @param {{ secret?: Uint8Array, id?: number }} handle
   */
  constructor(type, extractable, algorithm, usages, handle) {
    this.type = type;
    this.extractable = extractable;
    this.algorithm = algorithm;
    this.usages = usages;
    /** @type {{ secret?: Uint8Array, id?: number }} */
    this.$handle = handle;
    $defineProperty(this, '$handle', { value: handle, enumerable: false, writable: false });
  }
}

/** @param {GuestNative} native */
function $createSubtle(native) {
  /**
   * @param {string} algorithm node's hash name
   * @param {Uint8Array} key
   * @param {Uint8Array} data
   */
  const hmac = (algorithm, key, data) => {
    const id = native.hashOpen(algorithm, key);
    native.hashUpdate(id, data);
    return native.hashDigest(id);
  };

  /**
   * @param {Record<string, any>} alg
   * @param {CryptoKey} key
   */
  const signOptions = (alg, key) => {
    const name = /** @type {string} */ (key.algorithm.name);
    if (name === 'Ed25519') return { hash: null, options: undefined };
    const hash = name === 'ECDSA' ? $hashOf(alg.hash).node : /** @type {{ node: string }} */ (key.algorithm.$hash).node;
    if (name === 'RSA-PSS') return { hash, options: { padding: 6, saltLength: typeof alg.saltLength === 'number' ? alg.saltLength : 32 } };
    if (name === 'ECDSA') return { hash, options: { dsaEncoding: 'ieee-p1363' } };
    return { hash, options: undefined };
  };

  /**
   * @param {string} usage
   * @param {unknown} algorithm
   * @param {unknown} key
   */
  const checkKey = (usage, algorithm, key) => {
    if (!(key instanceof CryptoKey)) throw new $TypeError('key is not a CryptoKey');
    const alg = $algorithmOf(algorithm);
    if (alg.name !== key.algorithm.name) throw $domError('InvalidAccessError', `The key is for ${key.algorithm.name}, not ${alg.name}`);
    if (key.usages.indexOf(usage) < 0) throw $domError('InvalidAccessError', `The key may not be used to ${usage}`);
    return alg;
  };

  /** @param {() => unknown} work */
  const later = (work) =>
    new $Promise((resolve, reject) => {
      try {
        resolve(work());
      } catch (err) {
        reject(err);
      }
    });

  return {
    /** @param {unknown} algorithm @param {unknown} data */
    digest: (algorithm, data) =>
      later(() => {
        const { node } = $hashOf(algorithm);
        const id = native.hashOpen(node);
        native.hashUpdate(id, $bufferSource(data));
        return $arrayBuffer(native.hashDigest(id));
      }),
    /**
     * @param {string} format
     * @param {unknown} keyData
     * @param {unknown} algorithm
     * @param {boolean} extractable
     * @param {string[]} usages
     */
    importKey: (format, keyData, algorithm, extractable, usages) =>
      later(() => {
        const alg = $algorithmOf(algorithm);
        const list = [...usages];
        if (alg.name === 'HMAC') {
          const hash = $hashOf(alg.hash);
          let secret;
          if (format === 'raw') secret = $bufferSource(keyData);
          else if (format === 'jwk') secret = $base64urlDecode($String(/** @type {{ k?: unknown }} */ (keyData).k));
          else throw $domError('NotSupportedError', `HMAC keys are imported as raw or jwk, not ${format}`);
          return new CryptoKey('secret', !!extractable, { name: 'HMAC', hash: { name: hash.web }, length: secret.length * 8 }, list, { secret });
        }
        if (format !== 'jwk' && format !== 'spki' && format !== 'pkcs8')
          throw $domError('NotSupportedError', `${alg.name} keys are imported as jwk, spki or pkcs8 here, not ${format}`);
        const isPrivate = format === 'pkcs8' || (format === 'jwk' && /** @type {{ d?: unknown }} */ (keyData).d !== undefined);
        const [id, facts] =
          format === 'jwk'
            ? native.keyImport(isPrivate ? 'private' : 'public', $stringify(keyData), 'jwk')
            : native.keyImport(isPrivate ? 'private' : 'public', $bufferSource(keyData), 'der', format);
        const algorithmOut = /** @type {Record<string, unknown>} */ ({ name: alg.name });
        if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') {
          const hash = $hashOf(alg.hash);
          algorithmOut.hash = { name: hash.web };
          algorithmOut.modulusLength = facts.modulusLength;
          $defineProperty(algorithmOut, '$hash', { value: hash, enumerable: false });
        } else if (alg.name === 'ECDSA') {
          algorithmOut.namedCurve = alg.namedCurve;
        }
        return new CryptoKey(isPrivate ? 'private' : 'public', !!extractable, algorithmOut, list, { id });
      }),
    /** @param {string} format @param {unknown} key */
    exportKey: (format, key) =>
      later(() => {
        if (!(key instanceof CryptoKey)) throw new $TypeError('key is not a CryptoKey');
        if (!key.extractable) throw $domError('InvalidAccessError', 'key is not extractable');
        const secret = key.$handle.secret;
        if (secret !== undefined) {
          if (format === 'raw') return $arrayBuffer(secret);
          if (format === 'jwk')
            return {
              kty: 'oct',
              k: $base64urlEncode(secret),
              alg: `HS${$apply($stringSlice, /** @type {{ name: string }} */ (key.algorithm.hash).name, [4])}`,
              ext: true,
              key_ops: key.usages,
            };
          throw $domError('NotSupportedError', `HMAC keys are exported as raw or jwk, not ${format}`);
        }
        const id = /** @type {number} */ (key.$handle.id);
        if (format === 'jwk') return $parse(/** @type {string} */ (native.keyExport(id, 'jwk')));
        if (format === 'spki' || format === 'pkcs8') return $arrayBuffer(/** @type {Uint8Array} */ (native.keyExport(id, 'der', format)));
        throw $domError('NotSupportedError', `Keys are exported as jwk, spki or pkcs8 here, not ${format}`);
      }),
    /** @param {unknown} algorithm @param {unknown} key @param {unknown} data */
    sign: (algorithm, key, data) =>
      later(() => {
        const alg = checkKey('sign', algorithm, key);
        const k = /** @type {CryptoKey} */ (key);
        if (alg.name === 'HMAC')
          return $arrayBuffer(hmac($hashOf(/** @type {{ name: string }} */ (k.algorithm.hash).name).node, /** @type {Uint8Array} */ (k.$handle.secret), $bufferSource(data)));
        const { hash, options } = signOptions(alg, k);
        return $arrayBuffer(native.sign(hash, /** @type {number} */ (k.$handle.id), $bufferSource(data), options));
      }),
    /** @param {unknown} algorithm @param {unknown} key @param {unknown} signature @param {unknown} data */
    verify: (algorithm, key, signature, data) =>
      later(() => {
        const alg = checkKey('verify', algorithm, key);
        const k = /** @type {CryptoKey} */ (key);
        const sig = $bufferSource(signature);
        if (alg.name === 'HMAC') {
          const expected = hmac($hashOf(/** @type {{ name: string }} */ (k.algorithm.hash).name).node, /** @type {Uint8Array} */ (k.$handle.secret), $bufferSource(data));
          if (expected.length !== sig.length) return false;
          let diff = 0;
          for (let i = 0; i < sig.length; i++) diff |= expected[i] ^ sig[i];
          return diff === 0;
        }
        const { hash, options } = signOptions(alg, k);
        return native.verify(hash, /** @type {number} */ (k.$handle.id), $bufferSource(data), sig, options);
      }),
  };
}

const $B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** @param {Uint8Array} bytes */
function $base64urlEncode(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += $B64URL[(n >> 18) & 63] + $B64URL[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += $B64URL[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += $B64URL[n & 63];
  }
  return out;
}

/** @param {string} text */
function $base64urlDecode(text) {
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = $apply($stringIndexOf, $B64URL, [ch]);
    if (v < 0) throw $domError('DataError', 'The JWK "k" is not base64url');
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 255);
    }
  }
  return new Uint8Array(out);
}
