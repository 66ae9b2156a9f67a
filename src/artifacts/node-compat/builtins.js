/**
 * @module Which Node.js built-in modules a stratus-isolate bundle can import, and from where: most
 * from @jspm/core's browser builds of the Node libraries (real implementations: buffer, events,
 * stream, util, zlib, url, ...), the ones that need the runtime or the host from modules/ here.
 * Plain JavaScript: the bundling process imports it without a TypeScript loader.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The package exports no package.json; its entry for @empty sits beside the browser builds' folder.
const jspm = join(dirname(createRequire(import.meta.url).resolve('@jspm/core/nodelibs/@empty')), 'browser');

/** Folders the bundler may read besides the package: the polyfills. */
export const COMPAT_ROOTS = [jspm, join(here, 'modules')];

const fromJspm = (file) => join(jspm, file);
const own = (file) => join(here, 'modules', file);

/** Built-in module (without `node:`) → the file that provides it inside an isolate. */
export const PROVIDED = new Map([
  ['assert', fromJspm('assert.js')],
  ['assert/strict', fromJspm('assert/strict.js')],
  ['buffer', fromJspm('buffer.js')],
  ['constants', fromJspm('constants.js')],
  ['diagnostics_channel', fromJspm('diagnostics_channel.js')],
  ['events', fromJspm('events.js')],
  ['fs', fromJspm('fs.js')],
  ['fs/promises', fromJspm('fs/promises.js')],
  ['path', fromJspm('path.js')],
  ['path/posix', fromJspm('path/posix.js')],
  ['path/win32', fromJspm('path/win32.js')],
  ['punycode', fromJspm('punycode.js')],
  ['querystring', fromJspm('querystring.js')],
  ['stream', own('stream.js')],
  ['stream/promises', fromJspm('stream/promises.js')],
  ['stream/consumers', fromJspm('stream/consumers.js')],
  ['_stream_duplex', fromJspm('_stream_duplex.js')],
  ['_stream_passthrough', fromJspm('_stream_passthrough.js')],
  ['_stream_readable', fromJspm('_stream_readable.js')],
  ['_stream_transform', fromJspm('_stream_transform.js')],
  ['_stream_writable', fromJspm('_stream_writable.js')],
  ['string_decoder', fromJspm('string_decoder.js')],
  ['sys', fromJspm('util.js')],
  ['url', fromJspm('url.js')],
  ['util', fromJspm('util.js')],
  ['util/types', fromJspm('util/types.js')],
  ['zlib', fromJspm('zlib.js')],
  ['async_hooks', own('async_hooks.js')],
  ['console', own('console.js')],
  ['crypto', own('crypto.js')],
  ['os', own('os.js')],
  ['perf_hooks', own('perf_hooks.js')],
  ['process', own('process.js')],
  ['timers', own('timers.js')],
  ['timers/promises', own('timers-promises.js')],
  ['worker_threads', own('worker_threads.js')],
]);

/**
 * Built-ins an isolate cannot have (processes, sockets, threads, the inspector, native code). Code
 * of the package's own that imports one is refused at deploy; a dependency that does gets a module
 * whose every member throws, naming the module, when it is used (many import them on paths a
 * function never takes).
 */
export const UNAVAILABLE = new Set([
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'dns/promises',
  'domain',
  'http',
  'http2',
  'https',
  'inspector',
  'module',
  'net',
  'readline',
  'repl',
  'stream/web',
  'tls',
  'trace_events',
  'tty',
  'v8',
  'vm',
  'wasi',
]);

/** `stratus-jspm:<name>`: one of @jspm/core's modules by name, for our own modules that reshape it. */
export const JSPM_PREFIX = 'stratus-jspm:';
export function jspmFile(name) {
  return /^[a-z_]+(\/[a-z_]+)?$/.test(name) ? fromJspm(`${name}.js`) : undefined;
}

/** `node:x` or `x` (with a subpath) → the built-in's name, or undefined for anything else. */
export function builtinName(specifier) {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return PROVIDED.has(name) || UNAVAILABLE.has(name) ? name : undefined;
}

/** A filter esbuild can run itself (Go regexp): every name above, with or without `node:`. */
export const BUILTIN_FILTER = new RegExp(`^(node:)?(${[...PROVIDED.keys(), ...UNAVAILABLE].map((n) => n.replace(/[/]/g, '\\/')).join('|')})$`);

/** Why a built-in is missing, and what to do: the deploy error and the message of the stand-in module. */
export function unavailableMessage(name) {
  return `Node.js module '${name}' is not available on stratus-isolate (an isolate has no processes, sockets, threads or native code); use a pure-JavaScript package, or the nodejs*.x runtime`;
}
