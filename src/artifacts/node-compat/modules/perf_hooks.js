/** @module node:perf_hooks inside an isolate: the runtime's millisecond `performance` clock. */
module.exports = { performance: globalThis.performance, constants: {} };
