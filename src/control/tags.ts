/**
 * @module A function's tags (TagResource, UntagResource, ListTags, Tags on CreateFunction), with
 * Lambda's limits. Tags belong to the whole function and live on its $LATEST record: a write
 * changes $LATEST's revision, as in Lambda, and is made only at the revision it read (invariant 6).
 * Lambda's tag calls take no RevisionId, so a write that loses a race reads again and retries.
 * The tag stratus:egress is checked as an egress policy when it is written.
 */
import { EGRESS_TAG, parseEgressTag } from '../shared/egress-policy.ts';
import { stratusError } from '../shared/errors.ts';
import type { IdSource } from '../shared/ids.ts';
import type { FunctionStore, FunctionVersionRecord } from '../store/index.ts';
import { LATEST, functionArn } from './arn.ts';

export const MAX_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;
/** Stratus's own tag keys; any other `stratus:` key is a typo worth refusing. */
const STRATUS_TAGS = new Set([EGRESS_TAG]);
/** Conditional writes tried before a busy function is reported (each retry reads the function again). */
const WRITE_ATTEMPTS = 5;

const isAwsKey = (key: string) => key.toLowerCase().startsWith('aws:');

/** Checks tags about to be set: key and value lengths, reserved prefixes, and the value of stratus:egress. */
export function checkTags(tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > MAX_KEY) throw stratusError('REQUEST_INVALID_PARAMETER.tagKeyLength', { key: shown(key), length: key.length });
    if (value.length > MAX_VALUE) throw stratusError('REQUEST_INVALID_PARAMETER.tagValueLength', { key: shown(key), length: value.length });
    if (isAwsKey(key)) throw stratusError('REQUEST_INVALID_PARAMETER.tagAwsPrefix', { key: shown(key) });
    if (key.toLowerCase().startsWith('stratus:') && !STRATUS_TAGS.has(key)) throw stratusError('REQUEST_INVALID_PARAMETER.tagStratusPrefix', { key: shown(key) });
    if (key === EGRESS_TAG) parseEgressTag(value);
  }
  const count = Object.keys(tags).length;
  if (count > MAX_TAGS) throw stratusError('REQUEST_INVALID_PARAMETER.tagsTooMany', { count, max: MAX_TAGS });
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

function shown(key: string): string {
  return key.length > 140 ? `${key.slice(0, 140)}...` : key;
}

export interface TagServiceDeps {
  functions: FunctionStore;
  ids: IdSource;
  region: string;
}

export interface TagService {
  list(accountId: string, name: string): Promise<Record<string, string>>;
  /** Adds tags, replacing the values of keys already there. */
  tag(accountId: string, name: string, tags: Record<string, string>): Promise<void>;
  /** Removes tags by key; keys the function does not have are ignored. */
  untag(accountId: string, name: string, keys: readonly string[]): Promise<void>;
}

export function createTagService(deps: TagServiceDeps): TagService {
  const { functions, ids, region } = deps;

  async function latest(accountId: string, name: string): Promise<FunctionVersionRecord> {
    const rec = await functions.getVersion({ accountId, functionName: name, version: LATEST });
    if (!rec) throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, accountId, name) });
    return rec;
  }

  /**
   * Applies `change` to the current tags and writes them at the revision read. No change listener
   * is told: a changed stratus:egress changes the partition of every version it applies to (see
   * invoke's resolve stage), so no environment made under the old policy is handed out again.
   */
  async function rewrite(accountId: string, name: string, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const cur = await latest(accountId, name);
      const tags = change({ ...cur.tags });
      if (sameTags(tags, cur.tags ?? {})) return;
      checkTags(tags);
      const { tags: _old, ...rest } = cur;
      const next: FunctionVersionRecord = Object.keys(tags).length > 0 ? { ...rest, tags, revisionId: ids.uuid() } : { ...rest, revisionId: ids.uuid() };
      if (await functions.updateLatest({ next, expectedRevisionId: cur.revisionId })) return;
    }
    throw stratusError('FUNCTION_CONFLICT.tagsBusy', { name });
  }

  return {
    list: async (accountId, name) => ({ ...(await latest(accountId, name)).tags }),
    async tag(accountId, name, tags) {
      if (Object.keys(tags).length === 0) throw stratusError('REQUEST_INVALID_PARAMETER.tagsRequired');
      // Checked before reading the function, so a bad request says so whatever the function's state.
      checkTags(tags);
      await rewrite(accountId, name, (cur) => ({ ...cur, ...tags }));
    },
    async untag(accountId, name, keys) {
      if (keys.length === 0) throw stratusError('REQUEST_INVALID_PARAMETER.tagKeysRequired');
      const reserved = keys.find(isAwsKey);
      if (reserved !== undefined) throw stratusError('REQUEST_INVALID_PARAMETER.tagAwsPrefix', { key: shown(reserved) });
      await rewrite(accountId, name, (cur) => {
        for (const key of keys) delete cur[key];
        return cur;
      });
    },
  };
}
