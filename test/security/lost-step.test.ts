// A guest can make isolated-vm run its code where the isolate can no longer be stopped: a getter on
// the reason of an unhandled rejection, read while the reason is copied out. The thread keeps
// spinning (only process isolation can reclaim it), but the invocation still ends at its Timeout
// and gives its slots back. Alone in its file: the spinning thread ends with this test process.
import { expect, it } from 'vitest';
import { payloadOf, request, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine();

it('ends an invocation whose engine thread cannot be stopped, at its Timeout, with Lambda’s timeout error', async () => {
  const env = await hostile.env(`exports.handler = async () => {
    const err = new Error('x');
    Object.defineProperty(err, 'message', { get() { for (;;) {} } });
    Promise.reject(err);
    await new Promise((r) => setTimeout(r, 10));
  };`);
  const result = await env.invoke(request({ timeoutMs: 500 }));
  expect(result.fatal).toBe('timeout');
  expect(payloadOf(result).errorType).toBe('Sandbox.Timedout');
}, 15_000);
