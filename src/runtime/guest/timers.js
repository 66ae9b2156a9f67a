/** @module Guest runtime: setTimeout & co. as a timer heap kept in guest JS; the host fires due timers by calling `pump`, one per call, so microtasks drain between two timers as in Node. */

// Node clamps delays outside [1, 2^31 - 1] to 1 ms.
const $MAX_DELAY = 2147483647;

/**
 * @typedef {object} GuestTimerEntry
 * @property {number} id
 * @property {Function} fn
 * @property {unknown[]} args
 * @property {number} delay
 * @property {boolean} repeat
 * @property {boolean} immediate
 * @property {boolean} ref
 * @property {boolean} cleared
 * @property {GuestTimerSlot | null} slot
 *
 * @typedef {object} GuestTimerSlot
 * @property {number} at
 * @property {number} seq
 * @property {GuestTimerEntry} entry
 * @property {boolean} stale
 */

/** @param {(err: unknown) => void} onUncaught */
function $createTimers(onUncaught) {
  /** @type {GuestTimerSlot[]} */
  const heap = []; // slots ordered by (at, seq): a binary min-heap
  const byId = new $Map();
  let nextId = 1;
  let seq = 0;
  let refCount = 0; // live timers that keep the invocation waiting (not unref'ed)

  const before = (/** @type {GuestTimerSlot} */ a, /** @type {GuestTimerSlot} */ b) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  const push = (/** @type {GuestTimerSlot} */ entry) => {
    let i = heap.length;
    heap[i] = entry;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      const t = heap[i];
      heap[i] = heap[parent];
      heap[parent] = t;
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap[heap.length - 1];
    heap.length--;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        const t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
      }
    }
    return top;
  };
  // The heap holds slots; re-scheduling a timer marks its old slot stale instead of searching for it.
  const peek = () => {
    while (heap.length > 0 && (heap[0].stale || heap[0].entry.cleared)) pop();
    return heap.length > 0 ? heap[0] : null;
  };
  // Immediates sort before every timer (and among themselves by creation), as Node runs the check
  // phase's immediates before timers that come due later, whatever millisecond the clock reads.
  const schedule = (/** @type {GuestTimerEntry} */ entry, /** @type {number} */ delay) => {
    if (entry.slot) entry.slot.stale = true;
    entry.slot = { at: entry.immediate ? -Infinity : $now() + delay, seq: seq++, entry, stale: false };
    push(entry.slot);
  };
  const release = (/** @type {GuestTimerEntry} */ entry) => {
    if (entry.cleared) return;
    entry.cleared = true;
    $apply($mapDelete, byId, [entry.id]);
    if (entry.ref) refCount--;
  };

  class Timeout {
    #entry;
    /** @param {GuestTimerEntry} entry */
    constructor(entry) {
      this.#entry = entry;
    }
    ref() {
      if (!this.#entry.ref && !this.#entry.cleared) refCount++;
      this.#entry.ref = true;
      return this;
    }
    unref() {
      if (this.#entry.ref && !this.#entry.cleared) refCount--;
      this.#entry.ref = false;
      return this;
    }
    hasRef() {
      return this.#entry.ref;
    }
    refresh() {
      if (!this.#entry.cleared) schedule(this.#entry, this.#entry.delay);
      return this;
    }
    [Symbol.toPrimitive]() {
      return this.#entry.id;
    }
  }

  /**
   * @param {unknown} fn
   * @param {number} delay
   * @param {unknown[]} args
   * @param {boolean} repeat
   */
  const add = (fn, delay, args, repeat, immediate = false) => {
    if (typeof fn !== 'function') throw new $TypeError('The "callback" argument must be of type function');
    const entry = { id: nextId++, fn, args, delay, repeat, immediate, ref: true, cleared: false, slot: null };
    $apply($mapSet, byId, [entry.id, entry]);
    refCount++;
    schedule(entry, delay);
    return new Timeout(entry);
  };
  const clampDelay = (/** @type {unknown} */ delay) => {
    const ms = $Number(delay);
    return ms >= 1 && ms <= $MAX_DELAY ? Math.trunc(ms) : 1;
  };
  const clear = (/** @type {unknown} */ handle) => {
    if (handle === undefined || handle === null) return;
    const entry = $apply($mapGet, byId, [$Number(handle)]);
    if (entry) release(entry);
  };

  const api = {
    /** @param {unknown} fn @param {unknown} delay @param {unknown[]} args */
    setTimeout: (fn, delay, ...args) => add(fn, clampDelay(delay), args, false),
    /** @param {unknown} fn @param {unknown} delay @param {unknown[]} args */
    setInterval: (fn, delay, ...args) => add(fn, clampDelay(delay), args, true),
    /** @param {unknown} fn @param {unknown[]} args */
    setImmediate: (fn, ...args) => add(fn, 0, args, false, true),
    clearTimeout: clear,
    clearInterval: clear,
    clearImmediate: clear,
  };

  return {
    globals: api,
    /** Live timers that keep an invocation waiting. */
    refCount: () => refCount,
    /** Epoch ms of the earliest live timer (0 for an immediate: due now), or -1. */
    nextAt() {
      const top = peek();
      return top ? (top.at === -Infinity ? 0 : top.at) : -1;
    },
    /** Fires the earliest timer if it is due; returns whether one fired. */
    fireDue() {
      const slot = peek();
      if (!slot || slot.at > $now()) return false;
      pop();
      const entry = slot.entry;
      entry.slot = null;
      if (!entry.repeat) release(entry);
      try {
        $apply(entry.fn, undefined, entry.args);
      } catch (err) {
        onUncaught(err);
      }
      // An interval restarts after its callback returns, as in Node (unless it was cleared or refreshed).
      if (entry.repeat && !entry.cleared && entry.slot === null) schedule(entry, entry.delay);
      return true;
    },
  };
}
