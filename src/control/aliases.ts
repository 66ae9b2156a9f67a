/** @module Aliases: named pointers to a version, optionally routing a weighted share to a second version. */
import type { AliasRecord, FunctionStore, Page } from '../store/index.ts';
import type { IdSource } from '../shared/ids.ts';
import { invalidParameter, stratusError } from '../shared/errors.ts';
import { LATEST, functionArn } from './arn.ts';
import { STALE_REVISION_MESSAGE, type AliasInput, type AliasPatch } from './types.ts';

const ALIAS_NAME = /^(?!^\d+$)[a-zA-Z0-9-_]{1,128}$/;

export function createAliasService(deps: { functions: FunctionStore; ids: IdSource; region: string }) {
  const { functions, ids, region } = deps;

  async function requireVersion(accountId: string, name: string, version: string, field: string): Promise<void> {
    if (!(await functions.getVersion({ accountId, functionName: name, version: LATEST }))) {
      throw stratusError('FUNCTION_NOT_FOUND', `Function not found: ${functionArn(region, accountId, name)}`);
    }
    if (version !== LATEST && !/^\d+$/.test(version)) throw invalidParameter(field, `'${version}' is not a version: use $LATEST or a published version number`);
    if (!(await functions.getVersion({ accountId, functionName: name, version }))) {
      throw stratusError('VERSION_NOT_FOUND', `Function version not found: ${functionArn(region, accountId, name, version)}: publish it first (PublishVersion)`);
    }
  }

  async function checkWeights(accountId: string, name: string, primary: string, weights: Record<string, number>): Promise<void> {
    const entries = Object.entries(weights);
    if (entries.length > 1) throw invalidParameter('RoutingConfig.AdditionalVersionWeights', 'may name at most one additional version');
    for (const [version, weight] of entries) {
      if (!(weight >= 0 && weight <= 1)) throw invalidParameter('RoutingConfig.AdditionalVersionWeights', `the weight of version ${version} must be between 0.0 and 1.0`);
      if (version === primary) throw invalidParameter('RoutingConfig.AdditionalVersionWeights', `version ${version} is already the alias's FunctionVersion: name a different version`);
      if (version === LATEST || primary === LATEST) throw invalidParameter('RoutingConfig.AdditionalVersionWeights', 'weighted routing works between published versions only, not $LATEST');
      await requireVersion(accountId, name, version, 'RoutingConfig.AdditionalVersionWeights');
    }
  }

  function aliasNotFound(accountId: string, name: string, alias: string) {
    return stratusError('ALIAS_NOT_FOUND', `Alias not found: ${functionArn(region, accountId, name, alias)}`);
  }

  return {
    async create(accountId: string, name: string, input: AliasInput): Promise<AliasRecord> {
      if (!ALIAS_NAME.test(input.name)) throw invalidParameter('Name', "must be 1-128 letters, digits, '-' or '_', and not only digits");
      await requireVersion(accountId, name, input.functionVersion, 'FunctionVersion');
      const weights = input.additionalVersionWeights ?? {};
      await checkWeights(accountId, name, input.functionVersion, weights);
      const rec: AliasRecord = {
        accountId,
        functionName: name,
        name: input.name,
        functionVersion: input.functionVersion,
        description: input.description ?? '',
        additionalVersionWeights: weights,
        revisionId: ids.uuid(),
      };
      if (!(await functions.createAlias(rec))) {
        throw stratusError('ALIAS_EXISTS', `Alias already exists: ${functionArn(region, accountId, name, input.name)}`);
      }
      return rec;
    },

    async get(accountId: string, name: string, alias: string): Promise<AliasRecord> {
      const rec = await functions.getAlias({ accountId, functionName: name, name: alias });
      if (!rec) throw aliasNotFound(accountId, name, alias);
      return rec;
    },

    async update(accountId: string, name: string, alias: string, patch: AliasPatch): Promise<AliasRecord> {
      const cur = await functions.getAlias({ accountId, functionName: name, name: alias });
      if (!cur) throw aliasNotFound(accountId, name, alias);
      if (patch.revisionId !== undefined && patch.revisionId !== cur.revisionId) {
        throw stratusError('FUNCTION_REVISION_MISMATCH', STALE_REVISION_MESSAGE);
      }
      const functionVersion = patch.functionVersion ?? cur.functionVersion;
      if (patch.functionVersion !== undefined) await requireVersion(accountId, name, functionVersion, 'FunctionVersion');
      const weights = patch.additionalVersionWeights ?? cur.additionalVersionWeights;
      await checkWeights(accountId, name, functionVersion, weights);
      const next: AliasRecord = { ...cur, functionVersion, description: patch.description ?? cur.description, additionalVersionWeights: weights, revisionId: ids.uuid() };
      if (!(await functions.updateAlias({ next, expectedRevisionId: cur.revisionId }))) {
        throw stratusError('FUNCTION_REVISION_MISMATCH', 'The alias was changed by another request while this one ran: get it again and retry with its new RevisionId.');
      }
      return next;
    },

    async delete(accountId: string, name: string, alias: string): Promise<void> {
      // Lambda answers 204 for an alias that does not exist, but 404 for a missing function.
      if (!(await functions.getVersion({ accountId, functionName: name, version: LATEST }))) {
        throw stratusError('FUNCTION_NOT_FOUND', `Function not found: ${functionArn(region, accountId, name)}`);
      }
      await functions.deleteAlias({ accountId, functionName: name, name: alias });
    },

    async list(accountId: string, name: string, opts: { functionVersion?: string; marker?: string; limit: number }): Promise<Page<AliasRecord>> {
      if (!(await functions.getVersion({ accountId, functionName: name, version: LATEST }))) {
        throw stratusError('FUNCTION_NOT_FOUND', `Function not found: ${functionArn(region, accountId, name)}`);
      }
      const page = await functions.listAliases({ accountId, functionName: name, marker: opts.marker, limit: opts.limit });
      if (opts.functionVersion === undefined) return page;
      return { ...page, items: page.items.filter((a) => a.functionVersion === opts.functionVersion || opts.functionVersion! in a.additionalVersionWeights) };
    },
  };
}

export type AliasService = ReturnType<typeof createAliasService>;
