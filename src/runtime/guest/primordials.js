/** @module Guest runtime: built-ins captured before user code runs, so a user polyfill or a hostile handler cannot bend the runtime's own plumbing. */
// This file and its siblings are plain scripts, concatenated by guest-source.ts into one function
// scope that runs inside the sandbox. They share top-level names, so every name is prefixed or unique.

const $apply = Reflect.apply;
const $stringify = JSON.stringify;
const $parse = JSON.parse;
const $Date = Date;
const $dateNow = Date.now;
const $dateToISOString = Date.prototype.toISOString;
const $Promise = Promise;
const $promiseResolve = Promise.resolve;
const $promiseThen = Promise.prototype.then;
const $String = String;
const $Number = Number;
const $Error = Error;
const $TypeError = TypeError;
const $RangeError = RangeError;
const $objectKeys = Object.keys;
const $objectToString = Object.prototype.toString;
const $getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const $getOwnPropertySymbols = Object.getOwnPropertySymbols;
const $getPrototypeOf = Object.getPrototypeOf;
const $defineProperty = Object.defineProperty;
const $isArray = Array.isArray;
const $fromCharCode = String.fromCharCode;
const $stringSplit = String.prototype.split;
const $stringSlice = String.prototype.slice;
const $stringIndexOf = String.prototype.indexOf;
const $charCodeAt = String.prototype.charCodeAt;
const $weakSetAdd = WeakSet.prototype.add;
const $weakSetHas = WeakSet.prototype.has;
const $WeakSet = WeakSet;
const $Map = Map;
const $mapGet = Map.prototype.get;
const $mapSet = Map.prototype.set;
const $mapDelete = Map.prototype.delete;
const $mapHas = Map.prototype.has;

function $now() {
  return $apply($dateNow, $Date, []);
}

function $isoNow() {
  return $apply($dateToISOString, new $Date(), []);
}

/** @param {number} ms */
function $isoDate(ms) {
  return $apply($dateToISOString, new $Date(ms), []);
}

/**
 * Defines a global the way the platform defines its own: writable, configurable, not enumerable.
 * @param {string} name
 * @param {unknown} value
 */
function $defineGlobal(name, value) {
  $defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Runs fn as a microtask on the original Promise machinery (queueMicrotask and process.nextTick).
 * @param {() => void} fn
 */
function $queueMicrotask(fn) {
  $apply($promiseThen, $apply($promiseResolve, $Promise, []), [fn]);
}
