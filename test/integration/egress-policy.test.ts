// A function's egress policy over the API: the EgressPolicy field (native route, shown in the
// configuration as a field the SDK ignores), the tag stratus:egress for templates, which of the two
// is in force, and refusals that name the bad entry.
import { CreateFunctionCommand, PublishVersionCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { signedFetch } from '../support/signed-fetch.ts';
import { ECHO, useTestServer } from '../support/server.ts';

const t = useTestServer();
let account: string;

const call = (method: string, path: string, body?: unknown) =>
  signedFetch(t.server.url, method, path, body === undefined ? undefined : JSON.stringify(body), { credentials: t.server.rootCredentials });
const policyPath = (name: string, query = '') => `/stratus/v1/functions/${name}/egress-policy${query}`;
const arnOf = (name: string) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;
async function create(name: string, Tags?: Record<string, string>) {
  const created = await t.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: 'r', Handler: 'index.handler', Code: { ZipFile: ECHO }, Tags }));
  account = created.FunctionArn!.split(':')[4]!;
  return created;
}

describe('egress policy', () => {
  it('is none by default: the function may make no outbound request', async () => {
    await create('quiet');
    const res = await call('GET', policyPath('quiet'));
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ FunctionName: 'quiet', Version: '$LATEST', AllowedHosts: [], Source: 'none' });
    expect((await call('GET', '/2015-03-31/functions/quiet/configuration')).json()).not.toHaveProperty('EgressPolicy');
  });

  it('is set as the EgressPolicy field in canonical form, shown in the configuration, and changes the revision', async () => {
    const created = await create('field');
    const put = await call('PUT', policyPath('field'), { AllowedHosts: ['API.example.com', 'https://api.example.com:443', '*.stripe.com:8443', 'HTTP://10.0.0.5:8080'] });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({
      AllowedHosts: ['api.example.com', '*.stripe.com:8443', 'http://10.0.0.5:8080'],
      Source: 'EgressPolicy',
      EgressPolicy: { AllowedHosts: ['api.example.com', '*.stripe.com:8443', 'http://10.0.0.5:8080'] },
    });
    const conf = (await call('GET', '/2015-03-31/functions/field/configuration')).json();
    expect(conf.EgressPolicy).toEqual({ AllowedHosts: ['api.example.com', '*.stripe.com:8443', 'http://10.0.0.5:8080'] });
    expect(conf.RevisionId).not.toBe(created.RevisionId);
    expect(conf.RevisionId).toBe(put.json().RevisionId);
  });

  it('refuses a bad entry with 400 InvalidParameterValueException naming the entry and the fix, and changes nothing', async () => {
    await create('strict');
    for (const [entry, message] of [
      ['*', /'\*' is not an allowed wildcard/],
      ['ftp://files.example.com', /uses the scheme ftp: only https \(the default\) and http are allowed/],
      ['api.example.com/v1', /holds more than a host/],
      ['2130706433', /write it as 127\.0\.0\.1/],
    ] as const) {
      const res = await call('PUT', policyPath('strict'), { AllowedHosts: ['ok.example.com', entry] });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
      expect(res.json().message).toMatch(/^AllowedHosts: /);
      expect(res.json().message).toMatch(message);
    }
    expect((await call('GET', policyPath('strict'))).json()).toMatchObject({ Source: 'none' });
    expect((await call('PUT', policyPath('strict'), { AllowedHosts: 'api.example.com' })).status).toBe(400);
  });

  it('writes only at the RevisionId given, with 412 otherwise', async () => {
    const created = await create('conditional');
    expect((await call('PUT', policyPath('conditional'), { AllowedHosts: ['a.example.com'], RevisionId: 'stale' })).status).toBe(412);
    const ok = await call('PUT', policyPath('conditional'), { AllowedHosts: ['a.example.com'], RevisionId: created.RevisionId });
    expect(ok.status).toBe(200);
    expect((await call('DELETE', policyPath('conditional', `?RevisionId=${created.RevisionId}`))).status).toBe(412);
  });

  it('can be set by the tag stratus:egress, which the field overrides while it is set', async () => {
    await create('templated', { 'stratus:egress': 'api.example.com, *.stripe.com:443 http://10.0.0.5:8080' });
    expect((await call('GET', policyPath('templated'))).json()).toMatchObject({
      AllowedHosts: ['api.example.com', '*.stripe.com', 'http://10.0.0.5:8080'],
      Source: 'tag:stratus:egress',
      Tag: 'api.example.com, *.stripe.com:443 http://10.0.0.5:8080',
    });
    await call('PUT', policyPath('templated'), { AllowedHosts: ['only.example.com'] });
    expect((await call('GET', policyPath('templated'))).json()).toMatchObject({ AllowedHosts: ['only.example.com'], Source: 'EgressPolicy' });
    // An empty list is a policy too: nothing allowed, whatever the tag says.
    await call('PUT', policyPath('templated'), { AllowedHosts: [] });
    expect((await call('GET', policyPath('templated'))).json()).toMatchObject({ AllowedHosts: [], Source: 'EgressPolicy' });
    const cleared = await call('DELETE', policyPath('templated'));
    expect(cleared.json()).toMatchObject({ AllowedHosts: ['api.example.com', '*.stripe.com', 'http://10.0.0.5:8080'], Source: 'tag:stratus:egress' });
    expect(cleared.json()).not.toHaveProperty('EgressPolicy');
    await t.lambda.send(new UntagResourceCommand({ Resource: arnOf('templated'), TagKeys: ['stratus:egress'] }));
    expect((await call('GET', policyPath('templated'))).json()).toMatchObject({ AllowedHosts: [], Source: 'none' });
  });

  it('is kept by a published version as its field; a version without one follows the function’s tag as it changes', async () => {
    await create('published');
    await call('PUT', policyPath('published'), { AllowedHosts: ['v1.example.com'] });
    await t.lambda.send(new PublishVersionCommand({ FunctionName: 'published' }));
    await call('DELETE', policyPath('published'));
    await t.lambda.send(new PublishVersionCommand({ FunctionName: 'published' }));
    await t.lambda.send(new TagResourceCommand({ Resource: arnOf('published'), Tags: { 'stratus:egress': 'tagged.example.com' } }));
    await call('PUT', policyPath('published'), { AllowedHosts: ['latest.example.com'] });
    const read = async (q: string) => (await call('GET', policyPath('published', q))).json();
    expect(await read('?Qualifier=1')).toMatchObject({ Version: '1', AllowedHosts: ['v1.example.com'], Source: 'EgressPolicy' });
    expect(await read('?Qualifier=2')).toMatchObject({ Version: '2', AllowedHosts: ['tagged.example.com'], Source: 'tag:stratus:egress' });
    expect(await read('')).toMatchObject({ Version: '$LATEST', AllowedHosts: ['latest.example.com'], Source: 'EgressPolicy' });
    expect((await call('GET', '/2015-03-31/functions/published/configuration?Qualifier=1')).json().EgressPolicy).toEqual({ AllowedHosts: ['v1.example.com'] });
    expect((await call('PUT', policyPath('published', '?Qualifier=1'), { AllowedHosts: [] })).status).toBe(400);
  });

  it('answers 404 for a function that does not exist', async () => {
    expect((await call('GET', policyPath('missing'))).status).toBe(404);
    expect((await call('PUT', policyPath('missing'), { AllowedHosts: ['a.example.com'] })).status).toBe(404);
  });
});
