// Init phase of the stratus-isolate engine: module state, handler lookup and Lambda-shaped init errors.
import { describe, expect, it } from 'vitest';
import { makeRequest, payloadOf, useIsolateEngine } from './test-support.ts';

const isolates = useIsolateEngine();

describe('stratus-isolate init', () => {
  it('runs module code once and keeps module state across invocations of one environment', async () => {
    const env = await isolates.env(`
      let inits = (globalThis.inits || 0) + 1; globalThis.inits = inits;
      let calls = 0;
      exports.handler = async () => ({ inits, calls: ++calls });
    `);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual({ inits: 1, calls: 1 });
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual({ inits: 1, calls: 2 });
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual({ inits: 1, calls: 3 });
  });

  it('never shares module or global state between two environments of the same code', async () => {
    const code = `
      globalThis.seen = (globalThis.seen || 0) + 1;
      let calls = 0;
      exports.handler = async () => ({ seen: globalThis.seen, calls: ++calls });
    `;
    const a = await isolates.env(code);
    const b = await isolates.env(code);
    await a.invoke(makeRequest());
    await a.invoke(makeRequest());
    expect(payloadOf(await b.invoke(makeRequest()))).toEqual({ seen: 1, calls: 1 });
    expect(payloadOf(await a.invoke(makeRequest()))).toEqual({ seen: 1, calls: 3 });
  });

  it('accepts an esbuild-style CommonJS bundle that replaces module.exports', async () => {
    const env = await isolates.env(`
      var __defProp = Object.defineProperty;
      var index_exports = {};
      __defProp(index_exports, 'handler', { get: () => handler, enumerable: true });
      module.exports = index_exports;
      async function handler(event) { return { echo: event }; }
    `);
    const result = await env.invoke(makeRequest({ payload: '{"a":[1,2]}' }));
    expect(result.outcome).toBe('ok');
    expect(payloadOf(result)).toEqual({ echo: { a: [1, 2] } });
  });

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    const result = await isolates.create(`exports.other = async () => 1;`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Runtime.HandlerNotFound');
    expect(result.error.errorMessage).toBe('handler is undefined or not exported');
  });

  it('reports an export that is not a function as Runtime.HandlerNotFound', async () => {
    const result = await isolates.create(`exports.handler = { not: 'a function' };`);
    expect(result.ok ? undefined : result.error.errorType).toBe('Runtime.HandlerNotFound');
  });

  it('reports a require() the bundler could not follow (a built-in named at run time) as Runtime.ImportModuleError saying what to do', async () => {
    const result = await isolates.create(`const name = 'f' + 's'; const fs = require(name); exports.handler = async () => fs;`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Runtime.ImportModuleError');
    expect(result.error.errorMessage).toBe(
      "Error: Cannot find module 'fs': Node.js built-in modules are bundled in at deploy where the code names them (require('fs') or import from 'fs'); a require() whose name is computed at run time cannot be followed, so name the module in the code",
    );
  });

  it('reports require() of an unbundled package as Runtime.ImportModuleError too', async () => {
    const result = await isolates.create(`require('left-pad'); exports.handler = async () => 1;`);
    expect(result.ok ? undefined : result.error.errorType).toBe('Runtime.ImportModuleError');
    expect(result.ok ? '' : result.error.errorMessage).toContain("Cannot find module 'left-pad'");
  });

  it('lets code that catches a failed require() carry on', async () => {
    const env = await isolates.env(`
      let crypto; try { crypto = require('node:crypto'); } catch (e) { crypto = e.code; }
      exports.handler = async () => crypto;
    `);
    expect(payloadOf(await env.invoke(makeRequest()))).toBe('MODULE_NOT_FOUND');
  });

  it('reports an error thrown by module code with its own name, Lambda style, and returns init logs', async () => {
    const result = await isolates.create(`console.log('starting'); class ConfigError extends Error { name = 'ConfigError'; } throw new ConfigError('missing TABLE_NAME');`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('ConfigError');
    expect(result.error.errorMessage).toBe('missing TABLE_NAME');
    expect(result.error.trace[0]).toBe('ConfigError: missing TABLE_NAME');
    expect(result.logs).toMatch(/^\S+Z\tundefined\tINFO\tstarting\n$/);
  });

  it('reports code that does not parse as Runtime.UserCodeSyntaxError', async () => {
    const result = await isolates.create(`exports.handler = async () => {`);
    expect(result.ok ? undefined : result.error.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(result.ok ? '' : result.error.errorMessage).toMatch(/^SyntaxError: /);
  });

  it('times out module code that runs past initTimeoutMs', async () => {
    const result = await isolates.create(`console.log('before'); for (;;) {}`, { initTimeoutMs: 300 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Sandbox.Timedout');
    expect(result.error.errorMessage).toBe('Init phase timed out after 0.30 seconds');
    expect(result.logs).toContain('\tINFO\tbefore\n');
  });

  it('reports module code that exhausts the memory limit as Runtime.OutOfMemory', async () => {
    const result = await isolates.create(`const keep = []; for (;;) keep.push({ n: Math.random() });`, { memoryMb: 16, initTimeoutMs: 20_000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Runtime.OutOfMemory');
    expect(result.error.errorMessage).toContain('16 MB');
  });

  it('shows init logs with the first invocation, under requestId "undefined" as Lambda does', async () => {
    const env = await isolates.env(`console.log('cold start'); exports.handler = async () => { console.log('invoked'); };`);
    const req = makeRequest();
    const first = await env.invoke(req);
    expect(first.logs).toMatch(new RegExp(`^\\S+\\tundefined\\tINFO\\tcold start\\n\\S+\\t${req.requestId}\\tINFO\\tinvoked\\n$`));
    const second = await env.invoke(makeRequest());
    expect(second.logs).not.toContain('cold start');
  });

  it('measures the heap after init', async () => {
    const env = await isolates.env(`const big = new Array(200000).fill(1); exports.handler = async () => big.length;`);
    expect(env.memory().used).toBeGreaterThan(800_000);
    expect(env.memory().reserved).toBe(64 * 1048576);
  });

  it('serves the stratus-isolate runtime', () => {
    expect(isolates.engine.runtime).toBe('stratus-isolate');
  });
});
