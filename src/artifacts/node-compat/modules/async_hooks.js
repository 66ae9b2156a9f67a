/**
 * @module node:async_hooks inside an isolate. AsyncLocalStorage holds its store for the synchronous
 * part of run() and for callbacks bound with AsyncResource.bind / AsyncLocalStorage.bind: an isolate
 * exposes no promise hooks, so a store is not carried across `await` (getStore() then answers what
 * was entered last, or undefined). Hooks from createHook are accepted and never called.
 */
let current = new Map();

class AsyncLocalStorage {
  constructor() {
    this.enabled = true;
  }
  static bind(fn) {
    return AsyncResource.bind(fn);
  }
  static snapshot() {
    const saved = current;
    return (fn, ...args) => withContext(saved, fn, undefined, args);
  }
  getStore() {
    return this.enabled ? current.get(this) : undefined;
  }
  run(store, fn, ...args) {
    const next = new Map(current);
    next.set(this, store);
    return withContext(next, fn, undefined, args);
  }
  exit(fn, ...args) {
    const next = new Map(current);
    next.delete(this);
    return withContext(next, fn, undefined, args);
  }
  enterWith(store) {
    const next = new Map(current);
    next.set(this, store);
    current = next;
  }
  disable() {
    this.enabled = false;
    const next = new Map(current);
    next.delete(this);
    current = next;
  }
}

function withContext(context, fn, thisArg, args) {
  const saved = current;
  current = context;
  try {
    return fn.apply(thisArg, args);
  } finally {
    current = saved;
  }
}

class AsyncResource {
  constructor(type) {
    this.type = type;
    this.context = current;
  }
  static bind(fn, type, thisArg) {
    return new AsyncResource(type || 'bound-anonymous-fn').bind(fn, thisArg);
  }
  bind(fn, thisArg) {
    const resource = this;
    return function bound(...args) {
      return resource.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args);
    };
  }
  runInAsyncScope(fn, thisArg, ...args) {
    return withContext(this.context, fn, thisArg, args);
  }
  emitDestroy() {
    return this;
  }
  asyncId() {
    return 1;
  }
  triggerAsyncId() {
    return 0;
  }
}

function createHook() {
  return {
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
}

module.exports = { AsyncLocalStorage, AsyncResource, createHook, executionAsyncId: () => 1, triggerAsyncId: () => 0, executionAsyncResource: () => ({}) };
