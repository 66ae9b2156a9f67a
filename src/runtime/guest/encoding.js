/** @module Guest runtime: UTF-8 TextEncoder/TextDecoder and atob/btoa, hand-written because a bare V8 context has none and they must run inside the sandbox. */

/**
 * UTF-8 byte length of a string; a lone surrogate counts as U+FFFD (3 bytes), as the encoder writes it.
 * @param {string} str
 */
function $utf8Length(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = $apply($charCodeAt, str, [i]);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = $apply($charCodeAt, str, [i + 1]);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** @param {string} str */
function $utf8Encode(str) {
  const out = new Uint8Array($utf8Length(str));
  $utf8Into(str, out, 0);
  return out;
}

/**
 * Writes `str` as UTF-8 into `out` from `p`, the caller having checked that it fits; returns the end.
 * @param {string} str
 * @param {Uint8Array} out
 * @param {number} p
 */
function $utf8Into(str, out, p) {
  for (let i = 0; i < str.length; i++) {
    let c = $apply($charCodeAt, str, [i]);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < str.length ? $apply($charCodeAt, str, [i + 1]) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x80) out[p++] = c;
    else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      out[p++] = 0xf0 | (c >> 18);
      out[p++] = 0x80 | ((c >> 12) & 0x3f);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * WHATWG UTF-8 decode: each maximal invalid subpart becomes one U+FFFD, or a TypeError when fatal.
 * @param {Uint8Array} bytes
 * @param {boolean} fatal
 */
function $utf8Decode(bytes, fatal) {
  let out = '';
  /** @type {number[]} */
  let units = [];
  let cp = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  const emit = (/** @type {number} */ code) => {
    if (code > 0xffff) {
      code -= 0x10000;
      units[units.length] = 0xd800 + (code >> 10);
      units[units.length] = 0xdc00 + (code & 0x3ff);
    } else units[units.length] = code;
    if (units.length >= 8192) {
      out += $apply($fromCharCode, null, units);
      units = [];
    }
  };
  const invalid = () => {
    if (fatal) throw new $TypeError('The encoded data was not valid utf-8');
    emit(0xfffd);
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (needed === 0) {
      if (b <= 0x7f) emit(b);
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x7;
      } else invalid();
      continue;
    }
    if (b < lower || b > upper) {
      cp = needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      invalid();
      i--; // the byte that broke the sequence starts the next one
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      emit(cp);
      cp = needed = seen = 0;
    }
  }
  if (needed !== 0) invalid();
  return out + $apply($fromCharCode, null, units);
}

/** @param {unknown} input */
function $toBytes(input) {
  if (input === undefined) return new Uint8Array(0);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new $TypeError('The "input" argument must be an ArrayBuffer or an ArrayBufferView');
}

class TextEncoder {
  get encoding() {
    return 'utf-8';
  }
  encode(input = '') {
    return $utf8Encode($String(input));
  }
  /**
   * @param {unknown} source
   * @param {Uint8Array} destination
   */
  encodeInto(source, destination) {
    const bytes = $utf8Encode($String(source));
    // Only whole characters are written: back off to the last UTF-8 lead byte that fits.
    let written = Math.min(bytes.length, destination.length);
    while (written < bytes.length && written > 0 && (bytes[written] & 0xc0) === 0x80) written--;
    destination.set(bytes.subarray(0, written));
    const read = $utf8Decode(bytes.subarray(0, written), false).length;
    return { read, written };
  }
}

const $UTF8_LABELS = ['utf-8', 'utf8', 'unicode-1-1-utf-8'];

class TextDecoder {
  #fatal;
  #ignoreBOM;
  /**
   * @param {string} [label]
   * @param {{ fatal?: boolean, ignoreBOM?: boolean } | null} [options]
   */
  constructor(label = 'utf-8', options = {}) {
    if ($UTF8_LABELS.indexOf($String(label).trim().toLowerCase()) < 0) {
      throw new $RangeError(`The "${label}" encoding is not supported: stratus-isolate decodes UTF-8 only`);
    }
    this.#fatal = Boolean(options && options.fatal);
    this.#ignoreBOM = Boolean(options && options.ignoreBOM);
  }
  get encoding() {
    return 'utf-8';
  }
  get fatal() {
    return this.#fatal;
  }
  get ignoreBOM() {
    return this.#ignoreBOM;
  }
  /** @param {ArrayBuffer | ArrayBufferView} [input] */
  decode(input) {
    let bytes = $toBytes(input);
    if (!this.#ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
    }
    return $utf8Decode(bytes, this.#fatal);
  }
}

const $B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** @param {string} message */
function $invalidCharacter(message) {
  const err = new $Error(message);
  err.name = 'InvalidCharacterError';
  return err;
}

/** @param {unknown} data */
function btoa(data) {
  const s = $String(data);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0;
    if (a > 0xff || b > 0xff || c > 0xff) throw $invalidCharacter('Invalid character: btoa accepts Latin-1 characters only');
    const n = (a << 16) | (b << 8) | c;
    out += $B64[n >> 18] + $B64[(n >> 12) & 63];
    out += i + 1 < s.length ? $B64[(n >> 6) & 63] : '=';
    out += i + 2 < s.length ? $B64[n & 63] : '=';
  }
  return out;
}

/** @param {unknown} data */
function atob(data) {
  let s = $String(data).replace(/[\t\n\f\r ]/g, '');
  if (s.length % 4 === 0) s = s.replace(/==?$/, '');
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw $invalidCharacter('The string to be decoded is not correctly encoded.');
  let out = '';
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < s.length; i++) {
    acc = (acc << 6) | $B64.indexOf(s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += $fromCharCode((acc >> bits) & 0xff);
    }
  }
  return out;
}
