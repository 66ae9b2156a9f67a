/**
 * @module node:crypto inside an isolate, for what handlers use most: randomness from the host's
 * CSPRNG, hashes, HMACs, keys and signatures computed by the host's OpenSSL (fed in bounded copies through the
 * runtime's checked host calls; see runtime/guest/native.js). Written by hand because this is the
 * part that needs the host; pure-JavaScript ports of the rest are tens of times slower.
 */
const { Buffer } = require('node:buffer');

const native = globalThis[Symbol.for('stratus.native')];
const web = globalThis.crypto;
const HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const ALIASES = { 'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512', rsa_sha256: 'sha256' };
const MAX_RANDOM = 65536;

function unavailable(what) {
  return new Error(`crypto.${what} is not available on stratus-isolate yet; use the nodejs*.x runtime, or a pure-JavaScript package`);
}

function requireNative() {
  if (!native) throw new Error('node:crypto needs the stratus-isolate runtime');
  return native;
}

/** Bytes of a string (in an encoding), Buffer, TypedArray or DataView, as a Uint8Array view. */
function toBytes(data, encoding, what) {
  if (typeof data === 'string') return Buffer.from(data, encoding || 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  const err = new TypeError(`The "${what}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${data === null ? 'null' : typeof data}`);
  err.code = 'ERR_INVALID_ARG_TYPE';
  throw err;
}

function encode(bytes, encoding) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === undefined || encoding === 'buffer') return buf;
  if (encoding === 'base64url') return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return buf.toString(encoding);
}

function algorithmOf(name) {
  const lower = String(name).toLowerCase();
  const alg = ALIASES[lower] || lower;
  if (!HASHES.includes(alg)) {
    const err = new Error('Digest method not supported');
    err.code = 'ERR_CRYPTO_INVALID_DIGEST';
    throw err;
  }
  return alg;
}

class Hash {
  constructor(algorithm, key) {
    this._id = requireNative().hashOpen(algorithm, key);
    this._done = false;
  }
  update(data, inputEncoding) {
    if (this._done) {
      const err = new Error('Digest already called');
      err.code = 'ERR_CRYPTO_HASH_FINALIZED';
      throw err;
    }
    native.hashUpdate(this._id, toBytes(data, inputEncoding, 'data'));
    return this;
  }
  digest(outputEncoding) {
    if (this._done) {
      const err = new Error('Digest already called');
      err.code = 'ERR_CRYPTO_HASH_FINALIZED';
      throw err;
    }
    this._done = true;
    return encode(native.hashDigest(this._id), outputEncoding);
  }
}

function createHash(algorithm) {
  return new Hash(algorithmOf(algorithm));
}

function createHmac(algorithm, key) {
  if (key && typeof key === 'object' && key.type === 'secret' && typeof key.export === 'function') key = key.export();
  return new Hash(algorithmOf(algorithm), toBytes(key, 'utf8', 'key'));
}

function hash(algorithm, data, outputEncoding = 'hex') {
  return createHash(algorithm).update(data).digest(outputEncoding);
}

function randomFillSync(target, offset = 0, size) {
  const bytes = toBytes(target, undefined, 'buf');
  const end = size === undefined ? bytes.length : offset + size;
  if (!Number.isInteger(offset) || offset < 0 || end > bytes.length || end < offset) throw new RangeError('The value of "offset" or "size" is out of range');
  for (let at = offset; at < end; at += MAX_RANDOM) bytes.set(requireNative().random(Math.min(MAX_RANDOM, end - at)), at);
  return target;
}

