/** @module `stratus egress get|set|clear`: the hosts a function's outbound requests (fetch) may reach. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment, type CommandContext } from '../context.ts';
import type { EgressPolicyState } from '../lambda-api.ts';
import { printFields, printJson } from '../output.ts';

export function registerEgress(program: Command, base: CliEnvironment): void {
  const egress = program.command('egress').description('the hosts a function may fetch: its EgressPolicy, or else its tag stratus:egress; with neither it may reach nothing');

  egress
    .command('get')
    .description('show the policy in force and where it comes from')
    .argument('<function>', 'function name, or name:version / name:alias')
    .option('--json', 'print the policy as the server returns it')
    .action(async (fn: string, flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      show(ctx, fn, await ctx.api().getEgressPolicy(fn), flags.json);
    });

  egress
    .command('set')
    .description('replace the EgressPolicy with these entries (none: the function may reach nothing, whatever its tag says)')
    .argument('<function>', 'function name')
    .argument(
      '[entries...]',
      'api.example.com (https on 443), *.example.com (subdomains), host:8443, http://host[:port], 10.0.0.5 (an address in a private range must be listed itself)',
    )
    .option('--json', 'print the resulting policy as the server returns it')
    .action(async (fn: string, entries: string[], flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      show(ctx, fn, await ctx.api().putEgressPolicy(fn, entries), flags.json);
    });

  egress
    .command('clear')
    .description('remove the EgressPolicy: the tag stratus:egress applies again, or nothing')
    .argument('<function>', 'function name')
    .option('--json', 'print the resulting policy as the server returns it')
    .action(async (fn: string, flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      show(ctx, fn, await ctx.api().deleteEgressPolicy(fn), flags.json);
    });
}

const SOURCES: Record<string, string> = {
  EgressPolicy: 'EgressPolicy',
  'tag:stratus:egress': 'tag stratus:egress (no EgressPolicy set)',
  none: 'none: no outbound requests',
};

function show(ctx: CommandContext, fn: string, state: EgressPolicyState, json: boolean | undefined): void {
  if (json) {
    printJson(ctx.io, state);
    return;
  }
  const name = state.FunctionName ?? fn;
  ctx.io.out(`${name}: ${state.AllowedHosts.length === 0 ? 'may reach no host' : `may reach ${state.AllowedHosts.join(', ')}`}\n`);
  printFields(ctx.io, {
    from: SOURCES[state.Source ?? ''] ?? state.Source,
    'ignored tag': state.Source === 'EgressPolicy' && state.Tag !== undefined ? `stratus:egress = ${state.Tag}` : undefined,
  });
}
