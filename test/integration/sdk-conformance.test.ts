// The unmodified @aws-sdk/client-lambda against a real Stratus: every operation of the core API and its error classes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  RequestTooLargeException,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
  type Runtime,
} from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { ECHO, decode, startTestServer, zipOf, type TestServer } from '../support/server.ts';

let server: TestServer;
let lambda: LambdaClient;

beforeAll(async () => {
  server = await startTestServer();
  lambda = server.lambda();
});
afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

const versionZip = (tag: string) => zipOf({ 'index.js': `exports.handler = async () => ({ tag: ${JSON.stringify(tag)} });` });

describe('functions', () => {
  it('creates, reads and reports a function as Lambda does', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'stratus-isolate' as Runtime,
        Role: 'arn:aws:iam::000000000000:role/any',
        Handler: 'index.handler',
        Code: { ZipFile: ECHO },
        MemorySize: 256,
        Timeout: 5,
        Environment: { Variables: { GREETING: 'hi' } },
      }),
    );
    expect(created.FunctionName).toBe('echo');
    expect(created.FunctionArn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:echo$/);
    expect(created.CodeSha256).toBe(createHash('sha256').update(ECHO).digest('base64'));
    expect(created.CodeSize).toBe(ECHO.length);
    expect(created.Version).toBe('$LATEST');
    expect(created.MemorySize).toBe(256);
    expect(created.State).toBe('Active');
    expect(created.Environment?.Variables).toEqual({ GREETING: 'hi' });

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration?.RevisionId).toBe(created.RevisionId);
    const download = await fetch(got.Code!.Location!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(ECHO))).toBe(true);

    const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }));
    expect(conf.Handler).toBe('index.handler');
    expect(conf.Timeout).toBe(5);
  });

  it('refuses a duplicate name with ResourceConflictException', async () => {
    await expect(lambda.send(new CreateFunctionCommand({ FunctionName: 'echo', Code: { ZipFile: ECHO }, Handler: 'index.handler', Role: 'r' }))).rejects.toBeInstanceOf(
      ResourceConflictException,
    );
  });

  it('refuses an unsupported runtime naming what is supported', async () => {
    const err = await lambda
      .send(new CreateFunctionCommand({ FunctionName: 'py', Runtime: 'python3.12' as Runtime, Code: { ZipFile: ECHO }, Handler: 'index.handler', Role: 'r' }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect(err.message).toContain('stratus-isolate');
  });

  it('refuses out-of-range parameters naming the field and the allowed values', async () => {
    const err = await lambda.send(new CreateFunctionCommand({ FunctionName: 'big', Code: { ZipFile: ECHO }, Handler: 'index.handler', Role: 'r', MemorySize: 64 })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect(err.message).toMatch(/MemorySize.*128 to 10240/);
  });

  it('updates configuration and code, checking RevisionId', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Timeout: 7, RevisionId: before.RevisionId }));
    expect(updated.Timeout).toBe(7);
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Timeout: 8, RevisionId: before.RevisionId }))).rejects.toBeInstanceOf(
      PreconditionFailedException,
    );
    const zip = zipOf({ 'index.js': 'exports.handler = async (e) => ({ v: 2, e });' });
    const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zip }));
    expect(code.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}') }));
    expect(decode(out.Payload)).toEqual({ v: 2, e: { a: 1 } });
  });

  it('lists functions page by page', async () => {
    for (const n of ['list-a', 'list-b', 'list-c']) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: n, Code: { ZipFile: ECHO }, Handler: 'index.handler', Role: 'r' }));
    }
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      names.push(...page.Functions!.map((f) => f.FunctionName!));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    expect(pages).toBeGreaterThan(1);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['echo', 'list-a', 'list-b', 'list-c']));
  });

  it('deletes a function; later reads are ResourceNotFoundException', async () => {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'list-c' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'list-c' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(lambda.send(new DeleteFunctionCommand({ FunctionName: 'list-c' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('versions and aliases', () => {
  it('publishes immutable versions and routes aliases by weight', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'ver', Code: { ZipFile: versionZip('one') }, Handler: 'index.handler', Role: 'r' }));
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
    expect(v1.Version).toBe('1');
    expect(v1.FunctionArn).toMatch(/:function:ver:1$/);
    // Publishing an unchanged $LATEST returns the same version.
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }))).Version).toBe('1');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: versionZip('two') }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    expect(v2.Version).toBe('2');

    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);

    // Version 1 still runs its own code after $LATEST moved on.
    const r1 = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '1' }));
    expect(decode(r1.Payload)).toEqual({ tag: 'one' });
    expect(r1.ExecutedVersion).toBe('1');

    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' }));
    expect(alias.AliasArn).toMatch(/:function:ver:live$/);
    await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' }))).rejects.toBeInstanceOf(ResourceConflictException);
    const viaAlias = await lambda.send(new InvokeCommand({ FunctionName: 'ver:live' }));
    expect(viaAlias.ExecutedVersion).toBe('1');

    const got = await lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    const weighted = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } }, RevisionId: got.RevisionId }),
    );
    expect(weighted.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.5 });
    await expect(lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', Description: 'x', RevisionId: got.RevisionId }))).rejects.toBeInstanceOf(
      PreconditionFailedException,
    );
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: 'live' }));
      seen.set(r.ExecutedVersion!, (seen.get(r.ExecutedVersion!) ?? 0) + 1);
      expect(decode(r.Payload)).toEqual({ tag: r.ExecutedVersion === '1' ? 'one' : 'two' });
    }
    // At 50/50 over 60 calls, either side getting fewer than 10 has a probability below 1e-6.
    expect(seen.get('1')).toBeGreaterThan(10);
    expect(seen.get('2')).toBeGreaterThan(10);

    const list = await lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }));
    expect(list.Aliases!.map((a) => a.Name)).toEqual(['live']);
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    await expect(lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses an alias to a version that does not exist', async () => {
    await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'ghost', FunctionVersion: '99' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('invoke', () => {
  it('returns the payload, the executed version and a 4 KB log tail', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'logger',
        Code: { ZipFile: zipOf({ 'index.js': 'exports.handler = async (e, ctx) => { console.log("hello", e.n); console.error("oops"); return ctx.functionName; };' }) },
        Handler: 'index.handler',
        Role: 'r',
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'logger', Payload: Buffer.from('{"n":42}'), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toBe('logger');
    expect(out.ExecutedVersion).toBe('$LATEST');
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST/);
    expect(log).toMatch(/\tINFO\thello 42\n/);
    expect(log).toMatch(/\tERROR\toops\n/);
    expect(log).toMatch(/REPORT RequestId: .*Duration: [\d.]+ ms/);
  });

  it('DryRun checks the call without running it', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'logger', InvocationType: 'DryRun' }));
    expect(out.StatusCode).toBe(204);
  });

  it('reports handler errors as Unhandled function errors', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'thrower',
        Code: { ZipFile: zipOf({ 'index.js': 'exports.handler = async () => { throw new TypeError("bad input"); };' }) },
        Handler: 'index.handler',
        Role: 'r',
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'thrower' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input', trace: expect.any(Array) });
  });

  it('refuses malformed JSON and oversized payloads with the SDK error classes', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'logger', Payload: Buffer.from('{not json') }))).rejects.toBeInstanceOf(InvalidRequestContentException);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'logger', Payload: Buffer.from(JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) })) }))).rejects.toBeInstanceOf(
      RequestTooLargeException,
    );
  });

  it('answers ResourceNotFoundException for unknown functions, versions and aliases', async () => {
    for (const [FunctionName, Qualifier] of [
      ['nope', undefined],
      ['logger', '42'],
      ['logger', 'no-alias'],
    ] as const) {
      await expect(lambda.send(new InvokeCommand({ FunctionName, Qualifier }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
  });
});
