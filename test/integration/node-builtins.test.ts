// Node.js built-in modules and globals inside stratus-isolate: handlers that import them deploy and
// run as they do on Node, and the ones an isolate cannot have are refused, or fail when used.
import { createHash, createHmac, createPublicKey, generateKeyPairSync, sign as hostSign, verify as hostVerify } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { decode, useTestServer, zipOf } from '../support/server.ts';

const t = useTestServer();

async function deploy(name: string, files: Record<string, string>) {
  await t.lambda.send(new CreateFunctionCommand({ FunctionName: name, Code: { ZipFile: zipOf(files) }, Handler: 'index.handler', Role: 'r' }));
}

async function run(name: string, payload: unknown = {}) {
  const out = await t.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
  return { error: out.FunctionError, body: decode(out.Payload) as Record<string, unknown> };
}

describe('Node.js built-in modules in stratus-isolate', () => {
  it('run with and without the node: prefix, as they do on Node', async () => {
    await deploy('builtins', {
      'index.js': `
        const { EventEmitter, once } = require('node:events');
        const util = require('util');
        const path = require('node:path');
        const qs = require('querystring');
        const zlib = require('zlib');
        const { Readable } = require('stream');
        const { StringDecoder } = require('string_decoder');
        const url = require('url');
        const os = require('node:os');
        const assert = require('assert');
        exports.handler = async (event) => {
          const e = new EventEmitter();
          setTimeout(() => e.emit('ready', 42), 1);
          const [ready] = await once(e, 'ready');
          const chunks = [];
          for await (const chunk of Readable.from(['a', 'b', 'c'])) chunks.push(chunk);
          assert.deepStrictEqual({ a: [1] }, { a: [1] });
          return {
            ready,
            format: util.format('%s=%d %j', 'n', 7, { x: 1 }),
            inspect: util.inspect({ deep: { er: 1 } }),
            promisified: await util.promisify((cb) => cb(null, 'p'))(),
            joined: path.join('/var/task', '../lib', 'x.js'),
            query: qs.stringify({ a: 1, b: 'two words' }),
            unzipped: zlib.gunzipSync(Buffer.from(event.gz, 'base64')).toString('utf8'),
            streamed: chunks.join(''),
            decoded: new StringDecoder('utf8').write(Buffer.from([0xe2, 0x82, 0xac])),
            parsed: url.parse('https://example.com/a/b?c=1').pathname,
            platform: os.platform(),
            eol: os.EOL === '\\n',
          };
        };`,
    });
    const { error, body } = await run('builtins', { gz: gzipSync('zipped on the host').toString('base64') });
    expect(error).toBeUndefined();
    expect(body).toEqual({
      ready: 42,
      format: 'n=7 {"x":1}',
      inspect: '{ deep: { er: 1 } }',
      promisified: 'p',
      joined: '/var/lib/x.js',
      query: 'a=1&b=two%20words',
      unzipped: 'zipped on the host',
      streamed: 'abc',
      decoded: '€',
      parsed: '/a/b',
      platform: 'linux',
      eol: true,
    });
  });

  it('give Buffer as a global, as on Node', async () => {
    await deploy('buffer-global', {
      'index.js': `exports.handler = async (e) => ({ b64: Buffer.from(e.s).toString('base64'), hex: Buffer.from('ff00', 'hex').readUInt16BE(0), is: Buffer.isBuffer(Buffer.alloc(1)) });`,
    });
    expect((await run('buffer-global', { s: 'héllo' })).body).toEqual({ b64: Buffer.from('héllo').toString('base64'), hex: 0xff00, is: true });
  });

  it('hash and sign with node:crypto exactly as Node does, with the host’s randomness', async () => {
    await deploy('crypto', {
      'index.mjs': `
        import crypto, { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual, randomInt } from 'node:crypto';
        export const handler = async (e) => {
          const big = 'x'.repeat(3 * 1024 * 1024);
          const ids = new Set(Array.from({ length: 50 }, () => randomUUID()));
          const web = new Uint32Array(4);
          globalThis.crypto.getRandomValues(web);
          return {
            sha256: createHash('sha256').update(e.text).digest('hex'),
            md5: createHash('md5').update(e.text, 'utf8').digest('base64'),
            sha512big: createHash('sha512').update(big).update(Buffer.from('tail')).digest('hex'),
            hmac: createHmac('sha256', e.key).update(e.text).digest('base64url'),
            random: randomBytes(100000).length,
            uuids: ids.size,
            uuidForm: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(randomUUID()),
            same: timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')),
            differ: timingSafeEqual(Buffer.from('abc'), Buffer.from('abd')),
            int: (() => { const n = randomInt(10, 20); return n >= 10 && n < 20; })(),
            webFilled: web.some((n) => n !== 0),
            hashes: crypto.getHashes().includes('sha256'),
          };
        };`,
    });
    const text = 'the quick brown fox';
    const { error, body } = await run('crypto', { text, key: 'k3y' });
    expect(error).toBeUndefined();
    expect(body).toEqual({
      sha256: createHash('sha256').update(text).digest('hex'),
      md5: createHash('md5').update(text).digest('base64'),
      sha512big: createHash('sha512')
        .update('x'.repeat(3 * 1024 * 1024))
        .update('tail')
        .digest('hex'),
      hmac: createHmac('sha256', 'k3y').update(text).digest('base64url'),
      random: 100000,
      uuids: 50,
      uuidForm: true,
      same: true,
      differ: false,
      int: true,
      webFilled: true,
      hashes: true,
    });
  });

  it('sign and verify with RSA and EC keys (PEM and JWK) as Node does, the keys held by the host', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await deploy('signer', {
      'index.js': `
        const crypto = require('crypto');
        exports.handler = async (e) => {
          const rsaKey = crypto.createPrivateKey(e.rsaPrivate);
          const ecPublic = crypto.createPublicKey({ key: e.ecJwk, format: 'jwk' });
          const signer = crypto.createSign('RSA-SHA256');
          signer.update('part one, ');
          signer.update(Buffer.from('part two'));
          const secret = crypto.createSecretKey(Buffer.from('s3cr3t'));
          let refused;
          try { crypto.createPrivateKey('not a key'); } catch (err) { refused = err.message; }
          return {
            rsaSig: signer.sign(rsaKey, 'base64'),
            pss: crypto.sign('sha256', Buffer.from('pss'), { key: rsaKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64'),
            ecOk: crypto.verify('sha256', Buffer.from(e.ecData), ecPublic, Buffer.from(e.ecSig, 'base64')),
            ecBad: crypto.verify('sha256', Buffer.from(e.ecData + '!'), ecPublic, Buffer.from(e.ecSig, 'base64')),
            rsaType: rsaKey.asymmetricKeyType, bits: rsaKey.asymmetricKeyDetails.modulusLength, curve: ecPublic.asymmetricKeyDetails.namedCurve,
            publicPem: crypto.createPublicKey(rsaKey).export({ format: 'pem', type: 'spki' }),
            secret: [secret.type, secret.symmetricKeySize, secret instanceof crypto.KeyObject, crypto.createHmac('sha256', secret).update('x').digest('hex')],
            refused,
          };
        };`,
    });
    const ecData = 'signed on the host';
    const payload = {
      rsaPrivate: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      ecJwk: ec.publicKey.export({ format: 'jwk' }),
      ecData,
      ecSig: hostSign('sha256', Buffer.from(ecData), ec.privateKey).toString('base64'),
    };
    const { error, body } = await run('signer', payload);
    expect(error).toBeUndefined();
    expect(hostVerify('RSA-SHA256', Buffer.from('part one, part two'), rsa.publicKey, Buffer.from(String(body.rsaSig), 'base64'))).toBe(true);
    expect(hostVerify('sha256', Buffer.from('pss'), { key: rsa.publicKey, padding: 6, saltLength: 32 }, Buffer.from(String(body.pss), 'base64'))).toBe(true);
    expect(body).toMatchObject({ ecOk: true, ecBad: false, rsaType: 'rsa', bits: 2048, curve: 'prime256v1' });
    expect(createPublicKey(String(body.publicPem)).equals(rsa.publicKey)).toBe(true);
    expect(body.secret).toEqual(['secret', 6, true, createHmac('sha256', 's3cr3t').update('x').digest('hex')]);
    expect(body.refused).toMatch(/The private key could not be read: check its format/);
    expect(JSON.stringify(body)).not.toMatch(/node:internal|\/work\//);
  });

  it('refuse at deploy a module an isolate cannot have, imported by the package’s own code, naming it and the fix', async () => {
    const err = await t.lambda
      .send(
        new CreateFunctionCommand({
          FunctionName: 'spawner',
          Code: { ZipFile: zipOf({ 'index.js': "const { spawn } = require('node:child_process');\nexports.handler = async () => spawn('ls');" }) },
          Handler: 'index.handler',
          Role: 'r',
        }),
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.name).toBe('InvalidParameterValueException');
    expect(err?.message).toMatch(
      /index\.js:1:\d+: Node\.js module 'child_process' is not available on stratus-isolate .* use a pure-JavaScript package, or the nodejs\*\.x runtime/,
    );
  });

  it('let a dependency import such a module on a path the function never takes, and fail clearly if it does', async () => {
    await deploy('dep-net', {
      'index.js': "const dep = require('dep'); exports.handler = async (e) => (e.use ? dep.connect() : 'unused');",
      'node_modules/dep/index.js': "const net = require('net'); module.exports = { connect: () => net.connect(80, 'example.com') };",
    });
    expect((await run('dep-net')).body).toBe('unused');
    const used = await run('dep-net', { use: true });
    expect(used.error).toBe('Unhandled');
    expect(used.body).toMatchObject({ errorType: 'Error', errorMessage: expect.stringContaining("Node.js module 'net' is not available on stratus-isolate") });
  });
});

