/** @module Aliases: named pointers to a version, optionally routing a weighted share to a second version. */
import type { AliasRecord, FunctionStore, Page } from '../store/index.ts';
import type { IdSource } from '../shared/ids.ts';
import { stratusError } from '../shared/errors.ts';
import { LATEST, functionArn } from './arn.ts';
import type { AliasInput, AliasPatch } from './types.ts';

const ALIAS_NAME = /^(?!^\d+$)[a-zA-Z0-9-_]{1,128}$/;

export function createAliasService(deps: { functions: FunctionStore; ids: IdSource; region: string }) {
  const { functions, ids, region } = deps;

  async function requireVersion(accountId: string, name: string, version: string, field: string): Promise<void> {
    if (!(await functions.getVersion({ accountId, functionName: name, version: LATEST }))) {
      throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, accountId, name) });
    }
    if (version !== LATEST && !/^\d+$/.test(version)) throw stratusError('REQUEST_INVALID_PARAMETER.notAVersion', { field, version });
    if (!(await functions.getVersion({ accountId, functionName: name, version }))) {
      throw stratusError('VERSION_NOT_FOUND', { arn: functionArn(region, accountId, name, version) });
    }
  }

  async function checkWeights(accountId: string, name: string, primary: string, weights: Record<string, number>): Promise<void> {
    const entries = Object.entries(weights);
    if (entries.length > 1) throw stratusError('REQUEST_INVALID_PARAMETER.weightsTooMany');
    for (const [version, weight] of entries) {
      if (!(weight >= 0 && weight <= 1)) throw stratusError('REQUEST_INVALID_PARAMETER.weightRange', { version });
      if (version === primary) throw stratusError('REQUEST_INVALID_PARAMETER.weightSameVersion', { version });
      if (version === LATEST || primary === LATEST) throw stratusError('REQUEST_INVALID_PARAMETER.weightLatest');
      await requireVersion(accountId, name, version, 'RoutingConfig.AdditionalVersionWeights');
    }
  }

  function aliasNotFound(accountId: string, name: string, alias: string) {
    return stratusError('ALIAS_NOT_FOUND', { arn: functionArn(region, accountId, name, alias) });
  }

  return {
    async create(accountId: string, name: string, input: AliasInput): Promise<AliasRecord> {
      if (!ALIAS_NAME.test(input.name)) throw stratusError('REQUEST_INVALID_PARAMETER.aliasName');
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
        throw stratusError('ALIAS_EXISTS', { arn: functionArn(region, accountId, name, input.name) });
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
        throw stratusError('FUNCTION_REVISION_MISMATCH.stale');
      }
      const functionVersion = patch.functionVersion ?? cur.functionVersion;
      if (patch.functionVersion !== undefined) await requireVersion(accountId, name, functionVersion, 'FunctionVersion');
      const weights = patch.additionalVersionWeights ?? cur.additionalVersionWeights;
      await checkWeights(accountId, name, functionVersion, weights);
      const next: AliasRecord = { ...cur, functionVersion, description: patch.description ?? cur.description, additionalVersionWeights: weights, revisionId: ids.uuid() };
      if (!(await functions.updateAlias({ next, expectedRevisionId: cur.revisionId }))) {
        throw stratusError('FUNCTION_REVISION_MISMATCH.aliasRace');
      }
      return next;
    },

    async delete(accountId: string, name: string, alias: string): Promise<void> {
      // Lambda answers 204 for an alias that does not exist, but 404 for a missing function.
      if (!(await functions.getVersion({ accountId, functionName: name, version: LATEST }))) {
        throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, accountId, name) });
      }
      await functions.deleteAlias({ accountId, functionName: name, name: alias });
    },

    async list(accountId: string, name: string, opts: { functionVersion?: string; marker?: string; limit: number }): Promise<Page<AliasRecord>> {
      if (!(await functions.getVersion({ accountId, functionName: name, version: LATEST }))) {
        throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, accountId, name) });
      }
      const page = await functions.listAliases({ accountId, functionName: name, marker: opts.marker, limit: opts.limit });
      if (opts.functionVersion === undefined) return page;
      return { ...page, items: page.items.filter((a) => a.functionVersion === opts.functionVersion || opts.functionVersion! in a.additionalVersionWeights) };
    },
  };
}

export type AliasService = ReturnType<typeof createAliasService>;
