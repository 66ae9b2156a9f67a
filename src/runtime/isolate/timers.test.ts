// Guest timers: kept in guest JS, fired by the host's pump calls, in Node's order.
import { describe, expect, it } from 'vitest';
import { logMessages, makeRequest, payloadOf, useIsolateEngine } from './test-support.ts';

const isolates = useIsolateEngine();

describe('guest timers', () => {
  it('fires timeouts in due order, immediates first, with microtasks drained between callbacks', async () => {
    const env = await isolates.env(`exports.handler = () => new Promise((resolve) => {
      const order = [];
      setTimeout(() => { order.push('t30'); resolve(order); }, 30);
      setTimeout(() => { order.push('t10'); Promise.resolve().then(() => order.push('micro-after-t10')); }, 10);
      setTimeout(() => order.push('t10-second'), 10);
      setTimeout(() => order.push('t0'), 0);
      setImmediate(() => order.push('immediate'));
      queueMicrotask(() => order.push('microtask'));
      process.nextTick(() => order.push('tick'));
    });`);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual(['microtask', 'tick', 'immediate', 't0', 't10', 'micro-after-t10', 't10-second', 't30']);
  });

  it('passes extra arguments to timer callbacks', async () => {
    const env = await isolates.env(`exports.handler = () => new Promise((r) => setTimeout((a, b) => r(a + b), 1, 2, 3));`);
    expect(payloadOf(await env.invoke(makeRequest()))).toBe(5);
  });

  it('does not fire a cleared timeout, by handle or by numeric id', async () => {
    const env = await isolates.env(`exports.handler = () => new Promise((resolve) => {
      const fired = [];
      const a = setTimeout(() => fired.push('a'), 5);
      const b = setTimeout(() => fired.push('b'), 5);
      const c = setImmediate(() => fired.push('c'));
      clearTimeout(a); clearTimeout(+b); clearImmediate(c);
      setTimeout(() => resolve(fired), 20);
    });`);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual([]);
  });

  it('repeats an interval until cleared', async () => {
    const env = await isolates.env(`exports.handler = () => new Promise((resolve) => {
      let n = 0;
      const iv = setInterval(() => { n++; if (n === 4) { clearInterval(iv); setTimeout(() => resolve(n), 30); } }, 5);
    });`);
    expect(payloadOf(await env.invoke(makeRequest()))).toBe(4);
  });

  it('does not wait for unref’ed timers, and fails a handler left with only those', async () => {
    const env = await isolates.env(`exports.handler = (e) => new Promise((resolve) => {
      setTimeout(() => resolve('late'), 60000).unref();
      if (e.resolve) resolve('now');
    });`);
    expect(payloadOf(await env.invoke(makeRequest({ payload: '{"resolve":true}' })))).toBe('now');
    expect(payloadOf(await env.invoke(makeRequest()))).toMatchObject({ errorType: 'Runtime.NodeJsExit' });
  });

  it('keeps timers left by one invocation and fires them during a later one, as a thawed Lambda does', async () => {
    const env = await isolates.env(`
      let ticks = 0;
      exports.handler = async (e) => {
        if (e.start) { setTimeout(() => { ticks++; console.log('leftover fired'); }, 20); return 'started'; }
        await new Promise((r) => setTimeout(r, 60));
        return ticks;
      };`);
    expect(payloadOf(await env.invoke(makeRequest({ payload: '{"start":true}' })))).toBe('started');
    const later = await env.invoke(makeRequest());
    expect(payloadOf(later)).toBe(1);
    expect(logMessages(later.logs)).toEqual(['leftover fired']);
  });

  it('fails the invocation with an error thrown by a timer callback, logs it, and keeps the environment', async () => {
    const env = await isolates.env(`exports.handler = async (e) => {
      if (e.fine) return 'fine';
      setTimeout(() => { throw new TypeError('timer blew up'); }, 1);
      await new Promise((r) => setTimeout(r, 50));
      return 'unreachable';
    };`);
    const result = await env.invoke(makeRequest());
    expect(result.fatal).toBeUndefined();
    expect(payloadOf(result)).toMatchObject({ errorType: 'TypeError', errorMessage: 'timer blew up' });
    expect(result.logs).toContain('\tERROR\tUncaught Exception \t{"errorType":"TypeError","errorMessage":"timer blew up"');
    expect(payloadOf(await env.invoke(makeRequest({ payload: '{"fine":true}' })))).toBe('fine');
  });

  it('times out a handler awaiting a timer due after its deadline', async () => {
    const env = await isolates.env(`exports.handler = () => new Promise((r) => setTimeout(r, 60000));`);
    const req = makeRequest({ timeoutMs: 200 });
    const result = await env.invoke(req);
    expect(result.fatal).toBe('timeout');
    expect(payloadOf(result).errorType).toBe('Sandbox.Timedout');
  });
});