describe('ES modules with top-level await', () => {
  it('initialize once, awaiting at top level before the handler is called, with import.meta as on Lambda', async () => {
    await deploy('tla', {
      'index.mjs': `
        import { createHash } from 'node:crypto';
        const config = await Promise.resolve({ table: 'orders', digest: createHash('sha256').update('cfg').digest('hex').slice(0, 8) });
        const more = await (async () => { for (let i = 0; i < 100; i++) await null; return 'ready'; })();
        let calls = 0;
        export const handler = async () => ({ config, more, calls: ++calls, url: import.meta.url });
        export default handler;`,
    });
    expect((await run('tla')).body).toEqual({ config: { table: 'orders', digest: expect.any(String) }, more: 'ready', calls: 1, url: 'file:///var/task/index.mjs' });
    expect((await run('tla')).body).toMatchObject({ calls: 2 });
  });

  it('fail init with a message that says what to do when top-level await waits for a timer', async () => {
    await deploy('tla-timer', { 'index.mjs': `await new Promise((r) => setTimeout(r, 10));\nexport const handler = async () => 'never';` });
    const { error, body } = await run('tla-timer');
    expect(error).toBe('Unhandled');
    expect(body).toMatchObject({ errorType: 'Runtime.InitPending', errorMessage: expect.stringContaining('Move that work into the handler') });
  });
});

