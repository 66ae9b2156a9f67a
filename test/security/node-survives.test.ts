// Guests that tried to take the whole node down: timer storms aimed at isolated-vm's timer thread,
// reports forged through Object.prototype, results too large to copy, memory the isolate's limit
// does not count. Each fails only its own invocation while bystanders keep answering.
import { describe, expect, it } from 'vitest';
import { countingScheduler } from '../../src/runtime/isolate/test-support.ts';
import { payloadOf, request, useHostileEngine } from './isolate-support.ts';

// Every call into an environment goes through the engine's scheduler, which counts them by flow.
const counting = countingScheduler();
const hostile = useHostileEngine({ maxLogBytes: 64 * 1024, scheduler: counting.scheduler });

/** An environment whose guest steps are counted, from after its init. */
async function countedEnv(code: string) {
  const c = counting.counted('hostile');
  const env = await hostile.env(code, { partition: c.partition });
  const atStart = c.steps();
  return { env, steps: () => c.steps() - atStart };
}

describe('timer storms', () => {
  it('four setImmediate loops running to their Timeout time out, take a bounded number of steps, and leave the node serving', async () => {
    const bystanders = await hostile.bystanders();
    const loops = await Promise.all([0, 1, 2, 3].map(() => countedEnv(`exports.handler = async () => { for (;;) await new Promise((r) => setImmediate(r)); };`)));
    const results = await bystanders.invokeDuring(Promise.all(loops.map((loop) => loop.env.invoke(request({ timeoutMs: 3_000 })))));
    for (const [i, result] of results.entries()) {
      expect(result.fatal).toBe('timeout');
      expect(payloadOf(result).errorType).toBe('Sandbox.Timedout');
      // 64 at once, then 250 a second: a guest cannot make the host call it thousands of times.
      expect(loops[i]!.steps()).toBeLessThanOrEqual(64 + 250 * 4);
    }
  });

  it('a timer that re-arms itself with 0 ms, and an interval of 1 ms, time out without flooding the host with steps', async () => {
    for (const body of ['const again = () => setTimeout(again, 0); again();', 'setInterval(() => {}, 1);']) {
      const { env, steps } = await countedEnv(`exports.handler = async () => { ${body} await new Promise(() => {}); };`);
      const result = await env.invoke(request({ timeoutMs: 2_000 }));
      expect(result.fatal).toBe('timeout');
      expect(steps()).toBeLessThanOrEqual(64 + 250 * 3);
    }
  });

  it('a handler that keeps thousands of timers pending still answers, and its logs show it ran', async () => {
    const env = await hostile.env(`exports.handler = async () => {
      for (let i = 0; i < 20000; i++) setTimeout(() => {}, 1 + (i % 50));
      await new Promise((r) => setTimeout(r, 60));
      console.log('done waiting');
      return 'ok';
    };`);
    const result = await env.invoke(request({ timeoutMs: 10_000 }));
    expect(payloadOf(result)).toBe('ok');
    expect(result.logs).toContain('done waiting');
  });
});

describe('forged reports', () => {
  it('Object.prototype.toJSON cannot turn a result into an endless "pending" report or a non-JSON body', async () => {
    const env = await hostile.env(`exports.handler = async (e) => {
      Object.prototype.toJSON = function () { return { state: 'pending', nextTimerAt: 0, logs: '2030-01-01T00:00:00.000Z\\tx\\tINFO\\tforged\\n' }; };
      return { real: true };
    };`);
    const result = await env.invoke(request({ timeoutMs: 2_000 }));
    expect(result.fatal).toBeUndefined();
    // Whatever the guest's toJSON makes of its own result is valid JSON; the report itself is untouched.
    expect(() => JSON.parse(result.payload)).not.toThrow();
    expect(result.logs).not.toContain('forged');
  });

  it('getters and toJSON returning undefined on Object.prototype do not break the protocol', async () => {
    const env = await hostile.env(`exports.handler = async () => {
      for (const key of ['state', 'outcome', 'payload', 'logs', 'nextTimerAt']) Object.defineProperty(Object.prototype, key, { get() { return 'pending'; }, configurable: true });
      Object.prototype.toJSON = () => undefined;
      Array.prototype.toJSON = () => undefined;
      String.prototype.toJSON = () => 'forged';
      return 'fine';
    };`);
    const result = await env.invoke(request({ timeoutMs: 2_000 }));
    expect(result.fatal).toBeUndefined();
    expect(result.outcome).toBe('ok');
    expect(payloadOf(result)).toBe('fine');
  });
});

describe('results too large to copy', () => {
  it('a 7 MB result is refused inside the sandbox, with Lambda’s error, and the environment lives on', async () => {
    const env = await hostile.env(`let n = 0; exports.handler = async () => (++n === 1 ? 'x'.repeat(7 * 1024 * 1024) : 'small');`, { memoryMb: 256 });
    const result = await env.invoke(request({ timeoutMs: 10_000 }));
    expect(result.outcome).toBe('error');
    expect(result.fatal).toBeUndefined();
    expect(payloadOf(result).errorType).toBe('Function.ResponseSizeTooLarge');
    expect(result.payload.length).toBeLessThan(1024);
    expect(payloadOf(await env.invoke(request()))).toBe('small');
  });

  it('a thrown error with a huge message is refused the same way', async () => {
    const env = await hostile.env(`exports.handler = async () => { throw new Error('y'.repeat(7 * 1024 * 1024)); };`, { memoryMb: 256 });
    const result = await env.invoke(request({ timeoutMs: 10_000 }));
    expect(payloadOf(result).errorType).toBe('Function.ResponseSizeTooLarge');
  });
});

