/** @module node:console inside an isolate: the runtime's `console`, which writes the invocation's log. */
module.exports = globalThis.console;
