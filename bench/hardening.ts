/**
 * @module The hardening suite: a quiet account's warm-call latency while another account runs each
 * denial-of-service pattern of the security review, against the quiet account alone in the same
 * run; and the cost of build confinement against plain esbuild on the same packages. Written to
 * bench/results/hardening.{md,json}.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import { buildPackage, defaultBuildDir } from '../src/artifacts/index.ts';
import { startChild } from './lib/children.ts';
import { call, closeClient, deployFunction, invokePath, send, sign, type Target } from './lib/lambda-api.ts';
import { ratioRow, valueRow, writeResults, type Row } from './lib/report.ts';
import { summarize, type Summary } from './lib/stats.ts';
import { num, type SuiteContext, type SuiteOutcome } from './suite.ts';

const CONFIG = {
  phaseSeconds: num('BENCH_HARDENING_PHASE_SECONDS', 6),
  /** The quiet account's calls: one after another, with this pause between them. */
  victimGapMs: 20,
  buildSizes: [1750, 3500, 7000],
};

const HANDLER = `exports.handler = async (e) => {
  if (e.sleepMs) await new Promise((r) => setTimeout(r, e.sleepMs));
  if (e.spin) for (;;) {}
  if (e.immediates) for (;;) await new Promise((r) => setImmediate(r));
  return { ok: true };
};`;

interface Attack {
  name: string;
  /** Starts the attack; the returned function stops it and resolves when its requests are done or cut. */
  start(): Promise<() => Promise<void>>;
}

interface VictimPhase {
  latencyMs: Summary;
  failures: number;
  calls: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The quiet account: sequential warm calls for `seconds`, each signed ahead. */
async function victimPhase(t: Target, seconds: number): Promise<VictimPhase> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const req = await sign(t, 'POST', invokePath('quiet'), '{}');
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const at = performance.now();
    try {
      const res = await send(t.url, req, agent);
      if (res.status !== 200 || res.headers['x-amz-function-error']) failures++;
    } catch {
      failures++;
    }
    latencies.push(performance.now() - at);
    await sleep(CONFIG.victimGapMs);
  }
  agent.destroy();
  return { latencyMs: summarize(latencies), failures, calls: latencies.length };
}

/** Keeps `n` requests of one kind in flight until stopped. */
function loops(n: number, once: (agent: http.Agent) => Promise<unknown>): Promise<() => Promise<void>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: n });
  let running = true;
  const workers = Array.from({ length: n }, async () => {
    while (running) await once(agent).catch(() => sleep(10));
  });
  return Promise.resolve(async () => {
    running = false;
    await Promise.all(workers);
    agent.destroy();
  });
}

/** Requests that send their headers, then nothing: reopened as the server cuts them. Signed under `keyId` with a guessed secret, as a client without the secret would. */
function stalls(t: Target, keyId: string, n: number): Promise<() => Promise<void>> {
  const url = new URL(invokePath('quiet'), t.url);
  const guesser: Target = { ...t, credentials: { accessKeyId: keyId, secretAccessKey: 'a-guessed-secret-000000' } };
  let running = true;
  const open = new Set<http.ClientRequest>();
  const one = async () => {
    if (!running) return;
    const { headers } = await sign(guesser, 'POST', invokePath('quiet'));
    if (!running) return; // stopped while signing
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': String(1024 * 1024) } });
    req.on('error', () => {});
    req.on('close', () => {
      open.delete(req);
      setTimeout(() => void one(), 50);
    });
    req.flushHeaders();
    open.add(req);
  };
  for (let i = 0; i < n; i++) void one();
  return Promise.resolve(async () => {
    running = false;
    for (const req of open) req.destroy();
  });
}

/** A PUT declaring `bytes` of body that sends its first megabyte and waits for the answer; its signature (of an empty body) cannot match. */
async function bigBody(t: Target, path: string, bytes: number): Promise<number> {
  const url = new URL(path, t.url);
  const { headers } = await sign(t, 'PUT', path);
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { ...headers, 'content-length': String(bytes) } });
    req.on('response', (res) => {
      res.resume();
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(-1));
    req.write(Buffer.alloc(1024 * 1024, 0x20));
  });
}