describe('Web Crypto (crypto.subtle) in stratus-isolate', () => {
  it('digests, signs and verifies with HMAC, RSA, ECDSA and Ed25519 as Node’s Web Crypto does', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed = generateKeyPairSync('ed25519');
    await deploy('subtle', {
      'index.mjs': `
        const enc = new TextEncoder();
        const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
        export const handler = async (e) => {
          const { subtle } = globalThis.crypto;
          const hmacKey = await subtle.importKey('raw', enc.encode('k3y'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
          const mac = await subtle.sign('HMAC', hmacKey, enc.encode('msg'));
          const rsaPub = await subtle.importKey('jwk', e.rsaJwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
          const ecPriv = await subtle.importKey('pkcs8', Uint8Array.from(atob(e.ecPkcs8), (c) => c.charCodeAt(0)), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
          const edPub = await subtle.importKey('spki', Uint8Array.from(atob(e.edSpki), (c) => c.charCodeAt(0)), { name: 'Ed25519' }, true, ['verify']);
          let refused;
          try { await subtle.sign('HMAC', rsaPub, enc.encode('x')); } catch (err) { refused = err.name; }
          return {
            digest: hex(await subtle.digest('SHA-256', enc.encode('abc'))),
            mac: hex(mac),
            macOk: await subtle.verify('HMAC', hmacKey, mac, enc.encode('msg')),
            macBad: await subtle.verify('HMAC', hmacKey, mac, enc.encode('msg!')),
            rsaOk: await subtle.verify('RSASSA-PKCS1-v1_5', rsaPub, Uint8Array.from(atob(e.rsaSig), (c) => c.charCodeAt(0)), enc.encode('signed by the host')),
            ecSig: btoa(String.fromCharCode(...new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecPriv, enc.encode('ec data'))))),
            edOk: await subtle.verify('Ed25519', edPub, Uint8Array.from(atob(e.edSig), (c) => c.charCodeAt(0)), enc.encode('ed data')),
            jwk: (await subtle.exportKey('jwk', hmacKey)).kty,
            isKey: hmacKey instanceof CryptoKey,
            refused,
          };
        };`,
    });
    const { error, body } = await run('subtle', {
      rsaJwk: rsa.publicKey.export({ format: 'jwk' }),
      rsaSig: hostSign('sha256', Buffer.from('signed by the host'), rsa.privateKey).toString('base64'),
      ecPkcs8: ec.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      edSpki: ed.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      edSig: hostSign(null, Buffer.from('ed data'), ed.privateKey).toString('base64'),
    });
    expect(error).toBeUndefined();
    expect(body).toMatchObject({
      digest: createHash('sha256').update('abc').digest('hex'),
      mac: createHmac('sha256', 'k3y').update('msg').digest('hex'),
      macOk: true,
      macBad: false,
      rsaOk: true,
      edOk: true,
      jwk: 'oct',
      isKey: true,
      refused: 'InvalidAccessError',
    });
    expect(hostVerify('sha256', Buffer.from('ec data'), { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(String(body.ecSig), 'base64'))).toBe(true);
  });
});

