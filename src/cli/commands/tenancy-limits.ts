/** @module `stratus tenancy-limits get|set|clear`: the concurrency and requests-per-second limits each tenant of a function gets. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment, type CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import type { TenancyLimits } from '../lambda-api.ts';
import { parseInteger } from '../options.ts';
import { printFields, printJson } from '../output.ts';

interface SetFlags {
  maxConcurrency?: string;
  maxRps?: string;
  json?: boolean;
}

export function registerTenancyLimits(program: Command, base: CliEnvironment): void {
  const limits = program.command('tenancy-limits').description('limits every tenant of a function gets on its own (functions with tenant isolation)');

  limits
    .command('get')
    .description("show a function's per-tenant limits")
    .argument('<function>', 'function name')
    .option('--json', 'print the limits as the server returns them')
    .action(async (fn: string, flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      show(ctx, fn, await ctx.api().getTenancyLimits(fn), flags.json);
    });

  limits
    .command('set')
    .description('set the per-tenant limits; set replaces both, so a limit not given is removed')
    .argument('<function>', 'function name')
    .option('--max-concurrency <n>', 'invocations of one tenant running at once (a whole number, 1 or more)')
    .option('--max-rps <r>', 'invocations one tenant may start per second (a number above 0, e.g. 20.5)')
    .option('--json', 'print the resulting limits as the server returns them')
    .action(async (fn: string, flags: SetFlags, command: Command) => {
      const ctx = contextFor(command, base);
      const body = limitsFromFlags(flags);
      show(ctx, fn, await ctx.api().putTenancyLimits(fn, body), flags.json);
    });

  limits
    .command('clear')
    .description('remove both per-tenant limits')
    .argument('<function>', 'function name')
    .option('--json', 'print the resulting limits as the server returns them')
    .action(async (fn: string, flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      show(ctx, fn, await ctx.api().putTenancyLimits(fn, {}), flags.json);
    });
}

/** The PUT body from the flags, checked locally so a typo costs no request; `set` with neither flag is refused. */
export function limitsFromFlags(flags: SetFlags): Pick<TenancyLimits, 'MaxConcurrency' | 'MaxRequestsPerSecond'> {
  if (flags.maxConcurrency === undefined && flags.maxRps === undefined) {
    throw new CliError('tenancy-limits set needs --max-concurrency and/or --max-rps (use `stratus tenancy-limits clear` to remove the limits)');
  }
  const body: Pick<TenancyLimits, 'MaxConcurrency' | 'MaxRequestsPerSecond'> = {};
  if (flags.maxConcurrency !== undefined) {
    const n = parseInteger('--max-concurrency', flags.maxConcurrency);
    if (n < 1) throw new CliError(`--max-concurrency "${flags.maxConcurrency}" must be 1 or more`);
    body.MaxConcurrency = n;
  }
  if (flags.maxRps !== undefined) {
    const r = Number(flags.maxRps.trim());
    if (flags.maxRps.trim() === '' || !Number.isFinite(r) || r <= 0) throw new CliError(`--max-rps "${flags.maxRps}" must be a number above 0, e.g. 20 or 0.5`);
    body.MaxRequestsPerSecond = r;
  }
  return body;
}

function show(ctx: CommandContext, fn: string, limits: TenancyLimits, json: boolean | undefined): void {
  if (json) {
    printJson(ctx.io, limits);
    return;
  }
  const name = limits.FunctionName ?? fn;
  if (limits.MaxConcurrency === undefined && limits.MaxRequestsPerSecond === undefined) {
    ctx.io.out(`${name}: no per-tenant limits\n`);
    return;
  }
  ctx.io.out(`${name}: limits per tenant\n`);
  printFields(ctx.io, {
    'max concurrency': limits.MaxConcurrency ?? 'no limit',
    'max requests per second': limits.MaxRequestsPerSecond ?? 'no limit',
  });
}
