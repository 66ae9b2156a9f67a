// An attacker's view of the function lifecycle: repeated query parameters, oversized environments
// carrying secrets, download links that outlive the code they name, and code that outlives its functions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch, type RawResponse } from '../support/signed-fetch.ts';

let server: TestServer;
let log = '';
let call: (method: string, path: string, body?: string) => Promise<RawResponse>;

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => ((log += String(chunk)), done()) });
  // No grace period: code is collected the moment its last version goes (tests here deploy one at a time).
  server = await startTestServer({ logLevel: 'trace', logDestination: sink, codeGraceSeconds: 0 });
  call = (method, path, body) => signedFetch(server.url, method, path, body, { credentials: server.rootCredentials });
});
afterAll(async () => server?.stop());

const source = (tag: string) => zipOf({ 'index.js': `exports.handler = async () => ${JSON.stringify(tag)};` });

function create(name: string, zip: Uint8Array, extra: Record<string, unknown> = {}): Promise<RawResponse> {
  return call('POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: name, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zip).toString('base64') }, ...extra }));
}

function expectError(res: RawResponse, status: number, type: string, message: RegExp): void {
  expect({ status: res.status, type: res.headers.get('x-amzn-errortype') }).toEqual({ status, type });
  expect(String(res.json().message)).toMatch(message);
}

describe('a repeated query parameter', () => {
  beforeAll(async () => {
    expect((await create('dup', source('dup'))).status).toBe(201);
    expect((await call('POST', '/2015-03-31/functions/dup/versions', '{}')).status).toBe(201);
  });

  it.each([
    ['Invoke', 'POST', '/2015-03-31/functions/dup/invocations?Qualifier=1&Qualifier=%24LATEST', '{}'],
    ['GetFunction', 'GET', '/2015-03-31/functions/dup?Qualifier=%24LATEST&Qualifier=1', undefined],
    ['DeleteFunction', 'DELETE', '/2015-03-31/functions/dup?Qualifier=1&Qualifier=2', undefined],
    ['a public route', 'GET', '/healthz?probe=1&probe=2', undefined],
  ])('is refused on %s with 400 InvalidParameterValueException naming it', async (_op, method, path, body) => {
    const res = await call(method, path, body);
    expectError(res, 400, 'InvalidParameterValueException', /^(Qualifier|probe): is given more than once in the query string: send each query parameter once/);
    expect(res.json().code).toBe('REQUEST_INVALID_PARAMETER');
  });

  it('changes nothing and the server keeps serving', async () => {
    expect((await call('GET', '/2015-03-31/functions/dup?Qualifier=1')).status).toBe(200);
    const res = await call('POST', '/2015-03-31/functions/dup/invocations?Qualifier=1', '{}');
    expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: '"dup"' });
  });
});

