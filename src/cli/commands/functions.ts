/** @module `stratus functions list`: every function of the account, all pages, as a table or JSON. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment } from '../context.ts';
import { formatTimestamp, printJson, printTable } from '../output.ts';

export function registerFunctions(program: Command, base: CliEnvironment): void {
  const functions = program.command('functions').description('inspect functions');
  functions
    .command('list')
    .description('list the functions of the account')
    .option('--json', 'print {"Functions": [...]} as returned by ListFunctions (all pages merged)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      const all = await ctx.api().listFunctions();
      if (flags.json) {
        printJson(ctx.io, { Functions: all });
        return;
      }
      const rows = [...all]
        .sort((a, b) => a.FunctionName.localeCompare(b.FunctionName))
        .map((fn) => [
          fn.FunctionName,
          fn.Runtime ?? '-',
          fn.TenancyConfig?.TenantIsolationMode ?? '-',
          fn.MemorySize === undefined ? '-' : `${fn.MemorySize} MB`,
          fn.Timeout === undefined ? '-' : `${fn.Timeout} s`,
          formatTimestamp(fn.LastModified),
        ]);
      printTable(ctx.io, ['name', 'runtime', 'tenancy', 'memory', 'timeout', 'last modified'], rows, 'no functions yet; create one with `stratus deploy <dir> --name <name>`');
    });
}