/** A zip of `files` small CommonJS modules under node_modules, all required from index.js. */
function manyModules(files: number): Uint8Array {
  const tree: Record<string, Uint8Array> = {};
  const requires: string[] = [];
  for (let i = 0; i < files - 1; i++) {
    const dir = `node_modules/dep${i % 50}`;
    tree[`${dir}/m${i}.js`] = strToU8(`module.exports = function m${i}(x) { return x + ${i}; };\n`);
    requires.push(`require('dep${i % 50}/m${i}.js')`);
  }
  tree['index.js'] = strToU8(`const all = [${requires.join(',\n')}];\nexports.handler = async () => all.length;\n`);
  return zipSync(tree, { level: 1 });
}

function attacks(t: Target, attacker: Target, victimKeyId: string): Attack[] {
  const invoke =
    (name: string, payload: unknown, headers: Record<string, string> = {}) =>
    async (agent: http.Agent) =>
      send(attacker.url, await sign(attacker, 'POST', invokePath(name), JSON.stringify(payload), headers), agent);
  let tenant = 0;
  const deployZip = Buffer.from(manyModules(3000)).toString('base64');
  let deploys = 0;
  return [
    { name: 'four handlers spinning to their Timeout', start: () => loops(4, invoke('spin', { spin: true })) },
    { name: 'four setImmediate loops to their Timeout', start: () => loops(4, invoke('spin', { immediates: true })) },
    {
      name: 'twelve sleeping invocations over two functions',
      start: () => loops(12, async (a) => Promise.all([invoke('sleep-a', { sleepMs: 5000 })(a), invoke('sleep-b', { sleepMs: 5000 })(a)])),
    },
    { name: '120 tenant ids, 64 connections', start: () => loops(64, async (a) => invoke('tenants', { sleepMs: 5 }, { 'x-amz-tenant-id': `t${tenant++ % 120}` })(a)) },
    { name: '24 stalled bodies under the quiet account’s key id', start: () => stalls(t, victimKeyId, 24) },
    {
      name: 'control plane: 60 MB tenancy-limits documents, 4 at a time',
      // Headers and the first megabyte of each body, then the answer: what a server that reads the
      // whole body would have to take in; the bench does not spend its own CPU sending the rest.
      start: () => loops(4, () => bigBody(attacker, '/stratus/v1/functions/tenants/tenancy-limits', 60 * 1024 * 1024)),
    },
    {
      name: 'deploys of a 3,000-module package, 2 at a time',
      start: () =>
        loops(2, async (a) =>
          send(attacker.url, await sign(attacker, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: `deploy-${deploys++}`, Code: { ZipFile: deployZip } })), a),
        ),
    },
  ];
}

interface BuildSample {
  files: number;
  confinedMs: number;
  plainMs: number;
}

/** Bundles the same packages with buildPackage (own process, confinement) and with plain esbuild in-process on the extracted folder. */
async function buildCost(tmp: string): Promise<BuildSample[]> {
  const out: BuildSample[] = [];
  for (const files of CONFIG.buildSizes) {
    const zip = manyModules(files);
    const dir = fs.mkdtempSync(path.join(tmp, 'plain-'));
    const { unzipSync } = await import('fflate');
    for (const [name, data] of Object.entries(unzipSync(zip))) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), data);
    }
    const confined: number[] = [];
    const plain: number[] = [];
    for (let round = 0; round < 3; round++) {
      let at = performance.now();
      await buildPackage(zip, 'index.handler', { stagingDir: defaultBuildDir(tmp) });
      confined.push(performance.now() - at);
      at = performance.now();
      await build({ absWorkingDir: dir, entryPoints: ['index.js'], bundle: true, format: 'cjs', platform: 'node', write: false, logLevel: 'silent' });
      plain.push(performance.now() - at);
    }
    out.push({ files, confinedMs: summarize(confined).p50, plainMs: summarize(plain).p50 });
  }
  return out;
}

const METHOD_BUILDS = `Builds unpack into the default build folder (in memory under /dev/shm on Linux), as a server does.`;

