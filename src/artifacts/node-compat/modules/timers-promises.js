/** @module node:timers/promises inside an isolate, over the runtime's timers; a given AbortSignal cancels as in Node. */
const g = globalThis;

function abortError(signal) {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  err.code = 'ABORT_ERR';
  if (signal && signal.reason !== undefined) err.cause = signal.reason;
  return err;
}

function later(schedule, clear, value, options) {
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clear(handle);
      reject(abortError(signal));
    };
    const handle = schedule(() => {
      if (signal && typeof signal.removeEventListener === 'function') signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
    if (options && options.ref === false && handle && typeof handle.unref === 'function') handle.unref();
    if (signal && typeof signal.addEventListener === 'function') signal.addEventListener('abort', onAbort, { once: true });
  });
}

function setTimeout(delay, value, options) {
  return later((fn) => g.setTimeout(fn, delay), g.clearTimeout, value, options);
}

function setImmediate(value, options) {
  return later((fn) => g.setImmediate(fn), g.clearImmediate, value, options);
}

async function* setInterval(delay, value, options) {
  for (;;) yield await setTimeout(delay, value, options);
}

module.exports = { setTimeout, setImmediate, setInterval, scheduler: { wait: (delay, options) => setTimeout(delay, undefined, options), yield: () => setImmediate() } };
