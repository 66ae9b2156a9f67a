/** @module Guest runtime: the init / start / pump protocol the host drives; every answer is a report of strings and numbers, so nothing but copies of text crosses the boundary. */

// Reports, objects of strings and numbers that the host receives as a copy:
//   { state: 'done', outcome: 'ok' | 'error', payload: '<JSON text>', logs: '<lines>' }
//   { state: 'pending', nextTimerAt: <epoch ms; 0 = pump again at once>, logs: '<lines>' }
// The host pumps after each pending report. Microtasks drain when each host call returns, so the
// state a pump sees already includes every promise reaction the previous call set off.
// Reports have no prototype and only data properties, so nothing a guest puts on Object.prototype
// (getters, toJSON) takes part in copying them; the payload is not escaped a second time.

/**
 * @typedef {object} GuestInitSpec init facts, as protocol.ts sends them
 * @property {string} handlerExport
 * @property {Record<string, string>} env
 * @property {string} functionName
 * @property {string} functionVersion
 * @property {number} memoryMb
 * @property {string} logGroupName
 * @property {string} logStreamName
 * @property {number} maxLogBytes
 * @property {number} maxResultBytes
 * @property {string} nodeVersion
 * @property {string} v8Version
 *
 * @typedef {object} GuestInvocation
 * @property {boolean} settled
 * @property {boolean} viaCallback
 * @property {boolean} awaitsCallback
 * @property {boolean} returnedPromise
 * @property {'ok' | 'error'} outcome
 * @property {string} payload
 * @property {GuestContext | null} context
 * @property {GuestSettle} settle
 * @property {number} deadline
 */

// Set by init, which the host calls first: typed without null (only drainLogs may run before, and it checks).
/** @type {Function} */
let $handler = /** @type {any} */ (null);
/** @type {GuestFunctionFacts} */
let $facts = /** @type {any} */ (null); // per-environment facts copied into every context
/** @type {GuestLogBuffer} */
let $logs = /** @type {any} */ (null);
/** @type {ReturnType<typeof $createTimers>} */
let $timers = /** @type {any} */ (null);
/** @type {GuestInvocation | null} */
let $current = null; // the invocation in flight
let $maxResultBytes = 6291456; // Lambda's bound on a synchronous response; init sets the host's
/** @type {ReturnType<typeof $createProcess>} */
let $process = /** @type {any} */ (null);
let $memoryUsed = 0; // heap bytes the host measured after the last invocation, for process.memoryUsage()

/** @param {unknown} err */
function $onUncaught(err) {
  const e = $toGuestError(err);
  $logs.write('ERROR', `Uncaught Exception \t${$stringify({ errorType: e.errorType, errorMessage: e.errorMessage, stack: e.trace })}`);
  // Listeners the code added run too, as in Node; as in Lambda, the invocation fails all the same.
  try {
    $process?.emit('uncaughtException', err, 'uncaughtException');
  } catch (listenerErr) {
    const l = $toGuestError(listenerErr);
    $logs.write('ERROR', `Uncaught Exception \t${$stringify({ errorType: l.errorType, errorMessage: l.errorMessage, stack: l.trace })}`);
  }
  // As in Lambda, an exception nobody caught fails the invocation it happened in.
  if ($current !== null) $current.settle(true, err, false);
}

/** @param {Function} fn */
function $queueGuarded(fn) {
  $queueMicrotask(() => {
    try {
      fn();
    } catch (err) {
      $onUncaught(err);
    }
  });
}

/** @param {unknown} fn */
function queueMicrotask(fn) {
  if (typeof fn !== 'function') throw new $TypeError('The "callback" argument must be of type function');
  $queueGuarded(fn);
}

/**
 * @param {GuestInitSpec} spec
 * @param {GuestNative | null} native
 */
