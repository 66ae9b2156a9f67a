// Published sandbox escapes (vm2, isolated-vm) replayed against the stratus-isolate boundary. In vm2 each one
// turned a host object leaking through a proxy membrane into `process`; here no host object exists in the guest,
// so each must end with the guest's own `process` (no binding, no mainModule, no host env) or a plain failure.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_SECRET, payloadOf, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine();
const SLOW = 60_000;

/** Runs an exploit body that records candidate host values in `found`; asserts none is of the host. */
async function replay(exploit: string) {
  const result = await hostile.run(
    `
    const found = [];
    const record = (v) => { found.push(v); return v; };
    try { ${exploit} } catch (e) { record(e); }
    await new Promise((r) => setTimeout(r, 5));
    return { ran: true, candidates: found.length, escaped: found.some((v) => __hostLike(v) || __escape(() => v)) };
  `,
    { timeoutMs: 25_000 },
    { memoryMb: 256 },
  );
  // The stack-overflow repros format a stack trace in every frame: slow and memory-hungry by design,
  // so they get room and time (the assertion is about containment, never about speed).
  expect(result.outcome, result.payload).toBe('ok');
  expect(result.payload).not.toContain(HOST_SECRET);
  const report = payloadOf(result);
  expect(report).toMatchObject({ ran: true, escaped: false });
  return report;
}

describe('vm2 advisories', () => {
  it(
    'CVE-2023-29017: Error.prepareStackTrace receives host CallSites for an async error',
    async () => {
      await replay(`
      Error.prepareStackTrace = (e, frames) => { for (const f of frames) { record(f.getThis()); record(f.getFunction()); } return frames; };
      async function aa() { eval('1=1'); }
      await aa().catch((e) => { record(e); record(e.stack); record(e.constructor.constructor('return process')()); });
      Error.prepareStackTrace = undefined;
    `);
    },
    SLOW,
  );

  it(
    'CVE-2023-29199: exception sanitisation bypassed by a stack overflow inside a catch-clause binding',
    async () => {
      await replay(`
      const aVM2_INTERNAL_TMPNAME = {};
      function stack() { new Error().stack; stack(); }
      try { stack(); } catch (a$tmpname) { record(a$tmpname.constructor.constructor('return process')()); }
    `);
    },
    SLOW,
  );

  it(
    'CVE-2023-30547: a Proxy whose getPrototypeOf trap overflows the stack while being thrown',
    async () => {
      await replay(`
      const err = {};
      const proxied = new Proxy(err, { getPrototypeOf() { (function stack() { new Error().stack; stack(); })(); } });
      try { throw proxied; } catch ({ constructor: c }) { record(c.constructor('return process')()); }
    `);
    },
    SLOW,
  );

  it(
    'CVE-2023-32314: a Proxy as name.toString leaks the arguments object of a host call',
    async () => {
      await replay(`
      const err = new Error();
      err.name = { toString: new Proxy(() => '', { apply(target, thiz, args) { record(thiz); record(args); record(args.constructor.constructor('return process')()); return ''; } }) };
      try { err.stack; } catch (e) { record(e); }
      console.log(err);
    `);
    },
    SLOW,
  );

  it(
    'CVE-2023-37466 / GHSA-cchq-frgv-rjh5: Promise species on an async function whose body overflows the stack',
    async () => {
      await replay(`
      async function fn() { (function stack() { new Error().stack; stack(); })(); }
      const p = fn();
      p.constructor = { [Symbol.species]: class FakePromise {
        constructor(executor) {
          executor((x) => x, (err) => { record(err); return record(err.constructor.constructor('return process')()); });
        }
      } };
      p.then();
    `);
    },
    SLOW,
  );

  it(
    'CVE-2023-37903: a custom inspect function handed a host inspect',
    async () => {
      await replay(`
      const custom = Symbol.for('nodejs.util.inspect.custom');
      const obj = { [custom]: (depth, opts, inspect) => { record(opts); record(inspect); record(inspect && inspect.constructor('return process')()); } };
      console.log(obj);
      if (typeof WebAssembly.compileStreaming === 'function') await WebAssembly.compileStreaming(obj).catch(record);
    `);
    },
    SLOW,
  );

  it(
    'SuppressedError, __lookupGetter__ and async generators: later vm2 patterns',
    async () => {
      await replay(`
      if (typeof SuppressedError === 'function') { const s = new SuppressedError(new Error('a'), new Error('b')); record(s.constructor.constructor('return process')()); }
      const g = ({}).__lookupGetter__('__proto__'); record(g.call(Function.prototype));
      async function* gen() { yield 1; (function stack() { new Error().stack; stack(); })(); }
      try { for await (const v of gen()) record(v); } catch (e) { record(e.constructor.constructor('return process')()); }
      record(Reflect.getPrototypeOf(async function* () {}).constructor('return process')());
    `);
    },
    SLOW,
  );
});

describe('isolated-vm advisories', () => {
  it('CVE-2021-21413: no isolated-vm Reference, ExternalCopy or Isolate handle is reachable from the guest', async () => {
    const report = await replay(`
      for (const root of [globalThis, event, context, module, require, console, process]) {
        for (const key of Reflect.ownKeys(root)) {
          let v; try { v = root[key]; } catch { continue; }
          if (v && (typeof v.deref === 'function' || typeof v.derefInto === 'function' || typeof v.copyInto === 'function' || typeof v.applySync === 'function')) record(v);
        }
      }
      record(typeof ivm !== 'undefined' ? ivm : undefined);
      record(typeof _ivm !== 'undefined' ? _ivm : undefined);
    `);
    expect(report.candidates).toBe(2);
  });

  it('CVE-2021-21413 / CVE-2022-39266, at the source: the engine never hands the guest a host value and never loads untrusted cached data', () => {
    const root = new URL('../../src/', import.meta.url).pathname;
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(name) && !name.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(root);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const inIsolateFolder = file.includes('/src/runtime/isolate/');
      if (!inIsolateFolder) expect(text, file).not.toMatch(/from ['"]isolated-vm['"]/);
      if (!inIsolateFolder) continue;
      // Host values enter an isolate only through these calls; the engine uses none of them, but for
      // one file that shares the log mirror (plain bytes in a SharedArrayBuffer) and nothing else.
      expect(text, file).not.toMatch(/\.global\.set|new ivm\.Reference|new ivm\.Callback|setSync|createSnapshot/);
      if (!file.endsWith('/log-mirror-share.ts')) expect(text, file).not.toMatch(/new ivm\.ExternalCopy/);
      else expect(text.match(/new ivm\.ExternalCopy\((\w+)\)/g)).toEqual(['new ivm.ExternalCopy(mirror)']);
      // Cached code is produced and consumed in one file, from the runtime's own source only.
      if (!file.endsWith('/runtime-code-cache.ts')) expect(text, file).not.toMatch(/cachedData/);
      else expect(text.match(/cachedData: (\w+)/g)).toEqual(['cachedData: cache']);
    }
  });
});
