// Web and Node globals the guest runtime provides inside the sandbox.
import { describe, expect, it } from 'vitest';
import { makeRequest, payloadOf, useIsolateEngine } from './test-support.ts';

const isolates = useIsolateEngine();

async function run(body: string): Promise<unknown> {
  const env = await isolates.env(`exports.handler = async (event) => { ${body} };`);
  const result = await env.invoke(makeRequest());
  if (result.outcome !== 'ok') throw new Error(result.payload);
  return payloadOf(result);
}

describe('guest globals', () => {
  it('encodes and decodes UTF-8 like Node', async () => {
    const text = 'héllo, 世界 🌍 \u{10FFFF}';
    const bytes = [...Buffer.from(text, 'utf8')];
    const got = await run(`
      const bytes = new TextEncoder().encode(${JSON.stringify(text)});
      return { bytes: Array.from(bytes), back: new TextDecoder().decode(bytes), lone: Array.from(new TextEncoder().encode('\\ud800')) };
    `);
    expect(got).toEqual({ bytes, back: text, lone: [0xef, 0xbf, 0xbd] });
  });

  it('replaces invalid UTF-8 with U+FFFD, or throws when fatal', async () => {
    const got = await run(`
      const bad = new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82, 0x63, 0xf0, 0x9f]);
      let fatal; try { new TextDecoder('utf-8', { fatal: true }).decode(bad); } catch (e) { fatal = e.name; }
      return { lenient: new TextDecoder().decode(bad), fatal, bom: new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])) };
    `);
    expect(got).toEqual({ lenient: Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x82, 0x63, 0xf0, 0x9f]).toString('utf8'), fatal: 'TypeError', bom: 'A' });
  });

  it('provides atob and btoa', async () => {
    const samples = ['', 'a', 'ab', 'abc', 'hello world', '\u00ff\u0000\u0080'];
    const got = await run(`
      const samples = ${JSON.stringify(samples)};
      let bad; try { btoa('☃'); } catch (e) { bad = e.name; }
      let badIn; try { atob('a'); } catch (e) { badIn = e.name; }
      return { enc: samples.map(btoa), dec: samples.map((s) => atob(btoa(s))), spaced: atob(' aGVs bG8= '), bad, badIn };
    `);
    expect(got).toEqual({
      enc: samples.map((s) => Buffer.from(s, 'latin1').toString('base64')),
      dec: samples,
      spaced: 'hello',
      bad: 'InvalidCharacterError',
      badIn: 'InvalidCharacterError',
    });
  });

  it('provides structuredClone for plain data, dates, maps, sets, typed arrays and cycles', async () => {
    const got = await run(`
      const src = { d: new Date(5), m: new Map([[1, { x: 1 }]]), s: new Set(['a']), u: new Uint8Array([1, 2]), list: [1, { y: 2 }] };
      src.self = src;
      const copy = structuredClone(src);
      let fnError; try { structuredClone({ f() {} }); } catch (e) { fnError = e.name; }
      return {
        distinct: copy !== src && copy.m.get(1) !== src.m.get(1) && copy.list[1] !== src.list[1],
        cycle: copy.self === copy,
        date: copy.d instanceof Date && copy.d.getTime() === 5,
        set: copy.s.has('a'),
        bytes: Array.from(copy.u),
        fnError,
        proto: Object.getPrototypeOf(structuredClone(JSON.parse('{"__proto__":{"polluted":1}}'))) === Object.prototype,
      };
    `);
    expect(got).toEqual({ distinct: true, cycle: true, date: true, set: true, bytes: [1, 2], fnError: 'DataCloneError', proto: true });
  });

  it('clones a typed array as its built-in kind, whatever its class or `constructor` property says, as Node does', async () => {
    const got = await run(`
      class Bytes extends Uint8Array {}
      const sub = structuredClone(new Bytes([1, 2]));
      const shadowed = new Uint16Array([3, 4]);
      shadowed.constructor = null;
      const copy = structuredClone(shadowed);
      const view = new Int32Array(new ArrayBuffer(16), 4, 2);
      view[1] = 7;
      const part = structuredClone(view);
      return { sub: [sub.constructor.name, Array.from(sub)], copy: [Object.getPrototypeOf(copy) === Uint16Array.prototype, Array.from(copy)], part: [part.byteOffset, Array.from(part)] };
    `);
    expect(got).toEqual({ sub: ['Uint8Array', [1, 2]], copy: [true, [3, 4]], part: [4, [0, 7]] });
  });

  it('has global and performance.now, and no require or Buffer on the global object', async () => {
    const got = await run(`return {
      global: global === globalThis,
      perf: typeof performance.now(),
      buffer: typeof Buffer,
      requireGlobal: typeof globalThis.require,
    };`);
    expect(got).toEqual({ global: true, perf: 'number', buffer: 'undefined', requireGlobal: 'undefined' });
  });

  it('has the process a Lambda handler on Node.js reads, with nothing of the host', async () => {
    const got = await run(`
      const [s, ns] = process.hrtime();
      const d = process.hrtime([s, ns]);
      let listened = 0;
      const fn = () => listened++;
      process.on('beforeExit', fn).once('warning', fn);
      const counted = process.listenerCount('beforeExit') + process.listenerCount('warning');
      process.off('beforeExit', fn);
      return {
        version: process.version, node: process.versions.node, v8: process.versions.v8,
        platform: process.platform, arch: process.arch, cwd: process.cwd(), pid: process.pid,
        hrtime: Number.isInteger(s) && Number.isInteger(ns) && d[0] >= 0, big: typeof process.hrtime.bigint(),
        uptime: process.uptime() >= 0, mem: typeof process.memoryUsage().heapUsed,
        counted, left: process.listenerCount('beforeExit'),
        chdir: (() => { try { process.chdir('/'); return 'changed'; } catch (e) { return e.message; } })(),
      };`);
    expect(got).toMatchObject({
      version: process.version,
      node: process.versions.node,
      v8: process.versions.v8,
      platform: 'linux',
      arch: 'x64',
      cwd: '/var/task',
      pid: 1,
      hrtime: true,
      big: 'bigint',
      uptime: true,
      mem: 'number',
      counted: 2,
      left: 0,
      chdir: expect.stringMatching(/always \/var\/task/),
    });
  });
});
