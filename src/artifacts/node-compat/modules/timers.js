/** @module node:timers inside an isolate: the runtime's timers (the same functions as the globals). */
const g = globalThis;
module.exports = {
  setTimeout: g.setTimeout,
  clearTimeout: g.clearTimeout,
  setInterval: g.setInterval,
  clearInterval: g.clearInterval,
  setImmediate: g.setImmediate,
  clearImmediate: g.clearImmediate,
};
