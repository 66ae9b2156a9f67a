// Hostile handlers against the host operations behind crypto (randomness, hashing): every argument
// is checked, every answer is a fresh guest copy, no host error or stack crosses, and nothing the
// guest holds is a host object. A flood of calls is bounded work on the host.
import { describe, expect, it } from 'vitest';
import { createHostCalls, MAX_OPEN_HASHES } from '../../src/runtime/host-calls.ts';
import { HOST_SECRET, payloadOf, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine();

async function contained(body: string) {
  const result = await hostile.run(body);
  expect(result.outcome, result.payload).toBe('ok');
  expect(result.payload).not.toContain(HOST_SECRET);
  expect(result.payload).not.toMatch(/node:internal|\/work\/|host-calls\.ts|node_modules/);
  return payloadOf(result);
}

describe('host operations reached from guest code', () => {
  it('are guest functions with guest prototypes, frozen, and not on the global object by name', async () => {
    const found = await contained(`
      const native = globalThis[Symbol.for('stratus.native')];
      const fns = Object.values(native);
      return {
        kinds: fns.map((f) => typeof f),
        guestProto: fns.every((f) => Object.getPrototypeOf(f) === Function.prototype),
        frozen: Object.isFrozen(native),
        hostLike: fns.some((f) => __hostLike(f) || __escape(() => f.constructor('return process')())),
        named: Object.keys(globalThis).filter((k) => /native|host|stratus/i.test(k)),
        cryptoProto: Object.getPrototypeOf(crypto.getRandomValues) === Function.prototype,
      };`);
    expect(found).toEqual({ kinds: Array(9).fill('function'), guestProto: true, frozen: true, hostLike: false, named: [], cryptoProto: true });
  });

  it('refuse hostile arguments with guest errors: getters, proxies, wrong types, huge or shared buffers, detached buffers', async () => {
    const found = await contained(`
      const native = globalThis[Symbol.for('stratus.native')];
      const attempt = (f) => { try { const v = f(); return { ok: true, kind: Object.prototype.toString.call(v) }; } catch (e) { return { ok: false, guest: e instanceof Error, stack: String(e && e.stack) }; } };
      let getterRan = false;
      const tricky = { get length() { getterRan = true; return 4; } };
      const proxy = new Proxy(new Uint8Array(4), {});
      const detached = new Uint8Array(8); structuredClone(detached.buffer, { transfer: [detached.buffer] });
      const id = native.hashOpen('sha256');
      const results = {
        bigRandom: attempt(() => native.random(2 ** 31)),
        negRandom: attempt(() => native.random(-1)),
        objRandom: attempt(() => native.random(tricky)),
        badAlg: attempt(() => native.hashOpen('../../etc/passwd')),
        objAlg: attempt(() => native.hashOpen({ toString() { return 'sha256'; } })),
        proxyData: attempt(() => native.hashUpdate(id, proxy)),
        sharedData: attempt(() => native.hashUpdate(id, new Uint8Array(new SharedArrayBuffer(8)))),
        stringData: attempt(() => native.hashUpdate(id, 'abc')),
        detachedData: attempt(() => native.hashUpdate(id, detached)),
        unknownId: attempt(() => native.hashUpdate(987654, new Uint8Array(1))),
        twiceDigest: (() => { const h = native.hashOpen('sha1'); native.hashDigest(h); return attempt(() => native.hashDigest(h)); })(),
        bigGetRandom: attempt(() => crypto.getRandomValues(new Uint8Array(65537))),
        floatGetRandom: attempt(() => crypto.getRandomValues(new Float64Array(2))),
        spoofed: attempt(() => crypto.getRandomValues({ [Symbol.toStringTag]: 'Uint8Array', length: 4, buffer: new ArrayBuffer(4) })),
      };
      return { ran: true, getterRan, results };`);
    const results = found.results as Record<string, { ok: boolean; guest?: boolean; stack?: string }>;
    for (const [name, r] of Object.entries(results)) {
      if (name === 'objAlg') continue; // String() of an object is its own (guest-side) business: it hashes with 'sha256'.
      if (name === 'proxyData') continue; // A proxy over a real Uint8Array reads as that array: checked below.
      if (name === 'sharedData') continue; // The guest side sends an unshared copy (the host refuses shared memory itself: below).
      if (name === 'detachedData') continue; // A detached view has no bytes: it hashes as empty input.
      expect({ name, ok: r.ok }).toEqual({ name, ok: false });
      expect(r.guest, name).toBe(true);
      expect(r.stack, name).not.toMatch(/node:internal|host-calls|\.ts:/);
    }
    expect(found.getterRan).toBe(false);
    expect(results.proxyData?.ok).toBe(false);
    expect(results.sharedData?.ok).toBe(true);
    expect(results.detachedData?.ok).toBe(true);
  });

  it('answer with exact fresh copies: random bytes never carry other memory of the host', async () => {
    const found = await contained(`
      const native = globalThis[Symbol.for('stratus.native')];
      const small = native.random(3);
      const digest = native.hashDigest(native.hashOpen('md5'));
      return { small: [small.byteLength, small.buffer.byteLength], digest: [digest.byteLength, digest.buffer.byteLength], text: String.fromCharCode(...native.random(65536)).includes(${JSON.stringify(HOST_SECRET)}) };`);
    expect(found).toEqual({ small: [3, 3], digest: [16, 16], text: false });
  });

  it('keep a bounded number of hashes open per environment, dropping the oldest', () => {
    const calls = createHostCalls();
    const first = calls.call('hashOpen', 'sha256');
    for (let i = 0; i < MAX_OPEN_HASHES; i++) calls.call('hashOpen', 'sha256');
    expect(first[0]).toBe(true);
    expect(calls.call('hashUpdate', first[1], new Uint8Array(1))).toEqual([false, expect.stringMatching(/no longer open/)]);
    calls.dispose();
  });

  it('never throw, whatever they are given (a host error would carry the host’s stack)', () => {
    const calls = createHostCalls();
    const weird: unknown[] = [undefined, null, 0, -1, 1e308, Number.NaN, '', 'x'.repeat(1e6), {}, [], () => 1, Symbol('s'), new Uint8Array(2 ** 21), new SharedArrayBuffer(4)];
    for (const op of ['random', 'hashOpen', 'hashUpdate', 'hashDigest', 'keyImport', 'keyPublic', 'keyExport', 'sign', 'verify', 'nope', undefined, 7]) {
      for (const a of weird) for (const b of weird.slice(0, 6)) expect(() => calls.call(op, a, b, a, b, a)).not.toThrow();
    }
    // Keys: unreadable input, hostile specs and a wrong algorithm all answer [false, a message of our own].
    for (const spec of [
      { data: 'junk' },
      { data: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' },
      { data: '{', format: 'jwk' },
      { data: new Uint8Array(10), format: 'der' },
      { data: 'x', format: 'pkcs12' },
      { data: 'x', type: '../x' },
    ]) {
      const answer = calls.call('keyImport', 'private', spec);
      expect(answer[0]).toBe(false);
      expect(String(answer[1])).not.toMatch(/error:[0-9A-F]{8}|node:internal|\.ts:/);
    }
    const id = calls.call('hashOpen', 'sha256')[1];
    expect(calls.call('hashUpdate', id, new Uint8Array(2 ** 21))).toEqual([false, expect.stringMatching(/at most 1048576/)]);
    expect(calls.call('hashUpdate', id, new Uint8Array(new SharedArrayBuffer(4)))).toEqual([false, expect.stringMatching(/SharedArrayBuffer/)]);
    expect(calls.call('hashOpen', 'sha256', new Uint8Array(new SharedArrayBuffer(4)))).toEqual([false, expect.stringMatching(/SharedArrayBuffer/)]);
  });

  it('a guest hashing and drawing randomness in a loop stays within its own time and memory limits', async () => {
    const result = await hostile.run(
      `const { createHash } = { createHash: (a) => { const n = globalThis[Symbol.for('stratus.native')]; const id = n.hashOpen(a); return { update: (d) => (n.hashUpdate(id, d), 0) }; } };
       const h = createHash('sha256'); const chunk = new Uint8Array(1 << 20); for (;;) { h.update(chunk); crypto.getRandomValues(new Uint8Array(65536)); }`,
      { timeoutMs: 500 },
    );
    expect(result.fatal).toBe('timeout');
  });
});