describe('environment variables', () => {
  const SECRET = `env-secret-${Math.random().toString(36).slice(2)}`;
  /** Variables whose JSON is exactly `bytes` long, the secret inside. */
  const varsOf = (bytes: number) => ({ TOKEN: SECRET, PAD: 'x'.repeat(bytes - JSON.stringify({ TOKEN: SECRET, PAD: '' }).length) });

  it('are limited to 4 KB in all, measured as the JSON of the map, with the size in the message and no value echoed or logged', async () => {
    expect(JSON.stringify(varsOf(4097)).length).toBe(4097);
    const refused = await create('big-env', source('e'), { Environment: { Variables: varsOf(4097) } });
    expectError(refused, 400, 'InvalidParameterValueException', /exceeded the 4KB limit\. String measured: 4097 bytes .*limit is 4096 bytes.*Shorten or remove/);
    expect(refused.text).not.toContain(SECRET);
    expect((await call('GET', '/2015-03-31/functions/big-env')).status).toBe(404);

    expect((await create('env', source('e'), { Environment: { Variables: varsOf(4096) } })).status).toBe(201);
    const update = await call('PUT', '/2015-03-31/functions/env/configuration', JSON.stringify({ Environment: { Variables: { ...varsOf(4096), MORE: '1' } } }));
    expectError(update, 400, 'InvalidParameterValueException', /4KB limit.*4107 bytes/);
    expect(update.text).not.toContain(SECRET);
    const kept = await call('GET', '/2015-03-31/functions/env/configuration');
    expect(Object.keys((kept.json().Environment as { Variables: object }).Variables)).toEqual(['TOKEN', 'PAD']);

    expect(log).toContain('request');
    expect(log).not.toContain(SECRET);
  });

  it("refuse names outside Lambda's pattern, in Lambda's words", async () => {
    for (const name of ['A', '1BAD', 'MY-VAR', '_X']) {
      const res = await create('bad-env-name', source('e'), { Environment: { Variables: { [name]: SECRET } } });
      expectError(
        res,
        400,
        'InvalidParameterValueException',
        /Member must satisfy regular expression pattern: \[a-zA-Z\]\(\[a-zA-Z0-9_\]\)\+\]\. Environment variable name '.*' is not valid/,
      );
      expect(res.text).not.toContain(SECRET);
    }
    const update = await call('PUT', '/2015-03-31/functions/env/configuration', JSON.stringify({ Environment: { Variables: { A: '1' } } }));
    expectError(update, 400, 'InvalidParameterValueException', /Environment variable name 'A' is not valid/);
  });

  it("refuse the names Lambda's runtime sets itself, naming them and not their values", async () => {
    const res = await create('reserved-env', source('e'), { Environment: { Variables: { AWS_REGION: SECRET, MINE: '1', AWS_SECRET_ACCESS_KEY: SECRET } } });
    expectError(res, 400, 'InvalidParameterValueException', /contains reserved keys .* Reserved keys used in this request: AWS_REGION,AWS_SECRET_ACCESS_KEY\./);
    expect(res.text).not.toContain(SECRET);
    expect((await call('GET', '/2015-03-31/functions/reserved-env')).status).toBe(404);
    const update = await call('PUT', '/2015-03-31/functions/env/configuration', JSON.stringify({ Environment: { Variables: { AWS_LAMBDA_FUNCTION_NAME: 'spoof' } } }));
    expectError(update, 400, 'InvalidParameterValueException', /Reserved keys used in this request: AWS_LAMBDA_FUNCTION_NAME\./);
    // Variables Lambda only defaults (TZ, LANG, PATH, NODE_PATH) may be set, as in Lambda.
    expect((await create('tz-env', source('e'), { Environment: { Variables: { TZ: 'UTC', LANG: 'C.UTF-8' } } })).status).toBe(201);
  });
});

