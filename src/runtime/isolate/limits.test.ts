// Deadlines and fatal environments, and proof that a guest never blocks the host or other environments.
import { describe, expect, it } from 'vitest';
import { makeRequest, payloadOf, useIsolateEngine } from './test-support.ts';

const isolates = useIsolateEngine();
// Every step waits 400 ms for its turn: far past a 300 ms Timeout if waiting were charged.
const slowTurns = useIsolateEngine({ scheduler: { run: (_flow, step) => new Promise<void>((r) => setTimeout(r, 400)).then(step) } });

describe('stratus-isolate deadlines', () => {
  it('times out a handler that spins, with Lambda’s message, logs so far, and a fatal environment', async () => {
    const env = await isolates.env(`exports.handler = async () => { console.log('spinning'); for (;;) {} };`);
    const req = makeRequest({ timeoutMs: 300 });
    const result = await env.invoke(req);
    expect(result.outcome).toBe('error');
    expect(result.fatal).toBe('timeout');
    const error = payloadOf(result);
    expect(error.errorType).toBe('Sandbox.Timedout');
    expect(error.errorMessage).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${req.requestId} Task timed out after 0\\.30 seconds$`));
    expect(result.logs).toContain('\tINFO\tspinning\n');
    expect(result.logs).toContain('Task timed out after 0.30 seconds\n');
  });

  it('counts the Timeout from the first step and not while a step waits for its turn', async () => {
    const env = await slowTurns.env(`exports.handler = async (e, context) => {
      await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 20));
      return context.getRemainingTimeInMillis() > 0;
    };`);
    const result = await env.invoke(makeRequest({ timeoutMs: 300 }));
    expect(result.fatal).toBeUndefined();
    expect(payloadOf(result)).toBe(true);
  });

  it('refuses further invocations once fatal', async () => {
    const env = await isolates.env(`exports.handler = async (e) => { if (e.spin) for (;;) {} return 'ok'; };`);
    await env.invoke(makeRequest({ payload: '{"spin":true}', timeoutMs: 200 }));
    const after = await env.invoke(makeRequest());
    expect(after.outcome).toBe('error');
    expect(after.fatal).toBe('timeout');
    expect(payloadOf(after).errorType).toBe('Runtime.EnvironmentUnusable');
  });

  it('refuses invocations after dispose, and dispose is idempotent', async () => {
    const env = await isolates.env(`exports.handler = async () => 1;`);
    await env.dispose();
    await env.dispose();
    const result = await env.invoke(makeRequest());
    expect(result.fatal).toBe('crash');
    expect(payloadOf(result).errorType).toBe('Runtime.EnvironmentUnusable');
  });

  it('keeps the host event loop turning while a guest spins until its deadline', async () => {
    const env = await isolates.env(`exports.handler = async () => { for (;;) {} };`);
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    try {
      const result = await env.invoke(makeRequest({ timeoutMs: 600 }));
      expect(result.fatal).toBe('timeout');
    } finally {
      clearInterval(interval);
    }
    // A blocked loop would tick at most once; a turning one ticks many times in 600 ms.
    expect(ticks).toBeGreaterThan(5);
  });

  it('lets other environments finish while one spins', async () => {
    const spinner = await isolates.env(`exports.handler = async () => { for (;;) {} };`);
    const workers = await Promise.all([1, 2, 3].map(() => isolates.env(`exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 5)); return e.n * 2; };`)));
    let spinnerDone = false;
    const spinning = spinner.invoke(makeRequest({ timeoutMs: 4_000 })).then((r) => {
      spinnerDone = true;
      return r;
    });
    const answers = await Promise.all(workers.map((env, i) => env.invoke(makeRequest({ payload: JSON.stringify({ n: i }) }))));
    expect(answers.map(payloadOf)).toEqual([0, 2, 4]);
    // The others answered while the spinner was still inside its deadline.
    expect(spinnerDone).toBe(false);
    expect((await spinning).fatal).toBe('timeout');
  });

  it('refuses a second concurrent invocation on one environment without breaking the first', async () => {
    const env = await isolates.env(`exports.handler = async () => { await new Promise((r) => setTimeout(r, 50)); return 'first'; };`);
    const first = env.invoke(makeRequest());
    const second = await env.invoke(makeRequest());
    expect(payloadOf(second).errorType).toBe('Runtime.EnvironmentBusy');
    expect(second.fatal).toBeUndefined();
    expect(payloadOf(await first)).toBe('first');
  });
});
