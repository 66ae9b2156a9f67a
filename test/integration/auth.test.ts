// SigV4 at the edge: unsigned, mis-signed, unknown-key and skewed requests are refused; accounts see only their own functions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, ListFunctionsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import fs from 'node:fs';
import path from 'node:path';
import { ECHO, startTestServer, type TestServer } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const list = '/2015-03-31/functions/';

describe('credentials file', () => {
  it('is written in the shared-credentials format, profile stratus, mode 0600', () => {
    const file = path.join(server.dataDir, 'credentials');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('[stratus]');
    expect(text).toContain(`aws_access_key_id = ${server.rootCredentials.accessKeyId}`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('SigV4', () => {
  it('accepts a correctly signed request', async () => {
    const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: server.rootCredentials });
    expect(res.status).toBe(200);
  });

  it('refuses an unsigned request', async () => {
    const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: server.rootCredentials, unsigned: true });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(res.json().message).toMatch(/sign the request/);
  });

  it('refuses a wrong secret', async () => {
    const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: { ...server.rootCredentials, secretAccessKey: 'wrong-secret-0123456789' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  it('refuses an unknown key', async () => {
    const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: { accessKeyId: 'SKIAUNKNOWNKEY0000000', secretAccessKey: 'x'.repeat(30) } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
  });

  it('refuses a signing time more than 5 minutes off', async () => {
    for (const skew of [-6 * 60_000, 6 * 60_000]) {
      const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: server.rootCredentials, signingDate: new Date(Date.now() + skew) });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
      expect(res.json().message).toMatch(/Signature expired/);
    }
  });

  it('refuses a body changed after signing', async () => {
    const body = JSON.stringify({ Name: 'signed-name' });
    const res = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', body, { credentials: server.rootCredentials, sendBody: JSON.stringify({ Name: 'swapped' }) });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    const accounts = await signedFetch(server.url, 'GET', '/stratus/v1/accounts', undefined, { credentials: server.rootCredentials });
    expect(JSON.stringify(accounts.json())).not.toContain('swapped');
  });

  it("refuses a region other than the server's, naming the right one", async () => {
    const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: server.rootCredentials, region: 'eu-west-1' });
    expect(res.status).toBe(403);
    expect(res.json().message).toContain("'us-east-1'");
  });

  it('refuses garbage Authorization headers without failing the server', async () => {
    for (const auth of ['Bearer x', 'AWS4-HMAC-SHA256 Credential=', 'AWS4-HMAC-SHA256 ' + 'A'.repeat(10_000)]) {
      const res = await signedFetch(server.url, 'GET', list, undefined, { credentials: server.rootCredentials, unsigned: true, headers: { authorization: auth } });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException');
    }
    expect((await signedFetch(server.url, 'GET', list, undefined, { credentials: server.rootCredentials })).status).toBe(200);
  });

  it('answers health checks without a signature', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('accounts', () => {
  it('lets the admin create accounts that see only their own functions', async () => {
    const created = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'acme' }), { credentials: server.rootCredentials });
    expect(created.status).toBe(201);
    const acme = created.json() as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
    expect(acme.AccountId).toMatch(/^\d{12}$/);
    const dup = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'acme' }), { credentials: server.rootCredentials });
    expect(dup.status).toBe(409);

    const admin = server.lambda();
    const other = server.lambda({ accessKeyId: acme.AccessKeyId, secretAccessKey: acme.SecretAccessKey });
    await admin.send(new CreateFunctionCommand({ FunctionName: 'private', Code: { ZipFile: ECHO }, Handler: 'index.handler', Role: 'r' }));
    const seen = await other.send(new ListFunctionsCommand({}));
    expect(seen.Functions).toEqual([]);
    await expect(other.send(new GetFunctionCommand({ FunctionName: 'private' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const adminArn = (await admin.send(new GetFunctionCommand({ FunctionName: 'private' }))).Configuration!.FunctionArn!;
    await expect(other.send(new InvokeCommand({ FunctionName: adminArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    // The same name in another account is another function.
    await other.send(new CreateFunctionCommand({ FunctionName: 'private', Code: { ZipFile: ECHO }, Handler: 'index.handler', Role: 'r' }));
    expect((await other.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName)).toEqual(['private']);

    // Only the admin creates accounts.
    const denied = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'evil' }), {
      credentials: { accessKeyId: acme.AccessKeyId, secretAccessKey: acme.SecretAccessKey },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    admin.destroy();
    other.destroy();
  });
});
