/** @module Guest runtime: `structuredClone` for the value kinds handlers exchange (hand-written: a bare V8 context has none). */

/** @param {string} what */
function $dataCloneError(what) {
  const err = new $Error(`${what} could not be cloned.`);
  err.name = 'DataCloneError';
  return err;
}

// Typed array constructors by kind, taken before user code runs. A copy is of the original's kind,
// read with the built-in tag getter: as in Node, neither a subclass nor a `constructor` property
// on the value decides what is constructed.
const $typedArrayKind = /** @type {{ get: () => string | undefined }} */ ($getOwnPropertyDescriptor($getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)).get;
const $TYPED_ARRAYS = new $Map();
for (const $name of [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]) {
  const $global = /** @type {Record<string, unknown>} */ (globalThis);
  if (typeof $global[$name] === 'function') $apply($mapSet, $TYPED_ARRAYS, [$name, $global[$name]]);
}

/**
 * @param {ArrayBufferView} view
 * @param {string} tag
 * @returns {new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView}
 */
function $typedArrayConstructor(view, tag) {
  const Kind = $apply($mapGet, $TYPED_ARRAYS, [$apply($typedArrayKind, view, [])]);
  if (Kind === undefined) throw $dataCloneError(tag);
  return Kind;
}

/**
 * @param {any} value its kind is found from its tag, which the checker cannot follow
 * @param {Map<object, any>} memo each object already met, with its copy
 * @returns {any}
 */
function $cloneValue(value, memo) {
  if (typeof value === 'function') throw $dataCloneError($functionTag(value));
  if (typeof value === 'symbol') throw $dataCloneError($String(value));
  if (typeof value !== 'object' || value === null) return value;
  if ($apply($mapHas, memo, [value])) return $apply($mapGet, memo, [value]);
  const tag = $apply($objectToString, value, []);
  let copy;
  switch (tag) {
    case '[object Date]':
      copy = new $Date($apply(Date.prototype.getTime, value, []));
      break;
    case '[object RegExp]':
      copy = new RegExp(value.source, value.flags);
      break;
    case '[object Boolean]':
    case '[object Number]':
    case '[object String]':
      copy = Object(value.valueOf());
      break;
    case '[object ArrayBuffer]':
      copy = value.slice(0);
      break;
    case '[object Error]':
      copy = new $Error($String(value.message));
      copy.name = $String(value.name);
      if (typeof value.stack === 'string') copy.stack = value.stack;
      break;
    case '[object Map]':
      copy = new $Map();
      $apply($mapSet, memo, [value, copy]);
      for (const [k, v] of value) $apply($mapSet, copy, [$cloneValue(k, memo), $cloneValue(v, memo)]);
      return copy;
    case '[object Set]':
      copy = new Set();
      $apply($mapSet, memo, [value, copy]);
      for (const v of value) copy.add($cloneValue(v, memo));
      return copy;
    default:
      if (ArrayBuffer.isView(value)) {
        const buffer = $cloneValue(value.buffer, memo);
        copy =
          value instanceof DataView
            ? new DataView(buffer, value.byteOffset, value.byteLength)
            : new ($typedArrayConstructor(value, tag))(buffer, value.byteOffset, /** @type {Uint8Array} */ (value).length);
        break;
      }
      if (tag !== '[object Object]' && tag !== '[object Array]') throw $dataCloneError(tag);
      copy = $isArray(value) ? new Array(value.length) : {};
      $apply($mapSet, memo, [value, copy]);
      // Own enumerable string keys only, read as values (getters run), as the HTML algorithm does.
      const keys = $objectKeys(value);
      for (let i = 0; i < keys.length; i++) {
        // defineProperty, not assignment: a "__proto__" key must stay a key, never become the prototype.
        $defineProperty(copy, keys[i], { value: $cloneValue(value[keys[i]], memo), writable: true, enumerable: true, configurable: true });
      }
      return copy;
  }
  $apply($mapSet, memo, [value, copy]);
  return copy;
}

/** @param {unknown} value */
function structuredClone(value) {
  return $cloneValue(value, new $Map());
}
