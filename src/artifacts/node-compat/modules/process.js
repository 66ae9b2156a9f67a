/** @module node:process inside an isolate: the runtime's own `process` global. */
module.exports = globalThis.process;
