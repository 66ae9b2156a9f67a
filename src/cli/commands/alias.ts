/** @module `stratus alias set|list`: point a named alias at a version, optionally splitting traffic by weight. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment } from '../context.ts';
import { isApiError } from '../errors.ts';
import type { AliasConfiguration } from '../lambda-api.ts';
import { collect, parseWeights } from '../options.ts';
import { printJson, printTable } from '../output.ts';

interface SetFlags {
  weight: string[];
  description?: string;
  json?: boolean;
}

export function registerAlias(program: Command, base: CliEnvironment): void {
  const alias = program.command('alias').description('manage aliases (named pointers to versions)');

  alias
    .command('set')
    .description('create the alias, or move it if it exists (set replaces any earlier traffic split)')
    .argument('<function>', 'function name')
    .argument('<alias>', 'alias name')
    .argument('<version>', 'version the alias points to ($LATEST or a number)')
    .option('--weight <VERSION=WEIGHT>', 'also send this share (0-1) of traffic to another version, e.g. 2=0.1 (repeatable)', collect, [])
    .option('--description <text>', 'alias description')
    .option('--json', 'print the AliasConfiguration as JSON')
    .action(async (fn: string, name: string, version: string, flags: SetFlags, command: Command) => {
      const ctx = contextFor(command, base);
      // Always sent, even empty: `set` declares the whole alias, so an old split must not linger.
      const routing = { AdditionalVersionWeights: parseWeights(flags.weight) };
      const fields = { FunctionVersion: version, RoutingConfig: routing, ...(flags.description === undefined ? {} : { Description: flags.description }) };
      const api = ctx.api();
      let result: AliasConfiguration;
      let action: string;
      try {
        result = await api.createAlias(fn, { Name: name, ...fields });
        action = 'created';
      } catch (err) {
        if (!isApiError(err, 'ResourceConflictException')) throw err;
        result = await api.updateAlias(fn, name, fields);
        action = 'updated';
      }
      if (flags.json) {
        printJson(ctx.io, result);
        return;
      }
      ctx.io.out(`${action} alias ${fn}:${result.Name} -> ${describeTarget(result)}\n`);
    });

  alias
    .command('list')
    .description('list the aliases of a function')
    .argument('<function>', 'function name')
    .option('--json', 'print {"Aliases": [...]} as returned by ListAliases (all pages merged)')
    .action(async (fn: string, flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      const aliases = await ctx.api().listAliases(fn);
      if (flags.json) {
        printJson(ctx.io, { Aliases: aliases });
        return;
      }
      const rows = aliases.map((a) => [a.Name, a.FunctionVersion, formatWeights(a), a.Description || '-']);
      printTable(ctx.io, ['name', 'version', 'weights', 'description'], rows, `${fn} has no aliases; create one with \`stratus alias set ${fn} <alias> <version>\``);
    });
}

/** `3` or `3 (90%), 4 (10%)`: where the traffic goes, read at a glance. */
export function describeTarget(alias: AliasConfiguration): string {
  const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  const extra = Object.entries(weights);
  if (extra.length === 0) return `version ${alias.FunctionVersion}`;
  const rest = 1 - extra.reduce((sum, [, w]) => sum + w, 0);
  return [`version ${alias.FunctionVersion} (${percent(rest)})`, ...extra.map(([v, w]) => `version ${v} (${percent(w)})`)].join(', ');
}

function formatWeights(alias: AliasConfiguration): string {
  const extra = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  return extra.length === 0 ? '-' : extra.map(([v, w]) => `${v}=${w}`).join(', ');
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
