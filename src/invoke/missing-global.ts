/**
 * @module Errors a person can act on: a ReferenceError for a global that stratus-isolate does not
 * provide (or that no Node.js has) says so, and what to do, instead of only "X is not defined".
 */
import type { GuestError } from '../pool/index.ts';

const WITH_NETWORK = ['fetch', 'Headers', 'Request', 'Response', 'FormData', 'WebSocket', 'XMLHttpRequest', 'EventSource'];
const NOT_YET = [
  'URL',
  'URLSearchParams',
  'Blob',
  'File',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'TextDecoderStream',
  'TextEncoderStream',
  'CompressionStream',
  'DecompressionStream',
  'MessageChannel',
  'MessagePort',
  'BroadcastChannel',
  'DOMException',
];
const BROWSER_ONLY = ['window', 'document', 'self', 'location', 'localStorage', 'sessionStorage', 'alert'];

/** Why the global is missing and what to do, or undefined for a name Stratus knows nothing special about. */
function explanation(name: string): string | undefined {
  if (WITH_NETWORK.includes(name)) {
    return `stratus-isolate does not provide ${name} yet: outbound network access from isolates is not available. Use the nodejs*.x runtime for code that calls out`;
  }
  if (NOT_YET.includes(name)) return `stratus-isolate does not provide ${name} yet. Use a package that provides it (bundled into the zip), or the nodejs*.x runtime`;
  if (name === 'WebAssembly') return "WebAssembly is not available in stratus-isolate: its memory would be outside the function's memory limit";
  if (BROWSER_ONLY.includes(name)) return `${name} is a browser global: Node.js, and Lambda, have none`;
  return undefined;
}

export function explainMissingGlobal(error: GuestError): GuestError {
  if (error.errorType !== 'ReferenceError') return error;
  const name = /^([A-Za-z_$][\w$]*) is not defined$/.exec(error.errorMessage)?.[1];
  const why = name === undefined ? undefined : explanation(name);
  if (why === undefined) return error;
  const errorMessage = `${error.errorMessage} (${why})`;
  return {
    ...error,
    errorMessage,
    trace: error.trace.length > 0 && error.trace[0]?.startsWith('ReferenceError: ') ? [`ReferenceError: ${errorMessage}`, ...error.trace.slice(1)] : error.trace,
  };
}
