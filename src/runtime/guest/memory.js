/** @module Guest runtime: closes the ways to grow memory that the isolate's limit does not count, and the one API that crashes isolated-vm. */
// isolated-vm counts the heap and ArrayBuffer allocations against MemorySize, but not WebAssembly
// memories, resizable or growable buffers (V8 reserves and commits those itself), nor the ICU
// objects behind Intl (measured: 29 KB outside the heap per DateTimeFormat, two bytes per character
// of a string given to Segmenter.segment). So WebAssembly is not offered, buffers cannot be made
// resizable, and every Intl object carries an ArrayBuffer of about the size it holds outside the
// heap (its "ballast"): that memory is counted, and freed with the object. Atomics.waitAsync with
// a timeout aborts the whole process under isolated-vm (a delayed task on its platform), so it
// is not offered either.

const $reflectConstruct = Reflect.construct;
const $reflectOwnKeys = Reflect.ownKeys;
const $WeakMap = WeakMap;
const $weakMapSet = WeakMap.prototype.set;
const $ArrayBuffer = ArrayBuffer;

function $hardenMemory() {
  delete (/** @type {{ WebAssembly?: unknown }} */ (globalThis).WebAssembly);
  if (typeof Atomics === 'object') delete (/** @type {{ waitAsync?: unknown }} */ (Atomics).waitAsync);
  $fixedSizeBuffers('ArrayBuffer');
  $fixedSizeBuffers('SharedArrayBuffer');
  $weighIntl();
}

/**
 * Makes `Fixed` stand in for `Original`: same prototype and statics, so instances, instanceof and subclasses are unchanged.
 * @param {Function} Original
 * @param {Function} Fixed
 * @param {string} name
 */
function $standIn(Original, Fixed, name) {
  const keys = $reflectOwnKeys(Original);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === 'prototype' || key === 'length' || key === 'name') continue;
    $defineProperty(Fixed, key, /** @type {PropertyDescriptor} */ ($getOwnPropertyDescriptor(Original, key)));
  }
  $defineProperty(Fixed, 'length', { value: Original.length, configurable: true });
  $defineProperty(Fixed, 'prototype', { value: Original.prototype, writable: false, enumerable: false, configurable: false });
  $defineProperty(Original.prototype, 'constructor', { value: Fixed, writable: true, enumerable: false, configurable: true });
  return Fixed;
}

/**
 * Replaces a buffer constructor with one that refuses `maxByteLength`.
 * @param {'ArrayBuffer' | 'SharedArrayBuffer'} name
 */
function $fixedSizeBuffers(name) {
  const Original = globalThis[name];
  if (typeof Original !== 'function') return;
  const Fixed = {
    /** @param {unknown} length @param {any} options */
    [name]: function (length, options) {
      if (new.target === undefined) throw new $TypeError(`Constructor ${name} requires 'new'`);
      if (options !== undefined && options !== null && (typeof options === 'object' || typeof options === 'function') && options.maxByteLength !== undefined) {
        throw new $RangeError(
          `${name}: resizable buffers (maxByteLength) are not available in stratus-isolate, because their memory would not count against MemorySize; allocate a buffer of the size you need`,
        );
      }
      return $reflectConstruct(Original, [length], new.target);
    },
  }[name];
  $defineGlobal(name, $standIn(Original, Fixed, name));
}

// Bytes each Intl object holds outside the heap, measured on this V8 with room to spare.
/** @type {Record<string, number | null>} (null: the checker reads `__proto__: null` as one more entry) */
const $INTL_BALLAST = { __proto__: null, DateTimeFormat: 32768, Segmenter: 8192, Collator: 4096 };
const $INTL_DEFAULT_BALLAST = 2048;
const $ballast = new $WeakMap();

/**
 * Ties `bytes` of counted memory to `object` for as long as it lives.
 * @template T
 * @param {T} object
 * @param {number} bytes
 * @returns {T}
 */
function $carry(object, bytes) {
  if ((typeof object === 'object' && object !== null) || typeof object === 'function') $apply($weakMapSet, $ballast, [object, new $ArrayBuffer(bytes)]);
  return object;
}

function $weighIntl() {
  if (typeof Intl !== 'object') return;
  // V8's own break iterator: like Segmenter, but its adoptText copies strings no wrapper sees.
  delete (/** @type {{ v8BreakIterator?: unknown }} */ (Intl).v8BreakIterator);
  const names = $reflectOwnKeys(Intl);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const Original = /** @type {Record<PropertyKey, any>} */ (Intl)[name];
    if (typeof name !== 'string' || typeof Original !== 'function' || typeof Original.prototype !== 'object') continue;
    const bytes = $INTL_BALLAST[name] ?? $INTL_DEFAULT_BALLAST;
    const Weighed = {
      /** @this {unknown} @param {unknown[]} args */
      [name]: function (...args) {
        // Some Intl constructors may be called without new; each answers as the original would.
        const made = new.target === undefined ? $apply(Original, this, args) : $reflectConstruct(Original, args, new.target);
        return $carry(made, bytes);
      },
    }[name];
    $defineProperty(Intl, name, { value: $standIn(Original, Weighed, name), writable: true, enumerable: false, configurable: true });
  }
  // A Segments object (and each iterator over it) keeps its own copy of the string: two bytes a character.
  if (typeof Intl.Segmenter === 'function') $weighSegments(Intl.Segmenter);
}

const $weakMapGet = WeakMap.prototype.get;

/** @param {typeof Intl.Segmenter} Segmenter */
function $weighSegments(Segmenter) {
  const segment = Segmenter.prototype.segment;
  const segmentsProto = $getPrototypeOf($apply(segment, new Segmenter(), ['']));
  const iterate = segmentsProto[Symbol.iterator];
  const lengths = new $WeakMap();
  const method = (/** @type {Function} */ value) => ({ value, writable: true, enumerable: false, configurable: true });
  $defineProperty(
    Segmenter.prototype,
    'segment',
    method(
      {
        /** @this {Intl.Segmenter} @param {unknown} text */
        segment(text) {
          const segments = $apply(segment, this, [text]);
          const bytes = 1024 + 2 * $String(text).length;
          $apply($weakMapSet, lengths, [segments, bytes]);
          return $carry(segments, bytes);
        },
      }.segment,
    ),
  );
  $defineProperty(
    segmentsProto,
    Symbol.iterator,
    method(
      {
        [Symbol.iterator]() {
          return $carry($apply(iterate, this, []), $apply($weakMapGet, lengths, [this]) ?? 1024);
        },
      }[Symbol.iterator],
    ),
  );
}
