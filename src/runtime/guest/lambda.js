/** @module Guest runtime: the Lambda-shaped pieces (error payloads, the `context` object, `require`) as Lambda's Node.js runtime builds them. */

// Node's built-in module names, to word the error of a require() the bundler could not follow (the
// bundler's own list of what it provides is artifacts/node-compat/builtins.js; guest code cannot import it).
const $BUILTIN_MODULES = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'console',
  'constants',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'domain',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'inspector',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'punycode',
  'querystring',
  'readline',
  'repl',
  'stream',
  'string_decoder',
  'sys',
  'timers',
  'tls',
  'trace_events',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'wasi',
  'worker_threads',
  'zlib',
];

/** Errors thrown by our `require`, so that init can report them as Runtime.ImportModuleError. */
const $importErrors = new $WeakSet();

/** @param {unknown} name */
function $require(name) {
  const id = $String(name);
  const builtin = id.slice(0, 5) === 'node:' || $BUILTIN_MODULES.indexOf(id.split('/')[0]) >= 0;
  /** @type {Error & { code?: string }} */
  const err = new $Error(
    builtin
      ? `Cannot find module '${id}': Node.js built-in modules are bundled in at deploy where the code names them (require('${id}') or import from '${id}'); a require() whose name is computed at run time cannot be followed, so name the module in the code`
      : `Cannot find module '${id}': stratus-isolate environments load only the bundled code; bundle this dependency into the package`,
  );
  err.code = 'MODULE_NOT_FOUND';
  $apply($weakSetAdd, $importErrors, [err]);
  throw err;
}

/**
 * @param {unknown} err
 * @returns {err is Error}
 */
function $isImportError(err) {
  return typeof err === 'object' && err !== null && $apply($weakSetHas, $importErrors, [err]);
}

/**
 * Lambda's `_isError`: a native error, or anything with string name, message and stack.
 * @param {any} err
 * @returns {err is Error}
 */
function $looksLikeError(err) {
  if (typeof err !== 'object' || err === null) return false;
  if ($apply($objectToString, err, []) === '[object Error]') return true;
  return typeof err.name === 'string' && typeof err.message === 'string' && typeof err.stack === 'string';
}

/**
 * The error payload exactly as Lambda's Node.js runtime builds it: Errors give name, message and
 * stack lines; any other thrown value gives its typeof and toString(); a value that cannot even be
 * described gives errorType "handled".
 * @param {any} err
 */
function $toGuestError(err) {
  try {
    if ($looksLikeError(err)) {
      const stack = err.stack;
      return {
        __proto__: null,
        errorType: $String(err.name),
        errorMessage: $String(err.message),
        trace: typeof stack === 'string' ? $apply($stringSplit, stack, ['\n']) : [],
      };
    }
    return { __proto__: null, errorType: typeof err, errorMessage: $String(err.toString()), trace: [] };
  } catch {
    return {
      __proto__: null,
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

/**
 * @param {string} errorType
 * @param {string} errorMessage
 */
function $errorPayload(errorType, errorMessage) {
  return $stringify({ __proto__: null, errorType, errorMessage, trace: [] });
}

/**
 * The handler's result as JSON text, in the guest, so only a string crosses to the host.
 * Returns [outcome, payload]; a result JSON cannot represent fails the invocation as in Lambda.
 * @param {unknown} value
 * @returns {['ok' | 'error', string]}
 */
function $serializeResult(value) {
  try {
    const json = $stringify(value === undefined ? null : value);
    return ['ok', json === undefined ? 'null' : json];
  } catch (err) {
    const reason = $toGuestError(err);
    return ['error', $stringify({ __proto__: null, errorType: 'Error', errorMessage: 'Unable to stringify response body', trace: reason.trace })];
  }
}

/** @param {unknown} text */
function $parseClientContext(text) {
  if (typeof text !== 'string') return undefined;
  try {
    return $parse(text);
  } catch {
    return undefined;
  }
}

/**
 * @typedef {object} GuestFunctionFacts per-environment facts copied into every context
 * @property {string} functionName
 * @property {string} functionVersion
 * @property {string} memoryLimitInMB
 * @property {string} logGroupName
 * @property {string} logStreamName
 *
 * @typedef {object} GuestInvokeMeta per-invocation facts, as protocol.ts sends them
 * @property {string} requestId
 * @property {string} invokedFunctionArn
 * @property {number} deadline
 * @property {string} [clientContext]
 * @property {string} [tenantId]
 * @property {number} [memoryUsed]
 *
 * @typedef {(isError: boolean, value: unknown, viaCallback: boolean) => void} GuestSettle
 *
 * @typedef {object} GuestContext
 * @property {boolean} callbackWaitsForEmptyEventLoop
 * @property {string} functionName
 * @property {string} functionVersion
 * @property {string} invokedFunctionArn
 * @property {string} memoryLimitInMB
 * @property {string} awsRequestId
 * @property {string} logGroupName
 * @property {string} logStreamName
 * @property {() => number} getRemainingTimeInMillis
 * @property {(err?: unknown, result?: unknown) => void} done
 * @property {(result?: unknown) => void} succeed
 * @property {(err?: unknown) => void} fail
 * @property {unknown} [clientContext]
 * @property {string} [tenantId]
 */

/**
 * The Lambda `context` for one invocation. `settle(isError, value, viaCallback)` ends the invocation;
 * viaCallback marks the handler's callback, whose answer waits for an empty event loop when asked to.
 * @param {GuestFunctionFacts} fn
 * @param {GuestInvokeMeta} meta
 * @param {GuestSettle} settle
 * @param {() => number} deadlineOf
 */
function $createContext(fn, meta, settle, deadlineOf) {
  /** @type {GuestContext} */
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: fn.functionVersion,
    invokedFunctionArn: meta.invokedFunctionArn,
    memoryLimitInMB: fn.memoryLimitInMB,
    awsRequestId: meta.requestId,
    logGroupName: fn.logGroupName,
    logStreamName: fn.logStreamName,
    getRemainingTimeInMillis() {
      const left = deadlineOf() - $now();
      return left > 0 ? left : 0;
    },
    // Lambda's legacy completion methods answer at once, without waiting for the event loop.
    done(err, result) {
      context.callbackWaitsForEmptyEventLoop = false;
      if (err !== undefined && err !== null) settle(true, err, false);
      else settle(false, result, false);
    },
    succeed(result) {
      context.done(null, result);
    },
    // Without an error, Lambda fails the invocation with the string "handled".
    fail(err) {
      context.done(err === undefined || err === null ? 'handled' : err);
    },
  };
  if (meta.clientContext !== undefined) context.clientContext = $parseClientContext(meta.clientContext);
  if (meta.tenantId !== undefined) context.tenantId = meta.tenantId;
  return context;
}