const METHOD = [
  `A Stratus with default settings runs in its own child process; the bench process plays both accounts.`,
  `The quiet account sends warm calls of a trivial function one after another (a ${CONFIG.victimGapMs} ms pause between them) for ${CONFIG.phaseSeconds} s: alone first, then while the other account runs each pattern below (started 1 s before the quiet phase), then alone again; the baseline pools both alone phases.`,
  `A failure is any answer other than 200 without X-Amz-Function-Error. Builds: the same packages of N small modules bundled by buildPackage (unzip, a bundling process of its own with confinement checks)`,
  `and by plain in-process esbuild on the already extracted folder, median of 3; the ratio of the 7,000- and 3,500-module confined builds shows whether confinement stays linear.`,
  METHOD_BUILDS,
].join(' ');

export async function runHardeningSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const started = performance.now();
  const dataDir = fs.mkdtempSync(path.join(ctx.tmp, 'hardening-'));
  const child = await startChild<{ url: string; region: string; credentials: Target['credentials'] }>('stratus', { BENCH_DATA_DIR: dataDir });
  const admin: Target = { url: child.ready.url, region: child.ready.region, credentials: child.ready.credentials };
  const account = async (name: string): Promise<Target> => {
    const body = JSON.parse((await call(admin, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: name }), 201)).text) as { AccessKeyId: string; SecretAccessKey: string };
    return { ...admin, credentials: { accessKeyId: body.AccessKeyId, secretAccessKey: body.SecretAccessKey } };
  };
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    const quiet = await account('quiet');
    const attacker = await account('attacker');
    await deployFunction(quiet, 'quiet', HANDLER, { Timeout: 3 });
    for (const name of ['spin', 'sleep-a', 'sleep-b']) await deployFunction(attacker, name, HANDLER, { Timeout: name === 'spin' ? 3 : 10 });
    await deployFunction(attacker, 'tenants', HANDLER, { TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } });
    await victimPhase(quiet, 1); // warm

    const before = await victimPhase(quiet, CONFIG.phaseSeconds);
    const under: Array<{ name: string; phase: VictimPhase }> = [];
    for (const attack of attacks(admin, attacker, quiet.credentials.accessKeyId)) {
      ctx.log(`bench hardening: ${attack.name}`);
      const stop = await attack.start();
      await sleep(1000);
      const phase = await victimPhase(quiet, CONFIG.phaseSeconds);
      await stop();
      under.push({ name: attack.name, phase });
      await sleep(1000);
    }
    const after = await victimPhase(quiet, CONFIG.phaseSeconds);
    const alone = { p50: (before.latencyMs.p50 + after.latencyMs.p50) / 2, p99: (before.latencyMs.p99 + after.latencyMs.p99) / 2 };
    for (const { name, phase } of under) {
      rows.push(ratioRow(`Quiet account p50 while another account runs: ${name}`, 'ms', 'alone', alone.p50, phase.latencyMs.p50));
      rows.push(ratioRow(`Quiet account p99 while another account runs: ${name}`, 'ms', 'alone', alone.p99, phase.latencyMs.p99));
      rows.push(valueRow(`↳ Quiet account failed calls (of ${phase.calls}): ${name}`, 'calls', phase.failures, { op: '<=', limit: 0 }));
    }
    raw.victim = { before, after, under };
  } finally {
    closeClient();
    await child.close();
  }

  ctx.log('bench hardening: build cost');
  const builds = await buildCost(ctx.tmp);
  for (const b of builds) rows.push(ratioRow(`Build of ${b.files} modules: confined build vs plain esbuild`, 'ms', 'plain esbuild', b.plainMs, b.confinedMs));
  const [, mid, big] = builds;
  if (mid && big)
    rows.push(
      ratioRow(`Confined build: ${big.files} vs ${mid.files} modules (linear: about 2x)`, 'ms', `${mid.files} modules`, mid.confinedMs, big.confinedMs, { op: '<=', limit: 2.5 }),
    );
  raw.builds = builds;

  const table = writeResults(ctx.results, 'hardening', 'Stratus hardening benchmark', rows, METHOD, raw);
  return { name: 'hardening', rows, table, seconds: (performance.now() - started) / 1000 };
}
