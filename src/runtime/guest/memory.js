/** @module Guest runtime: closes the ways to grow memory that the isolate's limit does not count. */
// isolated-vm counts the heap and ArrayBuffer allocations against MemorySize, but not WebAssembly
// memories nor resizable or growable buffers (V8 reserves and commits those itself): measured, a
// 128 MB function grew a 2 GB WebAssembly.Memory. So WebAssembly is not offered, and buffers cannot
// be made resizable. Everything else a guest allocates is counted and bounded.

const $reflectConstruct = Reflect.construct;
const $reflectOwnKeys = Reflect.ownKeys;

function $hardenMemory() {
  delete globalThis.WebAssembly;
  $fixedSizeBuffers('ArrayBuffer');
  $fixedSizeBuffers('SharedArrayBuffer');
}

/** Replaces a buffer constructor with one that refuses `maxByteLength`; instances, prototype and statics stay the built-in ones. */
function $fixedSizeBuffers(name) {
  const Original = globalThis[name];
  if (typeof Original !== 'function') return;
  const proto = Original.prototype;
  const Fixed = {
    [name]: function (length, options) {
      if (new.target === undefined) throw new $TypeError(`Constructor ${name} requires 'new'`);
      if (options !== undefined && options !== null && (typeof options === 'object' || typeof options === 'function') && options.maxByteLength !== undefined) {
        throw new $RangeError(`${name}: resizable buffers (maxByteLength) are not available in stratus-isolate, because their memory would not count against MemorySize; allocate a buffer of the size you need`);
      }
      return $reflectConstruct(Original, [length], new.target);
    },
  }[name];
  const keys = $reflectOwnKeys(Original);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === 'prototype' || key === 'length' || key === 'name') continue;
    $defineProperty(Fixed, key, $getOwnPropertyDescriptor(Original, key));
  }
  $defineProperty(Fixed, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  $defineProperty(proto, 'constructor', { value: Fixed, writable: true, enumerable: false, configurable: true });
  $defineGlobal(name, Fixed);
}
