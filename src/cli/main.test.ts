import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness } from './harness.test-support.ts';

const notFound = { status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, json: { message: 'Function not found: hello' } };
const config = (extra: Record<string, unknown> = {}) => ({ FunctionName: 'hello', Runtime: 'stratus-isolate', Handler: 'index.handler', MemorySize: 128, Timeout: 3, ...extra });

describe('stratus CLI (against a scripted server)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-cli-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'index.js'), 'export const handler = async () => 1;');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deploy creates a missing function with defaults, signed for service lambda', async () => {
    const h = harness(dir, (req) => (req.method === 'GET' ? notFound : { status: 201, json: config() }));
    expect(await h.run('deploy', 'app', '--name', 'hello', '--env', 'AB=1')).toBe(0);
    const [get, create] = h.requests;
    expect(get!.url.pathname).toBe('/2015-03-31/functions/hello');
    expect(create!.method).toBe('POST');
    const body = JSON.parse(create!.body);
    expect(body).toMatchObject({ FunctionName: 'hello', Runtime: 'stratus-isolate', Handler: 'index.handler', Environment: { Variables: { AB: '1' } } });
    expect(typeof body.Code.ZipFile).toBe('string');
    expect(create!.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKTEST\/\d{8}\/us-east-1\/lambda\/aws4_request/);
    expect(create!.headers.has('host')).toBe(false);
    expect(h.stdout()).toMatch(/^created function hello\n/);
  });

  it('deploy of an existing function updates code, and configuration only when flags were given', async () => {
    const h = harness(dir, () => ({ json: config() }));
    expect(await h.run('deploy', 'app', '--name', 'hello')).toBe(0);
    expect(h.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['GET /2015-03-31/functions/hello', 'PUT /2015-03-31/functions/hello/code']);

    const h2 = harness(dir, () => ({ json: config() }));
    expect(await h2.run('deploy', 'app', '--name', 'hello', '--memory', '256', '--json')).toBe(0);
    expect(h2.requests.map((r) => r.url.pathname).at(-1)).toBe('/2015-03-31/functions/hello/configuration');
    expect(JSON.parse(h2.requests.at(-1)!.body)).toEqual({ MemorySize: 256 });
    expect(JSON.parse(h2.stdout())).toMatchObject({ FunctionName: 'hello' });
  });

  it('deploy lists what it skipped on stderr, leaving --json stdout one clean document', async () => {
    writeFileSync(join(dir, 'app', '.env'), 'TOKEN=1');
    mkdirSync(join(dir, 'app', '.stratus'));
    const h = harness(dir, () => ({ json: config() }));
    expect(await h.run('deploy', 'app', '--name', 'hello', '--json')).toBe(0);
    expect(JSON.parse(h.stdout())).toMatchObject({ FunctionName: 'hello' });
    expect(h.stderr()).toBe('skipped 2 paths, not uploaded:\n  .env (secrets file)\n  .stratus/ (Stratus data folder)\n');

    const quiet = harness(dir, () => ({ json: config() }));
    rmSync(join(dir, 'app', '.env'));
    rmSync(join(dir, 'app', '.stratus'), { recursive: true });
    expect(await quiet.run('deploy', 'app', '--name', 'hello')).toBe(0);
    expect(quiet.stderr()).toBe('');
  });

  it('a slow deploy shows the upload and the wait for the server on a terminal, erases it, and leaves --json stdout clean', async () => {
    // A clock that moves 0.6 s each time it is read: the deploy looks slow without taking any time.
    let clock = 0;
    const h = harness(dir, (req) => (req.method === 'GET' ? notFound : { status: 201, json: config() }), { terminalColumns: 120, now: () => (clock += 600) });
    expect(await h.run('deploy', 'app', '--name', 'hello', '--json')).toBe(0);
    expect(JSON.parse(h.stdout())).toMatchObject({ FunctionName: 'hello' });
    // The streamed upload is the same request: a JSON body with the zip.
    const create = h.requests.find((r) => r.method === 'POST')!;
    expect(typeof JSON.parse(create.body).Code.ZipFile).toBe('string');
    expect(create.headers.get('content-length')).toBe(String(Buffer.byteLength(create.body)));

    const statuses = h
      .stderr()
      .split('\r')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    expect(statuses).toContain('looking up function hello');
    expect(statuses).toContainEqual(expect.stringMatching(/^uploading the \d+ B zip: \d+%$/));
    expect(statuses).toContainEqual(expect.stringMatching(/^uploaded; waiting for the server to build and check the package: \d+\.\d s$/));
    // Nothing is left on the line: the last write erases the status.
    expect(h.stderr()).toMatch(/\r +\r$/);
  });

  it('deploy refuses a .env file named on its own, before calling the server', async () => {
    writeFileSync(join(dir, 'app', '.env'), 'TOKEN=1');
    const h = harness(dir, () => ({ json: config() }));
    expect(await h.run('deploy', 'app/.env', '--name', 'hello')).toBe(1);
    expect(h.requests).toEqual([]);
    expect(h.stderr()).toMatch(/^error: .*\.env is a secrets file \(\.env\*\), and deploy never uploads one; pass its variables with --env KEY=VALUE/);
  });

  it('deploy falls back to update when CreateFunction reports a conflict', async () => {
    const h = harness(dir, (req) =>
      req.method === 'GET'
        ? notFound
        : req.method === 'POST'
          ? { status: 409, headers: { 'x-amzn-ErrorType': 'ResourceConflictException' }, json: { message: 'exists' } }
          : { json: config() },
    );
    expect(await h.run('deploy', 'app', '--name', 'hello')).toBe(0);
    expect(h.requests.at(-1)!.url.pathname).toBe('/2015-03-31/functions/hello/code');
  });

  it('invoke sends the qualifier as ?Qualifier=, prints the payload and the decoded log tail', async () => {
    const log = Buffer.from('START\nhello from the function\nEND\n').toString('base64');
    const h = harness(dir, () => ({ text: '{"ok":true}', headers: { 'x-amz-log-result': log, 'x-amz-executed-version': '2' } }));
    expect(await h.run('invoke', 'hello:live', '--payload', '{"n":1}', '--log')).toBe(0);
    const [req] = h.requests;
    expect(req!.url.pathname).toBe('/2015-03-31/functions/hello/invocations');
    expect(req!.url.search).toBe('?Qualifier=live');
    expect(req!.headers.get('x-amz-log-type')).toBe('Tail');
    expect(req!.body).toBe('{"n":1}');
    expect(h.stdout()).toBe('{\n  "ok": true\n}\n');
    expect(h.stderr()).toBe('START\nhello from the function\nEND\n');
  });

  it('invoke prints the error payload and exits 1 on a function error', async () => {
    const payload = '{"errorType":"TypeError","errorMessage":"x is not a function"}';
    const h = harness(dir, () => ({ text: payload, headers: { 'x-amz-function-error': 'Unhandled' } }));
    expect(await h.run('invoke', 'hello', '--json')).toBe(1);
    expect(h.stdout()).toBe(`${payload}\n`);
    expect(h.stderr()).toBe('error: function hello failed (Unhandled): TypeError: x is not a function\n');
  });

  it('API errors are one line naming the exception', async () => {
    const h = harness(dir, () => notFound);
    expect(await h.run('invoke', 'hello')).toBe(1);
    expect(h.stderr()).toBe('error: ResourceNotFoundException: Function not found: hello\n');
    expect(h.stdout()).toBe('');
  });

  it('functions list follows NextMarker and prints a table', async () => {
    const h = harness(dir, (req) =>
      req.url.searchParams.get('Marker') === 'p2'
        ? { json: { Functions: [config({ FunctionName: 'beta', LastModified: '2024-05-06T07:08:09.000+0000', TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } })] } }
        : { json: { Functions: [config({ FunctionName: 'alpha', MemorySize: 512 })], NextMarker: 'p2' } },
    );
    expect(await h.run('functions', 'list')).toBe(0);
    expect(h.requests).toHaveLength(2);
    expect(h.stdout().split('\n')).toEqual([
      'NAME   RUNTIME          TENANCY     MEMORY  TIMEOUT  LAST MODIFIED',
      'alpha  stratus-isolate  -           512 MB  3 s      -',
      'beta   stratus-isolate  PER_TENANT  128 MB  3 s      2024-05-06 07:08:09 UTC',
      '',
    ]);
  });

  it('alias set creates, or updates on conflict with the routing weights', async () => {
    const h = harness(dir, (req) =>
      req.method === 'POST'
        ? { status: 409, headers: { 'x-amzn-ErrorType': 'ResourceConflictException' }, json: { message: 'Alias already exists' } }
        : { json: { Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } } },
    );
    expect(await h.run('alias', 'set', 'hello', 'live', '1', '--weight', '2=0.1')).toBe(0);
    const update = h.requests.at(-1)!;
    expect(`${update.method} ${update.url.pathname}`).toBe('PUT /2015-03-31/functions/hello/aliases/live');
    expect(JSON.parse(update.body)).toEqual({ FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } });
    expect(h.stdout()).toBe('updated alias hello:live -> version 1 (90%), version 2 (10%)\n');
  });

  it('URI-encodes path segments', async () => {
    const h = harness(dir, () => ({ json: { Aliases: [] } }));
    await h.run('alias', 'list', 'a b/c');
    expect(h.requests[0]!.url.pathname).toBe('/2015-03-31/functions/a%20b%2Fc/aliases');
  });

  it('usage errors are one line too, with a non-zero exit', async () => {
    const h = harness(dir, () => ({ json: {} }));
    expect(await h.run('deplyo')).toBe(1);
    expect(h.stderr()).toBe("error: unknown command 'deplyo' (Did you mean deploy?)\n");
  });
});