describe('errors a person can act on', () => {
  it('name the user’s own files and lines in traces and logs, without Stratus’s frames', async () => {
    await deploy('traced', {
      'index.js': "const { check } = require('./lib/validate');\nexports.handler = async (event) => {\n  console.error(new Error('logged here'));\n  return check(event);\n};\n",
      'lib/validate.ts':
        "interface Order { qty: number }\n\nexport function check(order: Order): number {\n  if (order.qty < 1) {\n    throw new RangeError('qty must be at least 1');\n  }\n  return order.qty;\n}\n",
    });
    const out = await t.lambda.send(new InvokeCommand({ FunctionName: 'traced', Payload: Buffer.from('{"qty":0}'), LogType: 'Tail' }));
    const body = decode(out.Payload) as { errorType: string; trace: string[] };
    expect(out.FunctionError).toBe('Unhandled');
    expect(body.errorType).toBe('RangeError');
    expect(body.trace[1]).toMatch(/at check \(\/var\/task\/lib\/validate\.ts:5:11\)/);
    expect(body.trace.some((l) => /\/var\/task\/index\.js:4:\d+/.test(l))).toBe(true);
    expect(body.trace.join('\n')).not.toMatch(/stratus:runtime/);
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toMatch(/\/var\/task\/index\.js:3:\d+/);
  });
});

describe('a global stratus-isolate does not have', () => {
  it('is named in the error with whether Stratus provides it and what to do', async () => {
    await deploy('calls-out', { 'index.js': "exports.handler = async () => (await fetch('https://example.com')).status;" });
    const out = await run('calls-out');
    expect(out.error).toBe('Unhandled');
    expect(out.body).toMatchObject({
      errorType: 'ReferenceError',
      errorMessage: expect.stringMatching(/^fetch is not defined \(stratus-isolate does not provide fetch yet: .*nodejs\*\.x runtime/),
    });
    await deploy('browserish', { 'index.js': 'exports.handler = async () => window.location.href;' });
    expect((await run('browserish')).body).toMatchObject({ errorMessage: 'window is not defined (window is a browser global: Node.js, and Lambda, have none)' });
    await deploy('plain-typo', { 'index.js': 'exports.handler = async () => undefinedThing;' });
    expect((await run('plain-typo')).body).toMatchObject({ errorMessage: 'undefinedThing is not defined' });
  });
});