function $installGlobals(spec, native) {
  $hardenMemory();
  const timers = $timers.globals;
  const origin = $now();
  $defineGlobal('global', globalThis);
  $defineGlobal('console', $createConsole($logs));
  $process = $createProcess(
    {
      env: spec.env,
      nodeVersion: spec.nodeVersion,
      v8Version: spec.v8Version,
      memoryUsed: () => $memoryUsed,
      memoryLimit: spec.memoryMb * 1048576,
      log: (level, message) => $logs.write(level, message),
    },
    $queueGuarded,
  );
  $defineGlobal('process', $process);
  $defineGlobal('setTimeout', timers.setTimeout);
  $defineGlobal('clearTimeout', timers.clearTimeout);
  $defineGlobal('setInterval', timers.setInterval);
  $defineGlobal('clearInterval', timers.clearInterval);
  $defineGlobal('setImmediate', timers.setImmediate);
  $defineGlobal('clearImmediate', timers.clearImmediate);
  $defineGlobal('queueMicrotask', queueMicrotask);
  $defineGlobal('structuredClone', structuredClone);
  $defineGlobal('TextEncoder', TextEncoder);
  $defineGlobal('TextDecoder', TextDecoder);
  $defineGlobal('atob', atob);
  $defineGlobal('btoa', btoa);
  $defineGlobal('performance', { timeOrigin: origin, now: () => $now() - origin });
  $defineGlobal('Event', Event);
  $defineGlobal('EventTarget', EventTarget);
  $defineGlobal('AbortController', AbortController);
  $defineGlobal('AbortSignal', AbortSignal);
  // As Node.js 21 and later define it.
  $defineGlobal('navigator', {
    userAgent: `Node.js/${$apply($stringSplit, $apply($stringSlice, spec.nodeVersion, [1]), ['.'])[0]}`,
    language: 'en-US',
    languages: ['en-US'],
    platform: 'linux',
    hardwareConcurrency: 1,
  });
  if (native !== null) {
    $defineGlobal('crypto', $createWebCrypto(native));
    $defineGlobal('CryptoKey', CryptoKey);
    // What the bundled node:crypto builds on; reachable by user code too, which gains nothing by it
    // that crypto does not give (the host checks every call).
    $defineProperty(globalThis, Symbol.for('stratus.native'), { value: Object.freeze({ ...native }), writable: false, configurable: false, enumerable: false });
  }
}

/**
 * @param {'ok' | 'error'} outcome
 * @param {string} payload
 */