function randomBytes(size, callback) {
  if (!Number.isInteger(size) || size < 0 || size > 2 ** 31 - 1) {
    const err = new RangeError(`The value of "size" is out of range. It must be >= 0 && <= 2147483647. Received ${size}`);
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  const buf = randomFillSync(Buffer.alloc(size));
  if (typeof callback === 'function') {
    globalThis.process.nextTick(() => callback(null, buf));
    return undefined;
  }
  return buf;
}

function randomFill(target, offset, size, callback) {
  if (typeof offset === 'function') [callback, offset, size] = [offset, 0, undefined];
  else if (typeof size === 'function') [callback, size] = [size, undefined];
  randomFillSync(target, offset, size);
  globalThis.process.nextTick(() => callback(null, target));
}

function randomInt(min, max, callback) {
  if (max === undefined || typeof max === 'function') [min, max, callback] = [0, min, max];
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min || max - min > 2 ** 48) {
    const err = new RangeError(`The value of "max" is out of range. It must be greater than the value of "min" (${min}) and at most 2**48 above it. Received ${max}`);
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  const range = max - min;
  // Rejection sampling over 48 random bits: no modulo bias.
  const limit = 2 ** 48 - (2 ** 48 % range);
  let n;
  do {
    const b = requireNative().random(6);
    n = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + b[3] * 2 ** 16 + b[4] * 2 ** 8 + b[5];
  } while (n >= limit);
  const result = min + (n % range);
  if (typeof callback === 'function') {
    globalThis.process.nextTick(() => callback(null, result));
    return undefined;
  }
  return result;
}

function timingSafeEqual(a, b) {
  const x = toBytes(a, undefined, 'buf1');
  const y = toBytes(b, undefined, 'buf2');
  if (x.length !== y.length) {
    const err = new RangeError('Input buffers must have the same byte length');
    err.code = 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH';
    throw err;
  }
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

const notYet = (what) => () => {
  throw unavailable(what);
};

/**
 * A key as Node has them: secret keys hold their bytes here; private and public keys are held by
 * the host, and this object knows only their id there and their facts.
 */
class KeyObject {
  constructor(type, handle) {
    if (type !== 'secret' && type !== 'private' && type !== 'public') throw new TypeError('Invalid key object type');
    Object.defineProperty(this, '_handle', { value: handle, enumerable: false });
    this.type = type;
  }
  get asymmetricKeyType() {
    return this.type === 'secret' ? undefined : this._handle.facts.asymmetricKeyType || undefined;
  }
  get asymmetricKeyDetails() {
    if (this.type === 'secret') return undefined;
    const f = this._handle.facts;
    const d = {};
    if (f.modulusLength !== null) d.modulusLength = f.modulusLength;
    if (f.publicExponent !== null) d.publicExponent = BigInt(f.publicExponent);
    if (f.namedCurve !== null) d.namedCurve = f.namedCurve;
    return d;
  }
  get symmetricKeySize() {
    return this.type === 'secret' ? this._handle.length : undefined;
  }
  export(options = {}) {
    if (this.type === 'secret') {
      if (options.format === 'jwk') return { kty: 'oct', k: encode(this._handle, 'base64url') };
      return Buffer.from(this._handle);
    }
    const out = requireNative().keyExport(this._handle.id, options.format, options.type);
    if (options.format === 'jwk') return JSON.parse(out);
    return typeof out === 'string' ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }
  equals(other) {
    if (!(other instanceof KeyObject) || other.type !== this.type) return false;
    if (this.type === 'secret') return this._handle.length === other._handle.length && timingSafeEqual(this._handle, other._handle);
    const format = this.type === 'public' ? { format: 'der', type: 'spki' } : { format: 'der', type: 'pkcs8' };
    return Buffer.from(this.export(format)).equals(Buffer.from(other.export(format)));
  }
}

function createSecretKey(key, encoding) {
  return new KeyObject('secret', Uint8Array.prototype.slice.call(toBytes(key, encoding, 'key')));
}

/** A key argument as Node takes it: a KeyObject, PEM text or bytes, a JWK, or { key, format, type, passphrase }. */
function importKey(kind, input) {
  if (input instanceof KeyObject) {
    if (input.type === 'secret') throw new TypeError(`Invalid key object type secret, expected ${kind}`);
    if (kind === 'public' && input.type === 'private') return derivePublic(input);
    return input;
  }
  let data = input;
  let format;
  let type;
  let passphrase;
  if (input !== null && typeof input === 'object' && !ArrayBuffer.isView(input) && !(input instanceof ArrayBuffer)) {
    if (input.key instanceof KeyObject) return importKey(kind, input.key);
    ({ key: data, format, type, passphrase } = input);
    if (format === 'jwk') data = JSON.stringify(data);
  }
  if (typeof data !== 'string') data = toBytes(data, undefined, 'key');
  if (format === undefined && typeof data !== 'string') format = 'der';
  if (passphrase !== undefined && typeof passphrase !== 'string') passphrase = Buffer.from(toBytes(passphrase, undefined, 'passphrase')).toString('latin1');
  const [id, facts] = requireNative().keyImport(kind, data, format, type, passphrase);
  return new KeyObject(facts.type, { id, facts });
}

function derivePublic(key) {
  const [id, facts] = requireNative().keyPublic(key._handle.id);
  return new KeyObject('public', { id, facts });
}

function createPrivateKey(key) {
  return importKey('private', key);
}

function createPublicKey(key) {
  return importKey('public', key);
}

/** The key of a sign/verify call, and the options that came with it ({ key, padding, saltLength, dsaEncoding }). */
function keyAndOptions(kind, key) {
  const options = key !== null && typeof key === 'object' && !ArrayBuffer.isView(key) && !(key instanceof KeyObject) ? key : {};
  const keyObject = importKey(kind, key);
  if (kind === 'public' && keyObject.type === 'private') return [derivePublic(keyObject), options];
  return [keyObject, options];
}

function signOneShot(algorithm, data, key, callback) {
  const [k, options] = keyAndOptions('private', key);
  const out = Buffer.from(requireNative().sign(algorithm === undefined ? null : algorithm, k._handle.id, toBytes(data, undefined, 'data'), options));
  if (typeof callback === 'function') {
    globalThis.process.nextTick(() => callback(null, out));
    return undefined;
  }
  return out;
}

function verifyOneShot(algorithm, data, key, signature, callback) {
  const [k, options] = keyAndOptions('public', key);
  const ok = requireNative().verify(
    algorithm === undefined ? null : algorithm,
    k._handle.id,
    toBytes(data, undefined, 'data'),
    toBytes(signature, undefined, 'signature'),
    options,
  );
  if (typeof callback === 'function') {
    globalThis.process.nextTick(() => callback(null, ok));
    return undefined;
  }
  return ok;
}

/** createSign / createVerify: the data is gathered here, then signed in one host call (at most 16 MiB). */
class Sign {
  constructor(algorithm) {
    this._algorithm = String(algorithm);
    this._chunks = [];
  }
  update(data, inputEncoding) {
    this._chunks.push(Uint8Array.prototype.slice.call(toBytes(data, inputEncoding, 'data')));
    return this;
  }
  write(data, encoding) {
    this.update(data, encoding);
    return true;
  }
  end(data, encoding) {
    if (data !== undefined && typeof data !== 'function') this.update(data, encoding);
    return this;
  }
  _data() {
    return Buffer.concat(this._chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  }
  sign(key, outputEncoding) {
    return encode(signOneShot(this._algorithm, this._data(), key), outputEncoding);
  }
}

class Verify extends Sign {
  verify(key, signature, signatureEncoding) {
    return verifyOneShot(this._algorithm, this._data(), key, typeof signature === 'string' ? Buffer.from(signature, signatureEncoding || 'utf8') : signature);
  }
}

module.exports = {
  createHash,
  createHmac,
  hash,
  Hash,
  Hmac: Hash,
  getHashes: () => HASHES.slice(),
  randomBytes,
  pseudoRandomBytes: randomBytes,
  randomFillSync,
  randomFill,
  randomInt,
  randomUUID: () => web.randomUUID(),
  getRandomValues: (view) => web.getRandomValues(view),
  timingSafeEqual,
  webcrypto: web,
  subtle: web ? web.subtle : undefined,
  KeyObject,
  createSecretKey,
  createPrivateKey,
  createPublicKey,
  createSign: (algorithm) => new Sign(algorithm),
  createVerify: (algorithm) => new Verify(algorithm),
  Sign,
  Verify,
  sign: signOneShot,
  verify: verifyOneShot,
  constants: {
    RSA_PKCS1_PADDING: 1,
    RSA_NO_PADDING: 3,
    RSA_PKCS1_OAEP_PADDING: 4,
    RSA_PKCS1_PSS_PADDING: 6,
    RSA_PSS_SALTLEN_DIGEST: -1,
    RSA_PSS_SALTLEN_MAX_SIGN: -2,
    RSA_PSS_SALTLEN_AUTO: -2,
  },
  createCipheriv: notYet('createCipheriv'),
  createDecipheriv: notYet('createDecipheriv'),
  pbkdf2: notYet('pbkdf2'),
  pbkdf2Sync: notYet('pbkdf2Sync'),
  scrypt: notYet('scrypt'),
  scryptSync: notYet('scryptSync'),
  hkdf: notYet('hkdf'),
  hkdfSync: notYet('hkdfSync'),
  generateKeyPair: notYet('generateKeyPair'),
  generateKeyPairSync: notYet('generateKeyPairSync'),
};
