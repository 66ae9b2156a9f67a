/** @module Guest runtime: util.format-like message formatting with a cycle-safe, getter-safe inspect (hand-written: Node's util is not available inside a bare V8 context). */

const $INSPECT_DEPTH = 2;
const $INSPECT_MAX_ITEMS = 100;
const $INSPECT_MAX_STRING = 10000;
const $IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** @param {string} s */
function $quote(s) {
  if (s.length > $INSPECT_MAX_STRING) s = s.slice(0, $INSPECT_MAX_STRING) + `... ${s.length - $INSPECT_MAX_STRING} more characters`;
  const q = s.indexOf("'") < 0 ? "'" : s.indexOf('"') < 0 ? '"' : '`';
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return q + out + q;
}

/** @param {Function} fn */
function $functionTag(fn) {
  let name = '';
  let source = '';
  try {
    name = typeof fn.name === 'string' ? fn.name : '';
    source = $apply(Function.prototype.toString, fn, []);
  } catch {
    // A revoked proxy or a hostile accessor: the tag falls back to the anonymous form.
  }
  if (source.slice(0, 6) === 'class ') return name ? `[class ${name}]` : '[class (anonymous)]';
  return name ? `[Function: ${name}]` : '[Function (anonymous)]';
}

/**
 * @param {object} obj
 * @returns {string | null} null for an object without a prototype
 */
function $constructorName(obj) {
  try {
    const proto = $getPrototypeOf(obj);
    if (proto === null) return null;
    const d = $getOwnPropertyDescriptor(proto, 'constructor');
    return d && typeof d.value === 'function' && typeof d.value.name === 'string' ? d.value.name : '';
  } catch {
    return '';
  }
}

/**
 * Own enumerable properties, read through descriptors so that a getter never runs.
 * @param {object} obj
 * @param {number} depth
 * @param {unknown[]} seen
 * @param {boolean} skipIndexes
 * @returns {string[]}
 */
function $inspectProperties(obj, depth, seen, skipIndexes) {
  /** @type {string[]} */
  const parts = [];
  const keys = $objectKeys(obj);
  let count = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (skipIndexes && $String($Number(key) >>> 0) === key) continue;
    if (count++ >= $INSPECT_MAX_ITEMS) {
      parts[parts.length] = `... ${keys.length - $INSPECT_MAX_ITEMS} more properties`;
      break;
    }
    parts[parts.length] = `${$IDENTIFIER.test(key) ? key : $quote(key)}: ${$inspectSlot(obj, key, depth, seen)}`;
  }
  const symbols = $getOwnPropertySymbols(obj);
  for (let i = 0; i < symbols.length && i < $INSPECT_MAX_ITEMS; i++) {
    const d = $getOwnPropertyDescriptor(obj, symbols[i]);
    if (d && d.enumerable) parts[parts.length] = `[${$String(symbols[i])}]: ${$inspectSlot(obj, symbols[i], depth, seen)}`;
  }
  return parts;
}

/**
 * @param {object} obj
 * @param {PropertyKey} key
 * @param {number} depth
 * @param {unknown[]} seen
 * @returns {string}
 */
function $inspectSlot(obj, key, depth, seen) {
  const d = $getOwnPropertyDescriptor(obj, key);
  if (!d) return 'undefined';
  if (d.get || d.set) return d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
  return $inspectValue(d.value, depth + 1, seen, false);
}

/**
 * @param {string} prefix
 * @param {string[]} parts
 * @param {string} open
 * @param {string} close
 */
function $wrap(prefix, parts, open, close) {
  if (parts.length === 0) return prefix + open + close;
  return `${prefix}${open} ${parts.join(', ')} ${close}`;
}

/**
 * @param {object} obj
 * @param {number} depth
 * @param {unknown[]} seen
 * @returns {string}
 */
