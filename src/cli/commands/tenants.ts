/** @module `stratus tenants stats`: per-tenant invocations, errors, throttles, cold starts and latency of one function. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment } from '../context.ts';
import type { TenantStats } from '../lambda-api.ts';
import { parseInteger } from '../options.ts';
import { printJson, printTable } from '../output.ts';

const HEADERS = ['TENANT', 'INVOCATIONS', 'ERRORS', 'THROTTLES', 'COLD', 'P50 ms', 'P99 ms'];
const NUMERIC_COLUMNS = [1, 2, 3, 4, 5, 6];

export function registerTenants(program: Command, base: CliEnvironment): void {
  const tenants = program.command('tenants').description('inspect the tenants of functions with tenant isolation');
  tenants
    .command('stats')
    .description('per-tenant statistics of a function, most invocations first (kept by the server in memory since it started)')
    .argument('<function>', 'function name')
    .option('--max-items <n>', 'show at most this many tenants (default 100, at most 10000)')
    .option('--json', 'print {"FunctionName", "Tenants": [...]} as the server returns it')
    .action(async (fn: string, flags: { maxItems?: string; json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      const maxItems = flags.maxItems === undefined ? undefined : parseInteger('--max-items', flags.maxItems);
      const stats = await ctx.api().tenantStats(fn, maxItems);
      if (flags.json) {
        printJson(ctx.io, stats);
        return;
      }
      const rows = stats.Tenants.map(row);
      const empty = `no tenant has invoked ${fn} on this server since it started (statistics are kept per server, in memory)`;
      printTable(ctx.io, HEADERS, rows, empty, { keepHeaderCase: true, alignRight: NUMERIC_COLUMNS });
    });
}

function row(t: TenantStats): string[] {
  return [t.TenantId, String(t.Invocations), String(t.Errors), String(t.Throttles), String(t.ColdStarts), formatMs(t.P50Ms), formatMs(t.P99Ms)];
}

/** Three significant figures at most: `0.42`, `12.3`, `1520`; a dash when nothing ran. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '-';
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return String(Math.round(ms));
}
