/** @module Assembles the guest runtime (the plain-JS files beside this one) into the one script an engine evaluates inside a fresh sandbox. */
import { readFileSync } from 'node:fs';

/** Order matters: later files use names the earlier ones define. */
const GUEST_FILES = [
  'primordials.js',
  'encoding.js',
  'format.js',
  'console.js',
  'timers.js',
  'clone.js',
  'memory.js',
  'lambda.js',
  'process.js',
  'native.js',
  'subtle.js',
  'web-events.js',
  'runtime.js',
];

/** The functions the guest runtime exposes to its host, in protocol order. */
export const GUEST_API = ['init', 'run', 'pump', 'drainLogs'] as const;
export type GuestApiName = (typeof GUEST_API)[number];

/**
 * The guest runtime as one script. Its completion value is an object holding the GUEST_API
 * functions; nothing is put on the sandbox's global object except the Node/Web globals the runtime
 * installs during `init`, so the protocol functions stay out of reach of user code.
 */
export function loadGuestRuntimeSource(): string {
  const parts = GUEST_FILES.map((name) => `// ---- ${name}\n${readFileSync(new URL(name, import.meta.url), 'utf8')}`);
  return `(function () {\n'use strict';\n${parts.join('\n')}\nreturn { ${GUEST_API.join(', ')} };\n})()`;
}
