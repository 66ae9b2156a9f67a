/**
 * @module Guest runtime: the Web platform's Event, EventTarget, AbortController and AbortSignal, as
 * Node.js has them as globals (streams, timers/promises and fetch-style APIs take an AbortSignal).
 * Hand-written: a bare V8 context has none, and they must be guest objects.
 */

class Event {
  /**
   * @param {string} type
   * @param {{ bubbles?: boolean, cancelable?: boolean, composed?: boolean }} [init]
   */
  constructor(type, init) {
    if (arguments.length === 0) throw new $TypeError('The "type" argument must be specified');
    this.type = $String(type);
    this.bubbles = !!init?.bubbles;
    this.cancelable = !!init?.cancelable;
    this.composed = !!init?.composed;
    this.defaultPrevented = false;
    this.timeStamp = $now();
    this.isTrusted = false;
    /** @type {EventTarget | null} */
    this.target = null;
    /** @type {EventTarget | null} */
    this.currentTarget = null;
    this.eventPhase = 0;
    /** @type {boolean} */
    this.$stopped = false;
  }
  preventDefault() {
    if (this.cancelable) this.defaultPrevented = true;
  }
  stopImmediatePropagation() {
    this.$stopped = true;
  }
  stopPropagation() {}
  composedPath() {
    return this.currentTarget === null ? [] : [this.currentTarget];
  }
}

/**
 * @typedef {{ listener: unknown, once: boolean, capture: boolean }} GuestListenerEntry
 */

class EventTarget {
  constructor() {
    /** @type {Map<string, GuestListenerEntry[]>} */
    this.$listeners = new $Map();
    $defineProperty(this, '$listeners', { enumerable: false });
  }
  /**
   * @param {string} type
   * @param {unknown} listener
   * @param {boolean | { once?: boolean, capture?: boolean, signal?: AbortSignal }} [options]
   */
  addEventListener(type, listener, options) {
    if (listener === null || listener === undefined) return;
    const opts = typeof options === 'object' && options !== null ? options : { capture: !!options };
    if (opts.signal?.aborted) return;
    const list = $apply($mapGet, this.$listeners, [$String(type)]) ?? [];
    const capture = !!opts.capture;
    if (list.some((/** @type {GuestListenerEntry} */ e) => e.listener === listener && e.capture === capture)) return;
    list.push({ listener, once: !!opts.once, capture });
    $apply($mapSet, this.$listeners, [$String(type), list]);
    opts.signal?.addEventListener('abort', () => this.removeEventListener(type, listener, options), { once: true });
  }
  /**
   * @param {string} type
   * @param {unknown} listener
   * @param {boolean | { capture?: boolean }} [options]
   */
  removeEventListener(type, listener, options) {
    const list = $apply($mapGet, this.$listeners, [$String(type)]);
    if (list === undefined) return;
    const capture = typeof options === 'object' && options !== null ? !!options.capture : !!options;
    const i = list.findIndex((/** @type {GuestListenerEntry} */ e) => e.listener === listener && e.capture === capture);
    if (i >= 0) list.splice(i, 1);
  }
  /** @param {Event} event */
  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new $TypeError('The "event" argument must be an instance of Event');
    event.target = this;
    event.currentTarget = this;
    event.eventPhase = 2;
    const list = $apply($mapGet, this.$listeners, [event.type]);
    for (const entry of list === undefined ? [] : [...list]) {
      if (entry.once) this.removeEventListener(event.type, entry.listener, { capture: entry.capture });
      const l = /** @type {any} */ (entry.listener);
      try {
        if (typeof l === 'function') $apply(l, this, [event]);
        else if (l !== null && typeof l === 'object' && typeof l.handleEvent === 'function') l.handleEvent(event);
      } catch (err) {
        // As in Node: a throwing listener is an uncaught exception, and the others still run.
        $queueMicrotask(() => {
          throw err;
        });
      }
      if (event.$stopped) break;
    }
    event.currentTarget = null;
    event.eventPhase = 0;
    return !event.defaultPrevented;
  }
}

/** @param {unknown} reason */
function $abortReason(reason) {
  if (reason !== undefined) return reason;
  const err = new $Error('This operation was aborted');
  err.name = 'AbortError';
  return err;
}

class AbortSignal extends EventTarget {
  constructor() {
    super();
    this.aborted = false;
    /** @type {unknown} */
    this.reason = undefined;
    /** @type {((event: Event) => void) | null} */
    this.onabort = null;
  }
  throwIfAborted() {
    if (this.aborted) throw this.reason;
  }
  /** @param {unknown} reason */
  $abort(reason) {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = $abortReason(reason);
    const event = new Event('abort');
    if (typeof this.onabort === 'function') {
      try {
        $apply(this.onabort, this, [event]);
      } catch (err) {
        $queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.dispatchEvent(event);
  }
  /** @param {unknown} [reason] */
  static abort(reason) {
    const signal = new AbortSignal();
    signal.$abort(reason);
    return signal;
  }
  /** @param {number} ms */
  static timeout(ms) {
    const signal = new AbortSignal();
    const timer = $timers.globals.setTimeout(() => {
      const err = new $Error('The operation was aborted due to timeout');
      err.name = 'TimeoutError';
      signal.$abort(err);
    }, ms);
    // As in Node, a timeout signal alone does not keep the invocation waiting.
    timer.unref();
    return signal;
  }
  /** @param {Iterable<AbortSignal>} signals */
  static any(signals) {
    const signal = new AbortSignal();
    const list = [...signals];
    for (const s of list) {
      if (s.aborted) {
        signal.$abort(s.reason);
        return signal;
      }
    }
    for (const s of list) s.addEventListener('abort', () => signal.$abort(s.reason), { once: true });
    return signal;
  }
}

class AbortController {
  constructor() {
    this.signal = new AbortSignal();
  }
  /** @param {unknown} [reason] */
  abort(reason) {
    this.signal.$abort(reason);
  }
}
