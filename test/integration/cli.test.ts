// The `stratus` CLI as a person runs it: `node bin/stratus.js ...` child processes against a real server on a free port.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliEnvironment } from '../../src/cli/context.ts';
import { run } from '../../src/cli/main.ts';
import { startStratus, type RunningStratus } from '../../src/main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'stratus.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let server: RunningStratus;
let work: string;

/** Runs the CLI in a clean environment: no AWS_/STRATUS_ variables or home credentials leak in. */
function cli(args: string[], keys: { accessKeyId: string; secretAccessKey: string } = server.rootCredentials, endpoint = server.url): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(AWS_|STRATUS_)/.test(name)) env[name] = value;
  Object.assign(env, {
    HOME: work,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    STRATUS_REGION: server.region,
  });
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--endpoint', endpoint, ...args], { cwd: work, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

function writeApp(dir: string, greeting: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'greet.js'), `export const greet = (name) => \`${greeting}, \${name}\`;\n`);
  writeFileSync(
    join(dir, 'index.js'),
    [
      "import { greet } from './greet.js';",
      'export const handler = async (event) => {',
      "  if (event.fail) throw new TypeError('asked to fail');",
      "  console.log('greeting', event.name);",
      '  return { message: greet(event.name), mode: process.env.MODE };',
      '};',
      '',
    ].join('\n'),
  );
}

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stratus-cli-it-'));
  server = await startStratus({ host: '127.0.0.1', port: 0, dataDir: join(work, 'data'), logLevel: 'silent' });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each CLI run is a fresh Node process (about a second with tsx), and some tests make a dozen of them.
