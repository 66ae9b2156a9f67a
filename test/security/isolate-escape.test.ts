// Hostile handlers hunting for the host from inside a stratus-isolate environment: every classic route to a
// host object must end in the guest's own realm, and only strings ever come back out.
import { describe, expect, it } from 'vitest';
import { HOST_SECRET, payloadOf, request, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine();

/** The invocation must succeed and return { ran: true, escaped: false, ... } */
async function expectContained(body: string) {
  const result = await hostile.run(body);
  expect(result.outcome, result.payload).toBe('ok');
  const found = payloadOf(result);
  expect(found.ran).toBe(true);
  expect(found.escaped).toBe(false);
  expect(result.payload).not.toContain(HOST_SECRET);
  return found;
}

describe('constructor and global-object routes', () => {
  it('this.constructor.constructor("return process")() yields the guest process, not Node’s', async () => {
    const found = await expectContained(`
      const viaThis = (function () { return this; }).constructor.constructor('return process')();
      const viaContext = context.constructor.constructor('return process')();
      const viaEvent = event.constructor.constructor('return this')();
      const values = Object.getOwnPropertyNames(viaThis).map((k) => viaThis[k]);
      return { ran: true, escaped: __hostLike(viaThis) || __hostLike(viaContext) || __hostLike(viaEvent) || __hostLike(viaEvent.process) || values.some((v) => __hostLike(v)),
        keys: Object.keys(viaThis).sort() };
    `);
    // Exactly the guest runtime's own process, member by member: anything else would be a leak.
    expect(found.keys).toEqual([
      'arch',
      'argv',
      'argv0',
      'chdir',
      'config',
      'cwd',
      'emit',
      'emitWarning',
      'env',
      'execArgv',
      'execPath',
      'exitCode',
      'features',
      'hrtime',
      'listenerCount',
      'listeners',
      'memoryUsage',
      'nextTick',
      'off',
      'on',
      'once',
      'pid',
      'platform',
      'ppid',
      'release',
      'removeAllListeners',
      'stderr',
      'stdout',
      'title',
      'umask',
      'uptime',
      'version',
      'versions',
    ]);
  });

  it('Function("return this")() is the guest global, which holds only JavaScript, Web and runtime globals', async () => {
    const found = await expectContained(`
      const g = Function('return this')();
      const names = Object.getOwnPropertyNames(g);
      return { ran: true, escaped: names.some((n) => __hostLike(g[n])) || __hostLike(g), names };
    `);
    const forbidden = ['require', 'module', 'exports', 'Buffer', 'ivm', '_ivm', 'Reference', 'ExternalCopy', 'Isolate', 'Context', 'fetch', '__stratusHostSentinel'];
    expect(found.names.filter((n: string) => forbidden.includes(n))).toEqual([]);
    // Installed by the guest runtime itself, so a test notices if this surface grows.
    for (const n of ['console', 'process', 'setTimeout', 'queueMicrotask', 'TextEncoder', 'structuredClone', 'atob', 'global', 'performance']) {
      expect(found.names).toContain(n);
    }
  });

  it('no isolated-vm handle or host function is reachable anywhere in the guest object graph', async () => {
    const found = await expectContained(`
      const seen = new Set();
      const queue = [globalThis, event, context, arguments, module, exports, require, __filename];
      const suspicious = [];
      const ivmNames = ['applySync', 'applySyncPromise', 'applyIgnored', 'derefInto', 'copyInto', 'compileScript', 'createContext', 'getSync', 'setSync'];
      while (queue.length && seen.size < 20000) {
        const v = queue.shift();
        if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue;
        seen.add(v);
        let keys = [];
        try { keys = Reflect.ownKeys(v); } catch {}
        for (const k of keys) {
          if (ivmNames.includes(k) || k === '__stratusHostSentinel') suspicious.push(String(k));
          let d; try { d = Object.getOwnPropertyDescriptor(v, k); } catch {}
          if (!d) continue;
          for (const x of [d.value, d.get, d.set]) if (x !== undefined) queue.push(x);
        }
        try { queue.push(Object.getPrototypeOf(v)); } catch {}
        if (typeof v === 'function') {
          try { const src = Function.prototype.toString.call(v); if (src.includes('[native code]') && /^(function )?(Reference|ExternalCopy|Isolate|Context|Callback)\\b/.test(src.replace('function ', ''))) suspicious.push(src); } catch {}
        }
      }
      return { ran: true, escaped: suspicious.length > 0, visited: seen.size, suspicious };
    `);
    expect(found.visited).toBeGreaterThan(500);
  });
});

describe('stack-trace routes', () => {
  it('Error.prepareStackTrace with CallSite.getThis()/getFunction() reaches only guest values and guest file names', async () => {
    const found = await expectContained(`
      const values = [];
      const files = new Set();
      Error.prepareStackTrace = (err, frames) => {
        for (const f of frames) {
          try { values.push(f.getThis()); } catch {}
          try { values.push(f.getFunction()); } catch {}
          try { files.add(String(f.getFileName())); } catch {}
        }
        return 'prepared';
      };
      // Trigger from deep inside runtime-owned frames too: a timer callback and a promise reaction.
      new Error('direct').stack;
      await new Promise((r) => setTimeout(() => { new Error('in timer').stack; r(); }, 1));
      await Promise.resolve().then(() => new Error('in reaction').stack);
      JSON.stringify({ toJSON() { return new Error('in stringify').stack; } });
      Error.prepareStackTrace = undefined;
      return { ran: true, escaped: values.some((v) => __hostLike(v) || __escape(() => v)), files: [...files].sort() };
    `);
    for (const file of found.files) expect(['/var/task/index.js', 'stratus:runtime', 'undefined', 'null']).toContain(file);
  });

  it('a stack overflow error is a guest RangeError whose constructor chain stays in the guest', async () => {
    await expectContained(`
      let err;
      try { (function r() { r(); })(); } catch (e) { err = e; }
      return { ran: err instanceof RangeError, escaped: __escape(() => err.constructor.constructor('return process')()) };
    `);
  });
});

describe('values handed back to the host', () => {
  it('a Proxy returned as the result is read in the guest; its traps receive only guest values', async () => {
    const env = await hostile.env(`
      let observed = [];
      exports.handler = async (event) => {
        if (event.report) return { ran: observed.length > 0, escaped: observed.some((v) => __hostLike(v) || __escape(() => v)), traps: observed.length };
        const trap = (name) => function (...args) { observed.push(...args); observed.push(this); return Reflect[name](...args); };
        return new Proxy({ a: 1 }, { get: trap('get'), ownKeys: trap('ownKeys'), getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'), has: trap('has') });
      };`);
    const first = await env.invoke(request());
    expect(first).toMatchObject({ outcome: 'ok', payload: '{"a":1}' });
    const report = payloadOf(await env.invoke(request({ payload: '{"report":true}' })));
    expect(report).toMatchObject({ ran: true, escaped: false });
  });

  it('a result with a `then` getter is resolved in the guest with guest resolve functions', async () => {
    const env = await hostile.env(`
      let observed = [];
      exports.handler = async (event) => {
        if (event.report) return { ran: observed.length > 0, escaped: observed.some((v) => __hostLike(v) || __escape(() => v)) };
        return { get then() { observed.push(this); return (resolve, reject) => { observed.push(resolve, reject); resolve({ via: 'then' }); }; } };
      };`);
    expect(payloadOf(await env.invoke(request()))).toEqual({ via: 'then' });
    expect(payloadOf(await env.invoke(request({ payload: '{"report":true}' })))).toEqual({ ran: true, escaped: false });
  });

  it('Promise species and constructor overrides on the returned promise see only guest executors', async () => {
    const env = await hostile.env(`
      let observed = [];
      exports.handler = (event) => {
        // A non-async handler answers through a promise (Lambda ignores any other return value).
        if (event.report) return Promise.resolve({ ran: observed.length > 0, escaped: observed.some((v) => __hostLike(v) || __escape(() => v)) });
        class Evil extends Promise {
          static get [Symbol.species]() { observed.push('species'); return Evil; }
          then(onOk, onErr) { observed.push(onOk, onErr); return super.then(onOk, onErr); }
        }
        const p = Evil.resolve('species-result');
        p.constructor = { [Symbol.species]: function (executor) { observed.push(executor); return new Promise(executor); } };
        return p;
      };`);
    expect(payloadOf(await env.invoke(request()))).toBe('species-result');
    expect(payloadOf(await env.invoke(request({ payload: '{"report":true}' })))).toEqual({ ran: true, escaped: false });
  });

  it('toJSON, Symbol.toPrimitive and hostile error fields run in the guest and only strings come out', async () => {
    const env = await hostile.env(`
      let observed = [];
      exports.handler = async (event) => {
        if (event.report) return { ran: observed.length > 0, escaped: observed.some((v) => __hostLike(v) || __escape(() => v)) };
        if (event.fail) {
          const err = new Error('x');
          Object.defineProperty(err, 'name', { get() { observed.push(this); return { toString() { observed.push(arguments); return 'Evil'; } }; } });
          throw err;
        }
        return { a: { toJSON(key) { observed.push(key, this); return { [Symbol.toPrimitive]: () => 1, v: 2 }; } } };
      };`);
    expect(payloadOf(await env.invoke(request()))).toEqual({ a: { v: 2 } });
    const failed = await env.invoke(request({ payload: '{"fail":true}' }));
    expect(failed.outcome).toBe('error');
    expect(typeof failed.payload).toBe('string');
    expect(payloadOf(failed).errorType).toBe('Evil');
    expect(payloadOf(await env.invoke(request({ payload: '{"report":true}' })))).toEqual({ ran: true, escaped: false });
  });

  it('guest prototype pollution stays in the guest', async () => {
    const result = await hostile.run(`
      Object.prototype.polluted = 'yes'; Array.prototype.push = () => 0; JSON.stringify = () => '"forged"'; JSON.parse = () => ({});
      Promise.prototype.then = function () { return this; };
      return { fine: true };
    `);
    expect(result).toMatchObject({ outcome: 'ok', payload: '{"fine":true}' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([1].push(2)).toBe(2);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
  });
});
