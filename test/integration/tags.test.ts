// Lambda's tag operations through the unmodified AWS SDK: Tags on CreateFunction and GetFunction,
// TagResource, UntagResource, ListTags, Lambda's limits and errors, and tags following the function.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  ListTagsCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { ECHO, useTestServer } from '../support/server.ts';

const t = useTestServer();
let account: string;

const arnOf = (name: string) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;
async function create(name: string, Tags?: Record<string, string>) {
  const created = await t.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: 'r', Handler: 'index.handler', Code: { ZipFile: ECHO }, Tags }));
  account = created.FunctionArn!.split(':')[4]!;
  return created;
}
async function refusal(p: Promise<unknown>): Promise<Error & { name: string }> {
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: Error & { name: string }) => e,
  );
}

describe('tags', () => {
  it('are set by CreateFunction and shown by GetFunction and ListTags', async () => {
    await create('tagged', { team: 'payments', 'cost-center': '42', empty: '' });
    const got = await t.lambda.send(new GetFunctionCommand({ FunctionName: 'tagged' }));
    expect(got.Tags).toEqual({ team: 'payments', 'cost-center': '42', empty: '' });
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('tagged') }))).Tags).toEqual({ team: 'payments', 'cost-center': '42', empty: '' });
    await create('untagged');
    expect((await t.lambda.send(new GetFunctionCommand({ FunctionName: 'untagged' }))).Tags).toBeUndefined();
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('untagged') }))).Tags).toEqual({});
  });

  it('are added and replaced by TagResource and removed by UntagResource, several keys at once', async () => {
    await create('retag', { a: '1', b: '2' });
    await t.lambda.send(new TagResourceCommand({ Resource: arnOf('retag'), Tags: { b: 'two', c: '3', d: '4' } }));
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('retag') }))).Tags).toEqual({ a: '1', b: 'two', c: '3', d: '4' });
    await t.lambda.send(new UntagResourceCommand({ Resource: arnOf('retag'), TagKeys: ['a', 'c', 'not-there'] }));
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('retag') }))).Tags).toEqual({ b: 'two', d: '4' });
  });

  it('change the function’s RevisionId, as Lambda does, so a write at the old revision is refused', async () => {
    const created = await create('revisioned');
    await t.lambda.send(new TagResourceCommand({ Resource: arnOf('revisioned'), Tags: { team: 'core' } }));
    const after = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'revisioned' }));
    expect(after.RevisionId).not.toBe(created.RevisionId);
    expect(after.LastModified).toBe(created.LastModified);
    const stale = await refusal(t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'revisioned', Timeout: 9, RevisionId: created.RevisionId })));
    expect(stale).toBeInstanceOf(PreconditionFailedException);
  });

  it('belong to the function: a published version carries none, and GetFunction of a version shows the function’s', async () => {
    await create('versioned', { team: 'core' });
    const v1 = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    expect(v1.Version).toBe('1');
    expect((await t.lambda.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }))).Tags).toEqual({ team: 'core' });
    const qualified = await refusal(t.lambda.send(new TagResourceCommand({ Resource: `${arnOf('versioned')}:1`, Tags: { x: 'y' } })));
    expect(qualified).toBeInstanceOf(InvalidParameterValueException);
    expect(qualified.message).toMatch(/^Tags on function aliases and versions are not supported/);
  });

  it('go with the function: after DeleteFunction they are gone, and a new function of that name starts with none', async () => {
    await create('gone', { team: 'core' });
    await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone' }));
    expect(await refusal(t.lambda.send(new ListTagsCommand({ Resource: arnOf('gone') })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await refusal(t.lambda.send(new TagResourceCommand({ Resource: arnOf('gone'), Tags: { a: 'b' } })))).toBeInstanceOf(ResourceNotFoundException);
    await create('gone');
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('gone') }))).Tags).toEqual({});
  });

  it('of another account’s function are not found', async () => {
    await create('mine', { team: 'core' });
    const other = `arn:aws:lambda:us-east-1:999999999999:function:mine`;
    expect(await refusal(t.lambda.send(new ListTagsCommand({ Resource: other })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it.each([
    ['51 tags in all', () => Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])), /would have 51 tags; a function has at most 50/],
    ['a key of 129 characters', () => ({ ['k'.repeat(129)]: 'v' }), /is 129 characters long; a tag key has 1 to 128 characters/],
    ['a value of 257 characters', () => ({ big: 'v'.repeat(257) }), /the value of 'big' is 257 characters long/],
    ['a key starting with aws:', () => ({ 'aws:cloudformation:stack-name': 'x' }), /keys starting with aws: are reserved for AWS/],
    ['a stratus: key Stratus does not know', () => ({ 'stratus:egres': 'api.example.com' }), /'stratus:egres' is not a tag Stratus knows/],
    ['a stratus:egress value that is not a policy', () => ({ 'stratus:egress': 'api.example.com, *' }), /^Tags\.stratus:egress: '\*' is not an allowed wildcard/],
  ])('are refused with InvalidParameterValueException for %s, by TagResource and by CreateFunction', async (_name, tags, message) => {
    await create(`limits-${Math.random().toString(36).slice(2, 8)}`);
    const name = `limits-${Math.random().toString(36).slice(2, 8)}`;
    const onCreate = await refusal(create(name, tags()));
    expect(onCreate).toBeInstanceOf(InvalidParameterValueException);
    expect(onCreate.message).toMatch(message);
    const existing = `limits-existing-${Math.random().toString(36).slice(2, 8)}`;
    await create(existing);
    const onTag = await refusal(t.lambda.send(new TagResourceCommand({ Resource: arnOf(existing), Tags: tags() })));
    expect(onTag).toBeInstanceOf(InvalidParameterValueException);
    expect(onTag.message).toMatch(message);
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf(existing) }))).Tags).toEqual({});
  });

  it('count the tags a function already has towards the 50, and refuse untagging aws: keys', async () => {
    await create('full', Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])));
    expect(await refusal(t.lambda.send(new TagResourceCommand({ Resource: arnOf('full'), Tags: { one: 'more' } })))).toBeInstanceOf(InvalidParameterValueException);
    await t.lambda.send(new TagResourceCommand({ Resource: arnOf('full'), Tags: { k0: 'replaced' } }));
    expect((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('full') }))).Tags?.k0).toBe('replaced');
    expect(await refusal(t.lambda.send(new UntagResourceCommand({ Resource: arnOf('full'), TagKeys: ['aws:x'] })))).toBeInstanceOf(InvalidParameterValueException);
  });

  it('lose no write when two TagResource calls race', async () => {
    await create('raced');
    await Promise.all(Array.from({ length: 6 }, (_, i) => t.lambda.send(new TagResourceCommand({ Resource: arnOf('raced'), Tags: { [`k${i}`]: String(i) } }))));
    expect(Object.keys((await t.lambda.send(new ListTagsCommand({ Resource: arnOf('raced') }))).Tags ?? {}).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });
});
