/**
 * @module A function's egress policy: the EgressPolicy field of a version (set on $LATEST, copied
 * when it is published) and the function's tag stratus:egress. The field, when set, is the whole
 * policy of its version; the tag applies to every version without the field, at once. Without
 * either, the function makes no outbound request.
 */
import { EGRESS_TAG, formatEgressRule, parseEgressEntries, parseEgressTag, type EgressPolicy } from '../shared/egress-policy.ts';
import type { Clock } from '../shared/clock.ts';
import { stratusError } from '../shared/errors.ts';
import type { IdSource } from '../shared/ids.ts';
import type { FunctionStore, FunctionVersionRecord } from '../store/index.ts';
import { LATEST, functionArn } from './arn.ts';
import type { ChangeListener } from './types.ts';
import { lambdaTimestamp } from './functions.ts';

/**
 * The policy a version runs under, given its function's tags ($LATEST's). A stored value is
 * re-parsed here; one that no longer parses allows nothing (it was checked when written).
 */
export function effectiveEgress(version: Pick<FunctionVersionRecord, 'egressPolicy'>, tags: Readonly<Record<string, string>> | undefined): EgressPolicy | undefined {
  try {
    if (version.egressPolicy) return { rules: parseEgressEntries(version.egressPolicy.allowedHosts), source: 'EgressPolicy' };
    const tag = tags?.[EGRESS_TAG];
    return tag === undefined ? undefined : { rules: parseEgressTag(tag), source: 'tag' };
  } catch {
    return { rules: [], source: version.egressPolicy ? 'EgressPolicy' : 'tag' };
  }
}

/** What the native route shows: the field, the tag, and the policy in force for the version read. */
export interface EgressState {
  /** The version read (`$LATEST` or a number). */
  version: string;
  field?: string[];
  tag?: string;
  effective?: EgressPolicy;
  /** $LATEST's revision, for a conditional write. */
  revisionId: string;
}

export interface EgressServiceDeps {
  functions: FunctionStore;
  clock: Clock;
  ids: IdSource;
  region: string;
  onChange: ChangeListener;
}

export interface EgressService {
  get(accountId: string, name: string, version?: string): Promise<EgressState>;
  /** Sets (a list of entries) or clears (undefined) the EgressPolicy field of $LATEST, at the caller's revision when given. */
  set(accountId: string, name: string, entries: readonly string[] | undefined, opts?: { revisionId?: string }): Promise<EgressState>;
}

export function createEgressService(deps: EgressServiceDeps): EgressService {
  const { functions, region } = deps;
  const read = async (accountId: string, name: string, version: string) => {
    const rec = await functions.getVersion({ accountId, functionName: name, version });
    if (!rec) throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, accountId, name, version === LATEST ? undefined : version) });
    return rec;
  };
  const stateOf = (rec: FunctionVersionRecord, latest: FunctionVersionRecord): EgressState => {
    const tag = latest.tags?.[EGRESS_TAG];
    const effective = effectiveEgress(rec, latest.tags);
    return {
      version: rec.version,
      ...(rec.egressPolicy ? { field: rec.egressPolicy.allowedHosts } : {}),
      ...(tag !== undefined ? { tag } : {}),
      ...(effective ? { effective } : {}),
      revisionId: latest.revisionId,
    };
  };

  return {
    async get(accountId, name, version = LATEST) {
      const latest = await read(accountId, name, LATEST);
      return stateOf(version === LATEST ? latest : await read(accountId, name, version), latest);
    },
    async set(accountId, name, entries, opts = {}) {
      const canonical = entries === undefined ? undefined : parseEgressEntries(entries).map(formatEgressRule);
      const cur = await read(accountId, name, LATEST);
      if (opts.revisionId !== undefined && opts.revisionId !== cur.revisionId) throw stratusError('FUNCTION_REVISION_MISMATCH.stale');
      const { egressPolicy: _old, ...rest } = cur;
      const next: FunctionVersionRecord = {
        ...rest,
        ...(canonical ? { egressPolicy: { allowedHosts: canonical } } : {}),
        revisionId: deps.ids.uuid(),
        lastModified: lambdaTimestamp(deps.clock.now()),
      };
      if (!(await functions.updateLatest({ next, expectedRevisionId: cur.revisionId }))) throw stratusError('FUNCTION_REVISION_MISMATCH.functionRace');
      deps.onChange(accountId, name);
      return stateOf(next, next);
    },
  };
}