describe('stratus CLI against a real server', { timeout: 120_000 }, () => {
  it('deploys a directory with two files and invokes it with a payload and the log tail', async () => {
    writeApp(join(work, 'app'), 'Hello');
    const deployed = await cli(['deploy', 'app', '--name', 'hello', '--env', 'MODE=test']);
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toMatch(/^created function hello\n/);
    expect(deployed.stdout).toContain('2 files');

    const invoked = await cli(['invoke', 'hello', '--payload', '{"name":"Ada"}', '--log']);
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toEqual({ message: 'Hello, Ada', mode: 'test' });
    expect(invoked.stderr).toContain('greeting Ada');
  });

  it('reads the payload from a file and prints machine-readable JSON with --json', async () => {
    writeFileSync(join(work, 'event.json'), '{"name":"Grace"}');
    const invoked = await cli(['invoke', 'hello', '--payload', '@event.json', '--json']);
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toEqual({ message: 'Hello, Grace', mode: 'test' });

    const listed = await cli(['functions', 'list', '--json']);
    expect(listed.code).toBe(0);
    const names = (JSON.parse(listed.stdout) as { Functions: { FunctionName: string }[] }).Functions.map((f) => f.FunctionName);
    expect(names).toEqual(['hello']);

    const table = await cli(['functions', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+RUNTIME\s+TENANCY\s+MEMORY\s+TIMEOUT\s+LAST MODIFIED$/);
    expect(table.stdout.split('\n')[1]).toMatch(/^hello\s+stratus-isolate\s+-\s+\d+ MB\s+\d+ s\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });

  it('publishes versions and splits an alias between them by weight', async () => {
    const v1 = await cli(['publish', 'hello', '--description', 'first']);
    expect(v1.code).toBe(0);
    expect(v1.stdout).toMatch(/^published hello version 1\n/);

    writeApp(join(work, 'app'), 'Hi');
    expect((await cli(['deploy', 'app', '--name', 'hello'])).stdout).toMatch(/^updated function hello\n/);
    const v2 = await cli(['publish', 'hello', '--json']);
    expect(JSON.parse(v2.stdout)).toMatchObject({ FunctionName: 'hello', Version: '2' });

    const set = await cli(['alias', 'set', 'hello', 'live', '1', '--weight', '2=0.1']);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('created alias hello:live -> version 1 (90%), version 2 (10%)\n');
    const moved = await cli(['alias', 'set', 'hello', 'live', '2']);
    expect(moved.stdout).toBe('updated alias hello:live -> version 2\n');
    expect((await cli(['alias', 'set', 'hello', 'live', '1', '--weight', '2=0.1'])).code).toBe(0);

    const list = await cli(['alias', 'list', 'hello', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ Aliases: [{ Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }] });
    const table = await cli(['alias', 'list', 'hello']);
    expect(table.stdout).toMatch(/^NAME\s+VERSION\s+WEIGHTS\s+DESCRIPTION\nlive\s+1\s+2=0\.1\s+-\n$/);

    const pinned = await cli(['invoke', 'hello:1', '--payload', '{"name":"Ada"}', '--json']);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ message: 'Hello, Ada' });
    const latest = await cli(['invoke', 'hello:$LATEST', '--payload', '{"name":"Ada"}', '--json']);
    expect(JSON.parse(latest.stdout)).toMatchObject({ message: 'Hi, Ada' });
  });

  it('prints the error payload and exits 1 when the function throws', async () => {
    const failed = await cli(['invoke', 'hello', '--payload', '{"fail":true}', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail' });
    expect(failed.stderr).toBe('error: function hello failed (Unhandled): TypeError: asked to fail\n');
  });

  it('creates an account whose keys see none of the admin functions', async () => {
    const created = await cli(['accounts', 'create', 'acme', '--json']);
    expect(created.stderr).toBe('');
    const account = JSON.parse(created.stdout) as { AccountId: string; Name: string; AccessKeyId: string; SecretAccessKey: string };
    expect(account.Name).toBe('acme');

    const keys = { accessKeyId: account.AccessKeyId, secretAccessKey: account.SecretAccessKey };
    const listed = await cli(['functions', 'list', '--json'], keys);
    expect(JSON.parse(listed.stdout)).toEqual({ Functions: [] });
    expect((await cli(['functions', 'list'], keys)).stdout).toMatch(/^no functions yet/);

    const human = await cli(['accounts', 'create', 'globex']);
    expect(human.stdout).toMatch(/^created account globex \(\S+\)\n/);
    expect(human.stdout).toMatch(/\[globex\]\naws_access_key_id = \S+\naws_secret_access_key = \S+\n/);
  });

  it('leaves .env files, data folders and links outside the folder out of a deploy, and says so on stderr', async () => {
    writeApp(join(work, 'leaky'), 'Hey');
    writeFileSync(join(work, 'leaky', '.env'), 'TOKEN=do-not-ship\n');
    symlinkSync(join(work, 'data'), join(work, 'leaky', 'data'));
    symlinkSync('/etc', join(work, 'leaky', 'etc'));
    const deployed = await cli(['deploy', 'leaky', '--name', 'leaky', '--json']);
    expect(deployed.code).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject({ FunctionName: 'leaky' });
    expect(deployed.stderr).toBe(
      'skipped 3 paths, not uploaded:\n  .env (secrets file)\n  data -> outside the folder (symbolic link)\n  etc -> outside the folder (symbolic link)\n',
    );
    const human = await cli(['deploy', 'leaky', '--name', 'leaky']);
    expect(human.stdout).toMatch(/^updated function leaky\n.*code: +2 files, /s);

    const refused = await cli(['deploy', 'leaky/.env', '--name', 'leaky']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: \S*leaky\/\.env is a secrets file/);
  });

  it('fails with one line naming ResourceNotFoundException for a missing function', async () => {
    const missing = await cli(['invoke', 'nope', '--payload', '{}']);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.split('\n')).toEqual([expect.stringMatching(/^error: ResourceNotFoundException: .*nope/), '']);
  });

  it('deploys with --tenant-isolation, keeps tenancy fixed on redeploy, and lists it', async () => {
    writeApp(join(work, 'shop'), 'Welcome');
    const created = await cli(['deploy', 'shop', '--name', 'shop', '--tenant-isolation']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^created function shop\n/);
    expect(created.stdout).toMatch(/tenancy: +PER_TENANT\n/);

    const withoutFlag = await cli(['deploy', 'shop', '--name', 'shop']);
    expect(withoutFlag.code).toBe(1);
    expect(withoutFlag.stderr).toMatch(/^error: function shop has tenant isolation \(PER_TENANT\), and tenancy is fixed when a function is created: add --tenant-isolation/);
    const plainWithFlag = await cli(['deploy', 'app', '--name', 'hello', '--tenant-isolation']);
    expect(plainWithFlag.code).toBe(1);
    expect(plainWithFlag.stderr).toMatch(/^error: function hello exists without tenant isolation/);

    const redeployed = await cli(['deploy', 'shop', '--name', 'shop', '--tenant-isolation', '--memory', '256']);
    expect(redeployed.stderr).toBe('');
    expect(redeployed.stdout).toMatch(/^updated function shop\n/);

    const table = (await cli(['functions', 'list'])).stdout.split('\n');
    expect(table.find((line) => line.startsWith('shop '))).toMatch(/^shop\s+stratus-isolate\s+PER_TENANT\s+256 MB/);
    expect(table.find((line) => line.startsWith('hello '))).toMatch(/^hello\s+stratus-isolate\s+-\s+/);
  });

  it('invokes as a tenant with --tenant, and shows per-tenant statistics', async () => {
    const invoked = await cli(['invoke', 'shop', '--tenant', 'acme', '--payload', '{"name":"Ada"}', '--json']);
    expect(invoked.stderr).toBe('');
    expect(JSON.parse(invoked.stdout)).toMatchObject({ message: 'Welcome, Ada' });
    expect((await cli(['invoke', 'shop', '--tenant', 'acme', '--payload', '{"name":"Bob"}'])).code).toBe(0);
    expect((await cli(['invoke', 'shop', '--tenant', 'globex', '--payload', '{"fail":true}'])).code).toBe(1);

    const noTenant = await cli(['invoke', 'shop']);
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toMatch(/^error: InvalidParameterValueException: .*X-Amz-Tenant-Id/);

    const table = await cli(['tenants', 'stats', 'shop']);
    expect(table.stderr).toBe('');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TENANT\s+INVOCATIONS\s+ERRORS\s+THROTTLES\s+COLD\s+P50 ms\s+P99 ms$/);
    expect(lines[1]).toMatch(/^acme\s+2\s+0\s+0\s+1\s+\d+(\.\d+)?\s+\d+(\.\d+)?$/);
    expect(lines[2]).toMatch(/^globex\s+1\s+1\s+0\s+1\s+/);

    const json = await cli(['tenants', 'stats', 'shop', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      FunctionName: 'shop',
      Tenants: [
        { TenantId: 'acme', Invocations: 2 },
        { TenantId: 'globex', Errors: 1 },
      ],
    });
    const missing = await cli(['tenants', 'stats', 'nope']);
    expect(missing.stderr).toMatch(/^error: ResourceNotFoundException: /);
  });

  it('sets, reads and clears per-tenant limits', async () => {
    const set = await cli(['tenancy-limits', 'set', 'shop', '--max-concurrency', '5', '--max-rps', '20.5']);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('shop: limits per tenant\n  max concurrency:         5\n  max requests per second: 20.5\n');

    const get = await cli(['tenancy-limits', 'get', 'shop', '--json']);
    expect(JSON.parse(get.stdout)).toEqual({ FunctionName: 'shop', MaxConcurrency: 5, MaxRequestsPerSecond: 20.5, RevisionId: expect.any(String) });

    // set replaces both limits: the rate limit given before is gone.
    expect((await cli(['tenancy-limits', 'set', 'shop', '--max-concurrency', '2'])).stdout).toContain('max requests per second: no limit');

    const cleared = await cli(['tenancy-limits', 'clear', 'shop']);
    expect(cleared.stdout).toBe('shop: no per-tenant limits\n');
    expect(JSON.parse((await cli(['tenancy-limits', 'get', 'shop', '--json'])).stdout)).toEqual({ FunctionName: 'shop', RevisionId: expect.any(String) });
  });

  it('streams the upload when a terminal watches it, and the server takes the same request (the package is big enough for several chunks)', async () => {
    const dir = join(work, 'watched');
    writeApp(dir, 'Watched');
    // Incompressible, so the zip, and the upload, span several 64 KiB chunks.
    writeFileSync(join(dir, 'blob.bin'), randomBytes(300_000));
    const out: string[] = [];
    const err: string[] = [];
    let clock = 0;
    const base: CliEnvironment = {
      io: { out: (t) => void out.push(t), err: (t) => void err.push(t), errTerminal: { columns: () => 100 } },
      env: { AWS_ACCESS_KEY_ID: server.rootCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.rootCredentials.secretAccessKey, STRATUS_REGION: server.region },
      cwd: work,
      home: work,
      now: () => (clock += 400),
      status: { exitCode: 0 },
    };
    expect(await run(['--endpoint', server.url, 'deploy', 'watched', '--name', 'watched', '--json'], base)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ FunctionName: 'watched', CodeSize: expect.any(Number) });
    const percents = [...err.join('').matchAll(/uploading the [\d.]+ KiB zip: (\d+)%/g)].map((m) => Number(m[1]));
    expect(percents.length).toBeGreaterThan(2);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(err.join('')).toMatch(/uploaded; waiting for the server to build and check the package/);

    const invoked = await cli(['invoke', 'watched', '--payload', '{"name":"Ada"}', '--json']);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ message: 'Watched, Ada' });
  });

  it('says the server is not reachable, and how to start it, when nothing listens at the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await cli(['functions', 'list'], server.rootCredentials, endpoint);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(
      `error: the Stratus server is not reachable at ${endpoint} (ECONNREFUSED); start it with \`npm start\` or \`stratus serve\`, or point --endpoint / STRATUS_ENDPOINT at a running one\n`,
    );
  });
});
