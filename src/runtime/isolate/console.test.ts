// Guest console: Lambda's log line format, util.format-like formatting, and the per-invocation byte bound.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { logMessages, makeRequest, useIsolateEngine } from './test-support.ts';

const isolates = useIsolateEngine();
const small = useIsolateEngine({ maxLogBytes: 4096 });

async function logsOf(body: string): Promise<string> {
  const env = await isolates.env(`exports.handler = async () => { ${body} };`);
  return (await env.invoke(makeRequest())).logs;
}

describe('guest console', () => {
  it('writes one Lambda-format line per call: ISO time, request id, level, message', async () => {
    const env = await isolates.env(`exports.handler = async () => {
      console.log('a'); console.info('b'); console.warn('c'); console.error('d'); console.debug('e'); console.trace('f');
    };`);
    const req = makeRequest();
    const lines = (await env.invoke(req)).logs.split('\n').filter(Boolean);
    const levels = lines.map((line) => {
      const [time, requestId, level, message] = line.split('\t');
      expect(new Date(time!).toISOString()).toBe(time);
      expect(requestId).toBe(req.requestId);
      return `${level}:${message}`;
    });
    expect(levels).toEqual(['INFO:a', 'INFO:b', 'WARN:c', 'ERROR:d', 'DEBUG:e', 'TRACE:f']);
  });

  it('formats arguments like util.format: specifiers, then the rest joined by spaces', async () => {
    const logs = await logsOf(`
      console.log('%s has %d items costing %f, %i whole, %j, 100%%', 'cart', 3, 9.5, 7.9, { a: 1 });
      console.log('extra', 1, true, null, undefined, 5n, Symbol('s'));
      console.log('%s and %s', 'only one');
      console.log({ a: 1, nested: { b: [1, 2, { c: { d: 1 } }] }, s: 'str' });
      console.log([1, 'two', [3]], new Map([['k', 1]]), new Set([1]));
      console.log(function named() {}, class Klass {}, () => {});
    `);
    expect(logMessages(logs)).toEqual([
      'cart has 3 items costing 9.5, 7 whole, {"a":1}, 100%',
      'extra 1 true null undefined 5n Symbol(s)',
      'only one and %s',
      "{ a: 1, nested: { b: [ 1, 2, [Object] ] }, s: 'str' }",
      "[ 1, 'two', [ 3 ] ] Map(1) { 'k' => 1 } Set(1) { 1 }",
      '[Function: named] [class Klass] [Function (anonymous)]',
    ]);
  });

  it('survives cycles and never runs getters while inspecting', async () => {
    const logs = await logsOf(`
      const a = { name: 'a' }; a.self = a;
      const tricky = { get boom() { throw new Error('getter ran'); }, get loop() { for (;;) {} } };
      console.log(a, tricky);
    `);
    expect(logMessages(logs)).toEqual(["{ name: 'a', self: [Circular *1] } { boom: [Getter], loop: [Getter] }"]);
  });

  it('prints errors with their stack, on one line as Lambda writes it (newlines become carriage returns)', async () => {
    const logs = await logsOf(`console.error('failed:', new TypeError('bad'));`);
    expect(logs).toContain('\tERROR\tfailed: TypeError: bad\r    at ');
    expect(logs.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('cannot write a line that passes for one the platform wrote', async () => {
    const logs = await logsOf(`console.log('ok\\n2030-01-01T00:00:00.000Z\\tforged-id\\tINFO\\tREPORT forged');`);
    expect(logMessages(logs)).toEqual(['ok\r2030-01-01T00:00:00.000Z\tforged-id\tINFO\tREPORT forged']);
  });

  it('keeps the logs of one invocation out of the next one', async () => {
    const env = await isolates.env(`let n = 0; exports.handler = async () => { console.log('call', ++n); };`);
    expect(logMessages((await env.invoke(makeRequest())).logs)).toEqual(['call 1']);
    expect(logMessages((await env.invoke(makeRequest())).logs)).toEqual(['call 2']);
  });

  it('bounds an invocation’s logs, drops the rest and says so once; the next invocation logs again', async () => {
    const env = await small.env(`let n = 0; exports.handler = async () => { n++; for (let i = 0; i < 10000; i++) console.log('line', i, 'é'.repeat(20)); return n; };`);
    const flood = await env.invoke(makeRequest());
    expect(flood.outcome).toBe('ok');
    expect(Buffer.byteLength(flood.logs)).toBeLessThanOrEqual(4096);
    const lines = flood.logs.split('\n').filter(Boolean);
    expect(lines.at(-1)).toContain('[stratus] log output truncated: this invocation wrote more than 4096 bytes of logs');
    expect(lines.filter((l) => l.includes('truncated'))).toHaveLength(1);
    expect(lines[0]).toMatch(/\tINFO\tline 0 é+$/);
    const next = await env.invoke(makeRequest());
    expect(next.logs.split('\n')[0]).toMatch(/\tINFO\tline 0 /);
  });

  it('drops a single line larger than the bound instead of keeping part of it', async () => {
    const env = await small.env(`exports.handler = async () => { console.log('x'.repeat(100000)); console.log('after'); };`);
    const result = await env.invoke(makeRequest());
    expect(result.logs).not.toContain('xxxx');
    expect(result.logs).not.toContain('after');
    expect(result.logs).toContain('log output truncated');
  });

  it('supports console.assert, console.count and console.dir', async () => {
    const logs = await logsOf(`console.assert(1 === 2, 'math is %s', 'broken'); console.assert(true, 'silent'); console.count(); console.count(); console.dir({ x: 1 });`);
    expect(logMessages(logs)).toEqual(['Assertion failed: math is broken', 'default: 1', 'default: 2', '{ x: 1 }']);
  });
});