describe('memory the isolate limit would not count', () => {
  it('offers no WebAssembly, and refuses resizable and growable buffers', async () => {
    const result = await hostile.run(`
      const out = { wasm: typeof WebAssembly };
      for (const [name, make] of [
        ['resizable', () => new ArrayBuffer(0, { maxByteLength: 2 ** 31 })],
        ['growable', () => new SharedArrayBuffer(0, { maxByteLength: 2 ** 31 })],
        ['via constructor', () => new (new Uint8Array(1).buffer.constructor)(0, { maxByteLength: 2 ** 31 })],
        ['via subclass', () => new (class extends ArrayBuffer {})(0, { maxByteLength: 2 ** 31 })],
      ]) {
        try { make(); out[name] = 'allowed'; } catch (err) { out[name] = err.name; }
      }
      out.plain = new ArrayBuffer(16).byteLength;
      out.instance = new Uint8Array(4).buffer instanceof ArrayBuffer;
      return out;
    `);
    expect(payloadOf(result)).toEqual({
      wasm: 'undefined',
      resizable: 'RangeError',
      growable: 'RangeError',
      'via constructor': 'RangeError',
      'via subclass': 'RangeError',
      plain: 16,
      instance: true,
    });
  });

  it('offers no Atomics.waitAsync, whose timeout aborted the whole process under isolated-vm', async () => {
    const env = await hostile.env(
      `const wait = Atomics.waitAsync; exports.handler = async () => { if (wait) wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); return typeof Atomics.waitAsync; };`,
    );
    expect(payloadOf(await env.invoke(request()))).toBe('undefined');
  });

  it('counts the memory Intl objects hold outside the heap: formatter and segmenter floods hit MemorySize, not the host', async () => {
    for (const body of [
      `for (let i = 0; i < 20000; i++) keep.push(new Intl.DateTimeFormat('en', { timeZone: ['UTC', 'Europe/Paris', 'Asia/Tokyo'][i % 3], dateStyle: 'full', timeStyle: 'full' }));`,
      `const seg = new Intl.Segmenter('en'); const big = 'a'.repeat(5e6); for (let i = 0; i < 100; i++) { const s = seg.segment(big); keep.push(s, s[Symbol.iterator]()); }`,
    ]) {
      const env = await hostile.env(`const keep = []; exports.handler = async () => { ${body} return keep.length; };`, { memoryMb: 128 });
      const before = process.memoryUsage().rss;
      const result = await env.invoke(request({ timeoutMs: 20_000 }));
      expect(result.outcome).toBe('error');
      // Without the count: +1.5 GB for the formatters and +8 GB for segments of a 128 MB function.
      expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
    }
  });

  it('keeps Intl working as code expects it', async () => {
    const result = await hostile.run(`
      const nf = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' });
      class Fmt extends Intl.DateTimeFormat {}
      const words = [...new Intl.Segmenter('en', { granularity: 'word' }).segment('hello big world')].filter((s) => s.isWordLike).map((s) => s.segment);
      return { price: nf.format(1234.5), plain: Intl.DateTimeFormat('en', { timeZone: 'UTC' }).format(new Date(0)), instance: nf instanceof Intl.NumberFormat,
        subclass: new Fmt('en') instanceof Intl.DateTimeFormat, supported: Intl.NumberFormat.supportedLocalesOf(['en']), locale: (1234.5).toLocaleString('de'), words };
    `);
    expect(payloadOf(result)).toEqual({
      price: '€1,234.50',
      plain: '1/1/1970',
      instance: true,
      subclass: true,
      supported: ['en'],
      locale: '1.234,5',
      words: ['hello', 'big', 'world'],
    });
  });

  it('plain buffers past MemorySize stop the environment with Runtime.OutOfMemory', async () => {
    const env = await hostile.env(`exports.handler = async () => { const keep = []; for (;;) keep.push(new ArrayBuffer(16 * 1024 * 1024)); };`, { memoryMb: 64 });
    const result = await env.invoke(request({ timeoutMs: 10_000 }));
    expect(result.outcome).toBe('error');
    // isolated-vm answers an allocation it refuses with a RangeError the guest sees, or disposes the isolate.
    expect(['Runtime.OutOfMemory', 'RangeError']).toContain(payloadOf(result).errorType);
  });

  it('reports the memory an environment holds after each invocation, array buffers included', async () => {
    const env = await hostile.env(`const keep = []; exports.handler = async () => { keep.push(new ArrayBuffer(8 * 1024 * 1024)); return keep.length; };`, { memoryMb: 128 });
    const before = env.memory().used;
    await env.invoke(request());
    const after = env.memory().used;
    expect(after - before).toBeGreaterThanOrEqual(8 * 1024 * 1024);
  });
});