function $inspectObject(obj, depth, seen) {
  const tag = $apply($objectToString, obj, []);
  if (tag === '[object Error]') {
    const d = $getOwnPropertyDescriptor(obj, 'stack');
    if (d && typeof d.value === 'string') return d.value;
    // From V8 12 (Node 22) on, `stack` is an accessor on the error itself.
    if (d && d.get) {
      let stack;
      try {
        stack = $apply(d.get, obj, []);
      } catch {
        stack = undefined;
      }
      if (typeof stack === 'string') return stack;
    }
    const err = /** @type {Error} */ (obj);
    return `${$String(err.name)}: ${$String(err.message)}`;
  }
  if (tag === '[object Date]') {
    const t = $apply(Date.prototype.getTime, obj, []);
    return t === t ? $isoDate(t) : 'Invalid Date';
  }
  if (tag === '[object RegExp]') return $apply(RegExp.prototype.toString, obj, []);
  if (tag === '[object Promise]') return 'Promise { <unknown> }';
  const name = $constructorName(obj);
  const shortName = name === null ? '[Object: null prototype]' : name || 'Object';
  if ($isArray(obj)) {
    if (depth > $INSPECT_DEPTH) return '[Array]';
    const parts = [];
    const n = obj.length;
    for (let i = 0; i < n && i < $INSPECT_MAX_ITEMS; i++) parts[parts.length] = $inspectSlot(obj, $String(i), depth, seen);
    if (n > $INSPECT_MAX_ITEMS) parts[parts.length] = `... ${n - $INSPECT_MAX_ITEMS} more items`;
    return $wrap('', parts, '[', ']');
  }
  if (depth > $INSPECT_DEPTH) return `[${shortName}]`;
  if (obj instanceof Map) {
    const parts = [];
    for (const [k, v] of obj) {
      if (parts.length >= $INSPECT_MAX_ITEMS) break;
      parts[parts.length] = `${$inspectValue(k, depth + 1, seen, false)} => ${$inspectValue(v, depth + 1, seen, false)}`;
    }
    return $wrap(`Map(${obj.size}) `, parts, '{', '}');
  }
  if (obj instanceof Set) {
    const parts = [];
    for (const v of obj) {
      if (parts.length >= $INSPECT_MAX_ITEMS) break;
      parts[parts.length] = $inspectValue(v, depth + 1, seen, false);
    }
    return $wrap(`Set(${obj.size}) `, parts, '{', '}');
  }
  if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
    const view = /** @type {Uint8Array} */ (obj); // or any other typed array: only length and elements are read
    const parts = [];
    for (let i = 0; i < view.length && i < $INSPECT_MAX_ITEMS; i++) parts[parts.length] = $String(view[i]);
    if (view.length > $INSPECT_MAX_ITEMS) parts[parts.length] = `... ${view.length - $INSPECT_MAX_ITEMS} more items`;
    return $wrap(`${name}(${view.length}) `, parts, '[', ']');
  }
  if (obj instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${obj.byteLength} }`;
  const prefix = shortName === 'Object' ? '' : `${shortName} `;
  return $wrap(prefix, $inspectProperties(obj, depth, seen, false), '{', '}');
}

/**
 * @param {unknown} value
 * @param {number} depth
 * @param {unknown[]} seen
 * @param {boolean} top a top-level string is written as is, not quoted
 * @returns {string}
 */
function $inspectValue(value, depth, seen, top) {
  switch (typeof value) {
    case 'string':
      return top ? value : $quote(value);
    case 'number':
      return value === 0 && 1 / value < 0 ? '-0' : $String(value);
    case 'bigint':
      return `${$String(value)}n`;
    case 'symbol':
      return $String(value);
    case 'function':
      return $functionTag(value);
    case 'object':
      break;
    default:
      return $String(value);
  }
  if (value === null) return 'null';
  if (seen.indexOf(value) >= 0) return '[Circular *1]';
  seen[seen.length] = value;
  try {
    return $inspectObject(value, depth, seen);
  } catch {
    // A proxy trap or exotic object that throws: logging must not fail the caller.
    return '[object (not inspectable)]';
  } finally {
    seen.length--;
  }
}

/**
 * Node's util.inspect, roughly: one line, depth 2, getters shown as [Getter], cycles as [Circular *1].
 * @param {unknown} value
 */
function $inspect(value) {
  return $inspectValue(value, 0, [], false);
}

/**
 * @param {string} spec the character after a %
 * @param {unknown} arg
 * @returns {string | null} null for a character that is not a specifier
 */
function $formatSpecifier(spec, arg) {
  switch (spec) {
    case 's':
      if (typeof arg === 'bigint') return `${$String(arg)}n`;
      if (typeof arg === 'symbol') return $String(arg);
      if (typeof arg === 'object' && arg !== null) return $inspect(arg);
      return $inspectValue(arg, 0, [], true);
    case 'd':
      if (typeof arg === 'bigint') return `${$String(arg)}n`;
      if (typeof arg === 'symbol' || (typeof arg === 'object' && arg !== null)) return 'NaN';
      return $inspectValue($Number(arg), 0, [], true);
    case 'i':
      if (typeof arg === 'bigint') return `${$String(arg)}n`;
      return typeof arg === 'symbol' ? 'NaN' : $String(parseInt(/** @type {string} */ (arg), 10));
    case 'f':
      return typeof arg === 'symbol' ? 'NaN' : $String(parseFloat(/** @type {string} */ (arg)));
    case 'j':
      try {
        return $String($stringify(arg));
      } catch {
        return '[Circular]';
      }
    case 'o':
    case 'O':
      return $inspect(arg);
    case 'c':
      return '';
    default:
      return null;
  }
}

/**
 * Formats console arguments the way Node's util.format does, for the common specifiers.
 * @param {unknown[]} args
 */
function $format(args) {
  if (args.length === 0) return '';
  const first = args[0];
  let next = 1;
  let out = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let last = 0;
    for (let p = 0; p < first.length - 1; p++) {
      if (first.charCodeAt(p) !== 37 /* % */) continue;
      const spec = first[p + 1];
      if (spec === '%') {
        out += first.slice(last, p) + '%';
        last = p + 2;
        p++;
        continue;
      }
      if (next >= args.length) continue;
      const rendered = $formatSpecifier(spec, args[next]);
      if (rendered === null) continue;
      out += first.slice(last, p) + rendered;
      last = p + 2;
      p++;
      next++;
    }
    out += first.slice(last);
  } else {
    out = $inspect(first);
  }
  for (; next < args.length; next++) {
    const arg = args[next];
    out += ' ' + (typeof arg === 'string' ? arg : $inspect(arg));
  }
  return out;
}