function $done(outcome, payload) {
  const bounded = $withinResultBound(payload)
    ? payload
    : $errorPayload('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${$maxResultBytes} bytes).`);
  const out = bounded === payload ? outcome : 'error';
  return { __proto__: null, state: 'done', outcome: out, payload: bounded, logs: $logs.drain() };
}

/** @param {number} nextTimerAt */
function $pending(nextTimerAt) {
  return { __proto__: null, state: 'pending', nextTimerAt, logs: $logs.drain() };
}

/**
 * Checked here, so an oversized result is refused before it is copied out of the sandbox.
 * @param {string} payload
 */
function $withinResultBound(payload) {
  // UTF-8 takes at least one byte per UTF-16 unit and at most three.
  if (payload.length > $maxResultBytes) return false;
  return payload.length * 3 <= $maxResultBytes || $utf8Length(payload) <= $maxResultBytes;
}

/** @param {unknown} err */
function $initFailure(err) {
  if ($isImportError(err)) {
    const message = `Error: ${$String(err.message)}`;
    const trace = $toGuestError(err).trace;
    trace[0] = `Runtime.ImportModuleError: ${message}`;
    return $done('error', $stringify({ __proto__: null, errorType: 'Runtime.ImportModuleError', errorMessage: message, trace }));
  }
  return $done('error', $stringify($toGuestError(err)));
}

/**
 * Installs the globals, runs the module's top-level code and finds the handler.
 * @param {Function} factory the bundle wrapped as a CommonJS module function
 * @param {string} specText
 * @param {SharedArrayBuffer | null} [logMirror] the host's log mirror (see console.js)
 * @param {unknown} [hostCall] the host's copy-only callback for randomness and hashing (see native.js)
 */
function init(factory, specText, logMirror, hostCall) {
  /** @type {GuestInitSpec} */
  const spec = $parse(specText);
  if (typeof spec.maxResultBytes === 'number') $maxResultBytes = spec.maxResultBytes;
  $logs = $createLogBuffer(spec.maxLogBytes, typeof logMirror === 'object' && logMirror !== null ? logMirror : null);
  $timers = $createTimers($onUncaught);
  $facts = {
    functionName: spec.functionName,
    functionVersion: spec.functionVersion,
    memoryLimitInMB: $String(spec.memoryMb),
    logGroupName: spec.logGroupName,
    logStreamName: spec.logStreamName,
  };
  $installGlobals(spec, typeof hostCall === 'function' ? $createNative(hostCall) : null);
  const module = { id: '.', path: '/var/task', filename: '/var/task/index.js', loaded: true, exports: /** @type {Record<string, unknown>} */ ({}), children: [], paths: [] };
  let returned;
  try {
    returned = $apply(factory, module.exports, [module.exports, $require, module, module.filename, module.path]);
  } catch (err) {
    return $initFailure(err);
  }
  if (returned === undefined) return $initWith(module.exports, spec.handlerExport);
  // An ES module with top-level await: its exports come when its body's promise settles.
  return new $Promise((resolve) => {
    let settled = false;
    $apply($promiseThen, returned, [
      (/** @type {Record<string, unknown>} */ exports) => {
        settled = true;
        resolve($initWith(exports, spec.handlerExport));
      },
      (/** @type {unknown} */ err) => {
        settled = true;
        resolve($initFailure(err));
      },
    ]);
    let turns = 0;
    const check = () => {
      if (settled) return;
      if (++turns < $INIT_SETTLE_TURNS) return $queueMicrotask(check);
      resolve(
        $done(
          'error',
          $errorPayload(
            'Runtime.InitPending',
            'The module’s top-level await is waiting for a timer or I/O: stratus-isolate runs init to its end without timers or network yet. Move that work into the handler (or await only promises at top level).',
          ),
        ),
      );
    };
    $queueMicrotask(check);
  });
}

// Microtask turns an ES module's top-level await gets to settle during init.
const $INIT_SETTLE_TURNS = 10000;

/**
 * @param {Record<string, unknown>} exports
 * @param {string} name
 */
function $initWith(exports, name) {
  let handler;
  try {
    handler = exports[name];
  } catch (err) {
    return $initFailure(err);
  }
  if (typeof handler !== 'function') {
    return $done('error', $errorPayload('Runtime.HandlerNotFound', `${name} is undefined or not exported`));
  }
  $handler = handler;
  // Init logs stay buffered: like Lambda, they show up with the first invocation's logs.
  return { __proto__: null, state: 'done', outcome: 'ok', payload: 'null', logs: '' };
}

/** @param {GuestInvocation} inv */
function $waitsForEmptyLoop(inv) {
  try {
    return inv.context?.callbackWaitsForEmptyEventLoop !== false;
  } catch {
    return true;
  }
}

/** @param {GuestInvocation} inv */
function $finished(inv) {
  return inv.settled && !(inv.viaCallback && $timers.refCount() > 0 && $waitsForEmptyLoop(inv));
}

/** @param {GuestInvocation} inv */
function $finish(inv) {
  $current = null;
  return $done(inv.outcome, inv.payload);
}

/**
 * Calls the handler for one invocation; the caller decides when to report.
 * @param {string} payloadText
 * @param {string} metaText
 */
function $begin(payloadText, metaText) {
  /** @type {GuestInvokeMeta} */
  const meta = $parse(metaText);
  $logs.begin(meta.requestId);
  if (typeof meta.memoryUsed === 'number') $memoryUsed = meta.memoryUsed;
  /** @type {GuestInvocation} */
  const inv = {
    settled: false,
    viaCallback: false,
    awaitsCallback: false,
    returnedPromise: false,
    outcome: 'ok',
    payload: 'null',
    context: null,
    settle: /** @type {any} */ (null),
    deadline: meta.deadline,
  };
  inv.settle = (isError, value, viaCallback) => {
    if (inv.settled) return;
    inv.settled = true;
    inv.viaCallback = viaCallback;
    if (isError) {
      inv.outcome = 'error';
      inv.payload = $stringify($toGuestError(value));
    } else {
      const r = $serializeResult(value);
      inv.outcome = r[0];
      inv.payload = r[1];
    }
  };
  $current = inv;
  // Lambda's callback: an error answers at once; a result waits for the event loop to empty unless
  // context.callbackWaitsForEmptyEventLoop is false. The first of callback, context.done/succeed/fail
  // and a returned promise to finish the invocation wins.
  const callback = (/** @type {unknown} */ err, /** @type {unknown} */ result) => {
    if (err !== undefined && err !== null) inv.settle(true, err, false);
    else inv.settle(false, result, true);
  };
  try {
    const event = payloadText === '' ? {} : $parse(payloadText);
    inv.context = $createContext($facts, meta, inv.settle, () => inv.deadline);
    const returned = $apply($handler, undefined, [event, inv.context, callback]);
    if (returned !== null && (typeof returned === 'object' || typeof returned === 'function') && typeof returned.then === 'function') {
      inv.returnedPromise = true;
      const promise = $apply($promiseResolve, $Promise, [returned]);
      $apply($promiseThen, promise, [(v) => inv.settle(false, v, false), (e) => inv.settle(true, e, false)]);
    } else {
      // As in Lambda, what a non-async handler returns is ignored: it answers through the callback or
      // context, or with null once nothing is left to wait for.
      inv.awaitsCallback = true;
    }
  } catch (err) {
    inv.settle(true, err, false);
  }
  return inv;
}

// Microtask turns `run` lets a pending handler take before it reports pending: enough for an async
// handler that awaits only promises to settle within the same host call.
const $SETTLE_TURNS = 64;

/**
 * Starts one invocation and answers, through a promise the host awaits, as soon as it is done; or
 * pending once the handler has had $SETTLE_TURNS microtask turns, after which the host pumps as
 * usual. One host call instead of two for handlers that wait on nothing but promises.
 * @param {string} payloadText
 * @param {string} metaText
 */
function run(payloadText, metaText) {
  const inv = $begin(payloadText, metaText);
  if ($finished(inv)) return $finish(inv);
  return new $Promise((resolve) => {
    let turns = 0;
    const check = () => {
      if ($current !== inv) resolve($pending(0));
      else if ($finished(inv)) resolve($finish(inv));
      else if (++turns >= $SETTLE_TURNS) resolve($pending(0));
      else $queueMicrotask(check);
    };
    $queueMicrotask(check);
  });
}

// Longest a pump keeps firing due timers before it reports back, so that a guest whose timers are
// always due (a setImmediate loop) takes few host calls and still yields to the host regularly.
const $PUMP_SLICE_MS = 10;
// Microtask turns between two timers, so promise reactions a callback set off run before the next
// callback, as Node drains them between timers.
const $TURNS_BETWEEN_TIMERS = 8;

/**
 * Moves the invocation forward: fires every due timer (up to a slice of time), then reports it
 * done, or says when to come back. `deadline` is the invocation's current deadline (the host
 * moves it when the invocation waited for a turn), for context.getRemainingTimeInMillis().
 * @param {unknown} deadline
 */
async function pump(deadline) {
  const inv = $current;
  if (inv === null) return $done('error', $errorPayload('Runtime.ProtocolError', 'pump called with no invocation in flight'));
  if (typeof deadline === 'number') inv.deadline = deadline;
  const sliceEnd = $now() + $PUMP_SLICE_MS;
  while (!$finished(inv) && $timers.fireDue()) {
    for (let i = 0; i < $TURNS_BETWEEN_TIMERS; i++) await undefined;
    if ($current !== inv) return $pending(0);
    if ($now() >= sliceEnd) return $finished(inv) ? $finish(inv) : $pending(0);
  }
  if ($finished(inv)) return $finish(inv);
  if ($timers.refCount() === 0) {
    if (inv.awaitsCallback) {
      // Lambda answers null when a callback-style handler leaves an empty event loop without calling back.
      inv.settle(false, null, false);
    } else if (!inv.settled) {
      // Lambda's answer when an async handler's promise is still pending and the event loop is empty.
      inv.settled = true;
      inv.outcome = 'error';
      inv.payload = $errorPayload(
        'Runtime.NodeJsExit',
        "Error: Runtime exited without providing a reason: the handler's promise never settled and nothing was left to wait for (a promise nobody resolves, or work not awaited)",
      );
    }
    return $finish(inv);
  }
  const next = $timers.nextAt();
  return $pending(next > 0 ? next : 0);
}

/** Logs still buffered: the host salvages them after a timeout, before it discards the environment. */
function drainLogs() {
  return $logs === null ? '' : $logs.drain();
}
