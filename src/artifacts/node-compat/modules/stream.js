/**
 * @module node:stream inside an isolate: readable-stream (through @jspm/core), shaped as Node's
 * module is: `require('stream')` is the legacy Stream constructor, with Readable, Writable and the
 * rest as its properties (util.inherits(X, require('stream')) is common in older packages).
 */
const ns = require('stratus-jspm:stream');

const Stream = ns.Stream;
for (const name of [
  'Readable',
  'Writable',
  'Duplex',
  'Transform',
  'PassThrough',
  'finished',
  'pipeline',
  'promises',
  'addAbortSignal',
  'compose',
  'isReadable',
  'isErrored',
  'isDisturbed',
]) {
  if (ns[name] !== undefined && Stream[name] === undefined) Stream[name] = ns[name];
}
Stream.Stream = Stream;
module.exports = Stream;
