// Hostile handlers against the host operations behind crypto (randomness, hashing): every argument
// is checked, every answer is a fresh guest copy, no host error or stack crosses, and nothing the
// guest holds is a host object. A flood of calls is bounded work on the host.
import { Buffer } from 'node:buffer';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHostCalls, MAX_OPEN_HASHES } from '../../src/runtime/host-calls.ts';
import { functionId, partitionOf } from '../../src/shared/identity.ts';
import { HOST_SECRET, payloadOf, request, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine();

async function contained(body: string, memoryMb?: number) {
  const result = await hostile.run(body, {}, memoryMb === undefined ? {} : { memoryMb });
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

/**
 * The longest the host's event loop went without a turn while `work` ran: isolated-vm copies a host
 * call's arguments on that thread, so a stall here is a stall of every environment in the process.
 */
async function longestStall<T>(work: Promise<T>): Promise<{ value: T; stallMs: number }> {
  let stallMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    return { value: await work, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('what a host call copies onto the host is bounded before it crosses', () => {
  it('a huge object passed as a hash id is refused in the guest: the host never copies it and other environments keep answering', async () => {
    const bystanders = await hostile.bystanders();
    // About a million objects: copied onto the host's main thread this took over two seconds and
    // some 300 MB of the engine worker's memory; with a larger MemorySize it would exhaust it.
    const env = await hostile.env(
      `exports.handler = async () => {
        const native = globalThis[Symbol.for('stratus.native')];
        const huge = []; for (let i = 0; i < 1e6; i++) huge.push({ a: i, b: 'x' + i });
        let read = 0;
        const watched = { get a() { read++; return 1; } };
        const attempt = (f) => { try { f(); return 'accepted'; } catch (e) { return e.name + ': ' + e.message; } };
        const started = Date.now();
        const results = [
          attempt(() => native.hashDigest(huge)),
          attempt(() => native.hashUpdate(huge, new Uint8Array(1))),
          attempt(() => native.hashDigest(watched)),
          attempt(() => native.hashUpdate(watched, new Uint8Array(1))),
          attempt(() => native.hashDigest('1')),
        ];
        return { results, read, ms: Date.now() - started };
      };`,
      { memoryMb: 512 },
    );
    const { value: result, stallMs } = await longestStall(bystanders.invokeDuring(env.invoke(request({ timeoutMs: 20_000 }))));
    expect(result.outcome, result.payload).toBe('ok');
    const found = payloadOf(result);
    expect(found.results).toEqual(Array(5).fill('TypeError: the hash id must be the number hashOpen returned'));
    // Copying an object reads its getters: this one was never read, so it never started to cross.
    expect(found.read).toBe(0);
    expect(found.ms).toBeLessThan(500);
    expect(stallMs).toBeLessThan(1_000);
  });

  it('a view over a large buffer, a species or a replaced Uint8Array cannot make a hash call carry more than the bytes it names', async () => {
    const env = await hostile.env(
      `exports.handler = async () => {
        const native = globalThis[Symbol.for('stratus.native')];
        const big = new ArrayBuffer(200 * 1048576);
        let consulted = 0;
        const Real = Uint8Array;
        // slice() would build its copy with this: a 10-byte view over 200 MB, all of it copied across.
        Real.prototype.constructor = { get [Symbol.species]() { consulted++; return function (n) { return new Real(big, 0, n); }; } };
        globalThis.Uint8Array = function (...args) { consulted++; return new Real(big, 0, 10); };
        const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
        const started = Date.now();
        const digests = [];
        for (let i = 0; i < 10; i++) {
          const id = native.hashOpen('md5');
          native.hashUpdate(id, new Real(big, 1000, 10));
          digests.push(hex(native.hashDigest(id)));
        }
        const hmac = native.hashOpen('sha256', new Real(big, 0, 10));
        digests.push(hex(native.hashDigest(hmac)));
        return { consulted, digests: [...new Set(digests)], ms: Date.now() - started };
      };`,
      { memoryMb: 512 },
    );
    const { value: result, stallMs } = await longestStall(env.invoke(request({ timeoutMs: 20_000 })));
    expect(result.outcome, result.payload).toBe('ok');
    const found = payloadOf(result);
    const zeros = Buffer.alloc(10);
    expect(found.digests).toEqual([createHash('md5').update(zeros).digest('hex'), createHmac('sha256', zeros).digest('hex')]);
    expect(found.consulted).toBe(0);
    expect(found.ms).toBeLessThan(500);
    expect(stallMs).toBeLessThan(1_000);
  });

  it('an oversized algorithm name or HMAC key is refused in the guest, before it is copied', async () => {
    const found = await contained(
      `
      const native = globalThis[Symbol.for('stratus.native')];
      const attempt = (f) => { try { f(); return 'accepted'; } catch (e) { return e.name + ': ' + e.message; } };
      const name = 'sha256'.repeat(20 * 1048576);
      const key = new Uint8Array(100 * 1048576);
      const started = Date.now();
      const results = [attempt(() => native.hashOpen(name)), attempt(() => native.hashOpen('sha256', key)), attempt(() => native.hashOpen('sha256', new Uint8Array(1048577)))];
      return { results, ms: Date.now() - started };`,
      512,
    );
    expect(found.results).toEqual([
      'Error: Digest method not supported',
      'RangeError: The key is 104857600 bytes; at most 1048576 are accepted',
      'RangeError: The key is 1048577 bytes; at most 1048576 are accepted',
    ]);
    expect(found.ms).toBeLessThan(500);
  });
});

describe('the runtime’s own use of built-ins guest code can replace', () => {
  it('randomness and hashing stay exact when typed-array getters, Math, slice and the Uint8Array global are replaced', async () => {
    const env = await hostile.env(`
      const native = globalThis[Symbol.for('stratus.native')];
      const TA = Object.getPrototypeOf(Uint8Array.prototype);
      const Real = Uint8Array;
      const size = Object.getOwnPropertyDescriptor(TA, 'byteLength').get;
      const hex = (b) => { let s = ''; for (let i = 0; i < size.call(b); i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; };
      const digest = (alg, data) => { const id = native.hashOpen(alg); native.hashUpdate(id, data); return hex(native.hashDigest(id)); };
      exports.handler = async (event) => {
        const data = new Real(3 * 1048576 + 5).fill(7);
        const view = new Real(data.buffer, 5, 10);
        if (event.pollute) {
          for (const name of ['buffer', 'byteOffset', 'byteLength', 'length']) Object.defineProperty(TA, name, { get() { return 1e12; }, configurable: true });
          TA.slice = TA.set = TA.subarray = () => { throw new Error('polluted'); };
          Math.min = Math.max = Math.floor = () => 1e12;
          Array.prototype.indexOf = () => 0;
          globalThis.Uint8Array = function () { throw new Error('polluted'); };
        }
        const random = native.random(16);
        const filled = crypto.getRandomValues(new Real(8));
        return { sha: digest('sha256', data), md5: digest('md5', view), random: size.call(random), filled: size.call(filled), uuid: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()) };
      };`);
    const clean = await env.invoke(request());
    expect(clean.outcome, clean.payload).toBe('ok');
    const polluted = await env.invoke(request({ payload: '{"pollute":true}' }));
    expect(polluted.outcome, polluted.payload).toBe('ok');
    // Same answers after pollution as before it, and as the host computes them.
    expect(payloadOf(polluted)).toEqual(payloadOf(clean));
    expect(payloadOf(clean)).toMatchObject({
      sha: createHash('sha256')
        .update(Buffer.alloc(3 * 1048576 + 5, 7))
        .digest('hex'),
      md5: createHash('md5').update(Buffer.alloc(10, 7)).digest('hex'),
      random: 16,
      filled: 8,
      uuid: true,
    });
  });
});

describe('host-side hash state between environments', () => {
  it('an environment cannot feed, read or close a hash another environment (another tenant) holds open', async () => {
    const owner = await hostile.env(
      `const native = globalThis[Symbol.for('stratus.native')];
       let id;
       exports.handler = async (event) => {
         if (event.open) { id = native.hashOpen('sha256'); native.hashUpdate(id, new TextEncoder().encode('secret of tenant a')); return id; }
         return Array.from(native.hashDigest(id), (b) => b.toString(16).padStart(2, '0')).join('');
       };`,
      { partition: partitionOf(functionId('123456789012', 'hostile'), '1', 'tenant-a') },
    );
    const opened = await owner.invoke(request({ payload: '{"open":true}' }));
    expect(opened.outcome, opened.payload).toBe('ok');
    const snooper = await hostile.env(
      `const native = globalThis[Symbol.for('stratus.native')];
       exports.handler = async (event) => {
         const tries = [];
         for (let id = 0; id <= event.upTo; id++) {
           try { native.hashUpdate(id, new Uint8Array([1])); tries.push('fed ' + id); } catch {}
           try { native.hashDigest(id); tries.push('read ' + id); } catch {}
         }
         return tries;
       };`,
      { partition: partitionOf(functionId('123456789012', 'hostile'), '1', 'tenant-b') },
    );
    const snooped = await snooper.invoke(request({ payload: JSON.stringify({ upTo: payloadOf(opened) + 300 }) }));
    expect(snooped.outcome, snooped.payload).toBe('ok');
    expect(payloadOf(snooped)).toEqual([]);
    // The owner's hash saw only its own input, and is still open.
    const digest = await owner.invoke(request());
    expect(payloadOf(digest)).toBe(createHash('sha256').update('secret of tenant a').digest('hex'));
  });
});

describe('key and signature operations reached from guest code', () => {
  it('refuse oversized or mistyped arguments in the guest, before anything is copied to the host', async () => {
    const found = await contained(`
      const native = globalThis[Symbol.for('stratus.native')];
      const attempt = (f) => { try { f(); return 'crossed'; } catch (e) { return e.name + ': ' + e.message; } };
      const big = 'x'.repeat(2 * 1024 * 1024);
      const many = { toString() { return 'sha256'; } };
      return {
        bigPem: attempt(() => native.keyImport('private', big)),
        bigFormat: attempt(() => native.keyImport('private', 'k', 'p'.repeat(100))),
        objectId: attempt(() => native.sign('sha256', { id: new Array(1e5).fill({}) }, new Uint8Array(1))),
        stringId: attempt(() => native.keyExport('1')),
        bigAlgorithm: attempt(() => native.sign('a'.repeat(1e6), 1, new Uint8Array(1))),
        bigData: attempt(() => native.verify('sha256', 1, new Uint8Array(17 * 1024 * 1024), new Uint8Array(1))),
        unknownKey: attempt(() => native.keyPublic(424242)),
        objectAlgorithm: attempt(() => native.sign(many, 1, new Uint8Array(1))),
      };`);
    expect(found).toMatchObject({
      bigPem: expect.stringMatching(/^RangeError: The key is longer than 1048576/),
      bigFormat: expect.stringMatching(/^RangeError: The key format is longer than 64/),
      objectId: expect.stringMatching(/^TypeError: the key id must be the number/),
      stringId: expect.stringMatching(/^TypeError: the key id must be the number/),
      bigAlgorithm: expect.stringMatching(/^Error: Invalid digest/),
      bigData: expect.stringMatching(/^RangeError: The data is 17825792 bytes/),
      unknownKey: expect.stringMatching(/^Error: this key is no longer available/),
    });
    expect(String(found.objectAlgorithm)).toMatch(/^Error: this key is no longer available/);
  });
});
