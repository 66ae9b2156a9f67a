/** @module Guest runtime: the global `process` as a Lambda handler on Node.js sees it (env with Lambda's variables, version, platform, clocks, nextTick, events), holding nothing of the host's. */

/**
 * @typedef {object} GuestProcessFacts
 * @property {Record<string, string>} env the variables Lambda sets and the function's own
 * @property {string} nodeVersion `v20.20.2`: the Node.js whose V8 runs this environment
 * @property {string} v8Version
 * @property {() => number} memoryUsed heap bytes the host measured after the last invocation
 * @property {number} memoryLimit bytes: MemorySize
 * @property {(level: string, message: string) => void} log writes a line to the invocation's log
 *
 * @typedef {(...args: unknown[]) => void} GuestListener
 */

/** Events a listener may be added for; only `uncaughtException` is ever emitted (Lambda's runtime owns the rest). */
const $PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection', 'beforeExit', 'exit', 'warning'];

/**
 * @param {GuestProcessFacts} facts
 * @param {(fn: () => void) => void} queue runs a callback as a microtask, failing the invocation if it throws
 */
function $createProcess(facts, queue) {
  const started = $now();
  /** @type {Map<string, GuestListener[]>} */
  const listeners = new $Map();
  /** @param {unknown} event */
  const known = (event) => typeof event === 'string' && $PROCESS_EVENTS.indexOf(event) >= 0;
  /**
   * Milliseconds as [seconds, nanoseconds]. The clock is the millisecond clock, on purpose: no
   * finer timer reaches guest code (fine timers serve timing attacks, and Workers do the same).
   * @param {unknown} [prev]
   */
  const hrtime = (prev) => {
    const ms = $now();
    let s = Math.floor(ms / 1000);
    let ns = (ms % 1000) * 1e6;
    if ($isArray(prev) && prev.length === 2) {
      s -= $Number(prev[0]);
      ns -= $Number(prev[1]);
      if (ns < 0) {
        s -= 1;
        ns += 1e9;
      }
    }
    return [s, ns];
  };
  hrtime.bigint = () => BigInt($now()) * 1000000n;
  const proc = {
    env: facts.env,
    argv: ['/var/lang/bin/node', '/var/runtime/index.mjs'],
    argv0: 'node',
    execArgv: /** @type {string[]} */ ([]),
    execPath: '/var/lang/bin/node',
    title: 'node',
    version: facts.nodeVersion,
    versions: { node: $apply($stringSlice, facts.nodeVersion, [1]), v8: facts.v8Version },
    release: { name: 'node', lts: undefined },
    platform: 'linux',
    arch: 'x64',
    pid: 1,
    ppid: 0,
    exitCode: /** @type {number | undefined} */ (undefined),
    /** @type {unknown} */
    stdout: undefined,
    /** @type {unknown} */
    stderr: undefined,
    features: {},
    config: { variables: {} },
    cwd: () => '/var/task',
    /** @param {unknown} _dir */
    chdir(_dir) {
      throw new $Error('process.chdir() is not supported: the working directory of a stratus-isolate function is always /var/task');
    },
    umask: () => 0o22,
    uptime: () => ($now() - started) / 1000,
    hrtime,
    memoryUsage() {
      const used = facts.memoryUsed();
      return { rss: used, heapTotal: facts.memoryLimit, heapUsed: used, external: 0, arrayBuffers: 0 };
    },
    /** @param {unknown} fn @param {unknown[]} args */
    nextTick(fn, ...args) {
      if (typeof fn !== 'function') throw new $TypeError('The "callback" argument must be of type function');
      queue(() => $apply(fn, undefined, args));
    },
    /** @param {unknown} warning @param {unknown} [type] */
    emitWarning(warning, type) {
      const name =
        typeof type === 'string'
          ? type
          : typeof type === 'object' && type !== null && typeof (/** @type {any} */ (type).type) === 'string'
            ? /** @type {any} */ (type).type
            : 'Warning';
      const text =
        typeof warning === 'object' && warning !== null && typeof (/** @type {any} */ (warning).message) === 'string' ? /** @type {any} */ (warning).message : $String(warning);
      facts.log('WARN', `(node:1) ${name}: ${text}`);
    },
    /** @param {unknown} event @param {unknown} fn */
    on(event, fn) {
      if (known(event) && typeof fn === 'function') {
        const list = $apply($mapGet, listeners, [event]) ?? [];
        list.push(/** @type {GuestListener} */ (fn));
        $apply($mapSet, listeners, [event, list]);
      }
      return proc;
    },
    /** @param {unknown} event @param {unknown} fn */
    once(event, fn) {
      if (typeof fn !== 'function') return proc;
      /** @param {unknown[]} args */
      const wrapped = (...args) => {
        proc.off(event, wrapped);
        $apply(fn, proc, args);
      };
      return proc.on(event, wrapped);
    },
    /** @param {unknown} event @param {unknown} fn */
    off(event, fn) {
      const list = $apply($mapGet, listeners, [event]);
      if (list !== undefined) {
        const i = list.indexOf(/** @type {GuestListener} */ (fn));
        if (i >= 0) list.splice(i, 1);
      }
      return proc;
    },
    /** @param {unknown} event */
    removeAllListeners(event) {
      if (event === undefined) $apply(Map.prototype.clear, listeners, []);
      else $apply($mapDelete, listeners, [event]);
      return proc;
    },
    /** @param {unknown} event */
    listeners(event) {
      return [...($apply($mapGet, listeners, [event]) ?? [])];
    },
    /** @param {unknown} event */
    listenerCount(event) {
      return ($apply($mapGet, listeners, [event]) ?? []).length;
    },
    /** @param {unknown} event @param {unknown[]} args */
    emit(event, ...args) {
      const list = $apply($mapGet, listeners, [event]);
      if (list === undefined || list.length === 0) return false;
      for (const fn of [...list]) $apply(fn, proc, args);
      return true;
    },
  };
  for (const [alias, name] of [
    ['addListener', 'on'],
    ['removeListener', 'off'],
    ['prependListener', 'on'],
  ]) {
    $defineProperty(proc, alias, { value: /** @type {any} */ (proc)[name], writable: true, configurable: true, enumerable: false });
  }
  // Raw writes (loggers such as pino use them) become log lines of the invocation, a line per write.
  /** @param {string} level */
  const stream = (level) => ({
    isTTY: false,
    fd: level === 'INFO' ? 1 : 2,
    /** @param {unknown} chunk @param {unknown[]} rest */
    write(chunk, ...rest) {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? $utf8Decode(chunk, false) : $String(chunk);
      facts.log(level, text.length > 0 && text[text.length - 1] === '\n' ? $apply($stringSlice, text, [0, -1]) : text);
      const done = rest[rest.length - 1];
      if (typeof done === 'function') queue(() => $apply(done, undefined, []));
      return true;
    },
  });
  proc.stdout = stream('INFO');
  proc.stderr = stream('ERROR');
  return proc;
}