describe('code download links', () => {
  const location = async (name: string, qualifier?: string, creds = server.rootCredentials) => {
    const res = await signedFetch(server.url, 'GET', `/2015-03-31/functions/${name}${qualifier ? `?Qualifier=${qualifier}` : ''}`, undefined, { credentials: creds });
    expect(res.status).toBe(200);
    return String((res.json().Code as { Location: string }).Location);
  };
  const download = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const gone = { status: 404, type: 'ResourceNotFoundException' };

  it('stop working the moment the function is deleted', async () => {
    const zip = source('deleted');
    expect((await create('dl-delete', zip)).status).toBe(201);
    const link = await location('dl-delete');
    const before = await download(link);
    expect(before.status).toBe(200);
    expect(before.bytes.equals(Buffer.from(zip))).toBe(true);
    expect((await call('DELETE', '/2015-03-31/functions/dl-delete')).status).toBe(204);
    const after = await download(link);
    expect({ status: after.status, type: after.type }).toEqual(gone);
    expect(after.bytes.toString()).toMatch(/no longer available.*Call GetFunction again/);
  });

  it('stop working when UpdateFunctionCode replaces the code, while the new link works', async () => {
    expect((await create('dl-update', source('old'))).status).toBe(201);
    const oldLink = await location('dl-update');
    const zip = source('new');
    const put = await call('PUT', '/2015-03-31/functions/dl-update/code', JSON.stringify({ ZipFile: Buffer.from(zip).toString('base64') }));
    expect(put.status).toBe(200);
    expect((await download(oldLink)).status).toBe(404);
    const fresh = await download(await location('dl-update'));
    expect(fresh.status).toBe(200);
    expect(fresh.bytes.equals(Buffer.from(zip))).toBe(true);
  });

  it('keep working while a published version still has the code, and stop when that version is deleted', async () => {
    expect((await create('dl-version', source('v1'))).status).toBe(201);
    expect((await call('POST', '/2015-03-31/functions/dl-version/versions', '{}')).status).toBe(201);
    const link = await location('dl-version');
    await call('PUT', '/2015-03-31/functions/dl-version/code', JSON.stringify({ ZipFile: Buffer.from(source('v2')).toString('base64') }));
    expect((await download(link)).status).toBe(200);
    expect((await call('DELETE', '/2015-03-31/functions/dl-version?Qualifier=1')).status).toBe(204);
    expect((await download(link)).status).toBe(404);
  });

  it("cannot be edited to fetch other code, another function's or another account's", async () => {
    const created = await call('POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'other-co' }));
    const other = { accessKeyId: String(created.json().AccessKeyId), secretAccessKey: String(created.json().SecretAccessKey) };
    const otherZip = source('other account');
    const otherCreate = await signedFetch(
      server.url,
      'POST',
      '/2015-03-31/functions',
      JSON.stringify({ FunctionName: 'target', Code: { ZipFile: Buffer.from(otherZip).toString('base64') } }),
      { credentials: other },
    );
    expect(otherCreate.status).toBe(201);
    const otherSha = String(otherCreate.json().CodeSha256);
    const otherAccount = new URL(await location('target', undefined, other)).searchParams.get('account')!;

    expect((await create('mine', source('mine'))).status).toBe(201);
    expect((await create('mine2', source('mine2'))).status).toBe(201);
    const link = new URL(await location('mine'));
    /** What the link answers after an edit: the signature covers the path's sha and every parameter. */
    const afterEdit = async (edit: (u: URL) => void) => {
      const u = new URL(link);
      edit(u);
      const res = await download(u.toString());
      return { status: res.status, type: res.type };
    };
    const forbidden = { status: 403, type: 'AccessDeniedException' };
    expect(await afterEdit((u) => (u.pathname = `/stratus/v1/code/${encodeURIComponent(otherSha)}`))).toEqual(forbidden);
    expect(await afterEdit((u) => u.searchParams.set('account', otherAccount))).toEqual(forbidden);
    expect(await afterEdit((u) => u.searchParams.set('function', 'mine2'))).toEqual(forbidden);
    expect(await afterEdit((u) => u.searchParams.set('expires', String(Date.now() + 86_400_000)))).toEqual(forbidden);
    expect(await afterEdit((u) => u.searchParams.delete('function'))).toEqual(forbidden);
    expect((await download(link.toString())).status).toBe(200);
  });

  it("die with the function even when another account's function has the same code", async () => {
    const created = await call('POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'twin-co' }));
    const twin = { accessKeyId: String(created.json().AccessKeyId), secretAccessKey: String(created.json().SecretAccessKey) };
    const zip = source('same bytes in two accounts');
    expect((await create('shared-code', zip)).status).toBe(201);
    const body = JSON.stringify({ FunctionName: 'shared-code', Code: { ZipFile: Buffer.from(zip).toString('base64') } });
    expect((await signedFetch(server.url, 'POST', '/2015-03-31/functions', body, { credentials: twin })).status).toBe(201);
    const link = await location('shared-code');
    expect((await call('DELETE', '/2015-03-31/functions/shared-code')).status).toBe(204);
    expect((await download(link)).status).toBe(404);
    expect((await download(await location('shared-code', undefined, twin))).status).toBe(200);
  });
});

describe('stored code', () => {
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(path.join(server.dataDir, 'stratus.db'), { readonly: true, fileMustExist: true });
  });
  afterAll(() => db?.close());

  /** The CodeSha256 and bundle hash $LATEST of a function has now. */
  const codeOf = (name: string) =>
    db
      .prepare(
        "SELECT json_extract(record, '$.codeSha256') AS zip, json_extract(record, '$.bundleSha256') AS bundle FROM function_versions WHERE function_name = ? AND version = '$LATEST'",
      )
      .get(name) as { zip: string; bundle: string };
  /** Which rows of this code the database still holds. */
  const stored = (c: { zip: string; bundle: string }) => ({
    zip: db.prepare('SELECT count(*) AS n FROM code_zips WHERE code_sha256 = ?').get(c.zip) as { n: number },
    bundle: db.prepare('SELECT count(*) AS n FROM code_bundles WHERE bundle_sha256 = ?').get(c.bundle) as { n: number },
  });
  const kept = { zip: { n: 1 }, bundle: { n: 1 } };
  const gone = { zip: { n: 0 }, bundle: { n: 0 } };

  it('is deleted with the last function that has it, and kept while another function has it', async () => {
    const shared = source('shared by two functions');
    expect((await create('gc-a', shared)).status).toBe(201);
    expect((await create('gc-b', shared)).status).toBe(201);
    expect((await create('gc-alone', source('one function only'))).status).toBe(201);
    const sharedCode = codeOf('gc-a');
    const aloneCode = codeOf('gc-alone');
    expect(stored(sharedCode)).toEqual(kept);

    expect((await call('DELETE', '/2015-03-31/functions/gc-alone')).status).toBe(204);
    expect(stored(aloneCode)).toEqual(gone);
    expect((await call('DELETE', '/2015-03-31/functions/gc-a')).status).toBe(204);
    expect(stored(sharedCode)).toEqual(kept);
    expect((await call('DELETE', '/2015-03-31/functions/gc-b')).status).toBe(204);
    expect(stored(sharedCode)).toEqual(gone);
  });

  it('is kept while a published version has it, and deleted with that version once replaced', async () => {
    expect((await create('gc-versions', source('version 1'))).status).toBe(201);
    expect((await call('POST', '/2015-03-31/functions/gc-versions/versions', '{}')).status).toBe(201);
    const v1 = codeOf('gc-versions');
    expect((await call('PUT', '/2015-03-31/functions/gc-versions/code', JSON.stringify({ ZipFile: Buffer.from(source('version 2')).toString('base64') }))).status).toBe(200);
    const v2 = codeOf('gc-versions');
    expect(stored(v1)).toEqual(kept);
    expect((await call('DELETE', '/2015-03-31/functions/gc-versions?Qualifier=1')).status).toBe(204);
    expect(stored(v1)).toEqual(gone);
    expect(stored(v2)).toEqual(kept);
  });

  it('is deleted when UpdateFunctionCode or a new Handler replaces it', async () => {
    const twoHandlers = zipOf({ 'a.js': 'exports.handler = async () => "a";', 'b.js': 'exports.handler = async () => "b";' });
    expect((await create('gc-replace', twoHandlers, { Handler: 'a.handler' })).status).toBe(201);
    const first = codeOf('gc-replace');
    const conf = await call('PUT', '/2015-03-31/functions/gc-replace/configuration', JSON.stringify({ Handler: 'b.handler' }));
    expect(conf.status).toBe(200);
    const rebuilt = codeOf('gc-replace');
    expect(rebuilt.zip).toBe(first.zip);
    expect(stored(first).bundle).toEqual({ n: 0 });
    expect(stored(rebuilt)).toEqual(kept);

    const replaced = zipOf({ 'b.js': 'exports.handler = async () => "replaced";' });
    expect((await call('PUT', '/2015-03-31/functions/gc-replace/code', JSON.stringify({ ZipFile: Buffer.from(replaced).toString('base64') }))).status).toBe(200);
    expect(stored(rebuilt)).toEqual(gone);
    expect(stored(codeOf('gc-replace'))).toEqual(kept);
    const res = await call('POST', '/2015-03-31/functions/gc-replace/invocations', '{}');
    expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: '"replaced"' });
  });
});
