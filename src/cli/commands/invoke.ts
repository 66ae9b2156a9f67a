/** @module `stratus invoke`: a synchronous call that prints the function's response, its log tail, and fails on a function error. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment } from '../context.ts';
import { CliError } from '../errors.ts';
import type { InvokeResult } from '../lambda-api.ts';
import { readPayload } from '../options.ts';
import { prettyJsonText, type Io } from '../output.ts';

interface InvokeFlags {
  payload?: string;
  tenant?: string;
  log?: boolean;
  json?: boolean;
}

export function registerInvoke(program: Command, base: CliEnvironment): void {
  program
    .command('invoke')
    .description('invoke a function and print its response')
    .argument('<function>', 'function name, optionally with :version or :alias')
    .option('-p, --payload <json|@file>', 'event as inline JSON, @path to read a file, or @- for standard input (default {})')
    .option('-t, --tenant <id>', 'tenant to invoke as (X-Amz-Tenant-Id); required by functions with tenant isolation')
    .option('--log', 'print the tail of the invocation log to standard error')
    .option('--json', 'print the response payload exactly as returned (no reformatting)')
    .action(async (target: string, flags: InvokeFlags, command: Command) => {
      const ctx = contextFor(command, base);
      const payload = await readPayload(flags.payload, ctx.cwd);
      const result = await ctx.api().invoke(target, payload, flags.tenant);
      printInvokeResult(ctx.io, target, result, flags);
    });
}

/**
 * Log tail first (standard error), then the payload (standard output), so piping stdout gets
 * only the response. A function error still prints its payload — it carries the error type and
 * message — and then fails the command with one summary line.
 */
export function printInvokeResult(io: Io, target: string, result: InvokeResult, flags: Pick<InvokeFlags, 'log' | 'json'>): void {
  if (flags.log && result.logResult) {
    const log = Buffer.from(result.logResult, 'base64').toString('utf8');
    io.err(log.endsWith('\n') || log === '' ? log : `${log}\n`);
  }
  const body = flags.json ? result.payload : prettyJsonText(result.payload);
  if (body !== '') io.out(body.endsWith('\n') ? body : `${body}\n`);
  if (result.functionError !== undefined) {
    throw new CliError(`function ${target} failed (${result.functionError}): ${describeFunctionError(result.payload)}`);
  }
}

/** `errorType: errorMessage` from Lambda's error payload shape, or a pointer to the payload above. */
export function describeFunctionError(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    const type = typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
    const message = typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined;
    if (type && message) return `${type}: ${message}`;
    if (type || message) return (type ?? message)!;
  } catch {
    // Not JSON: the payload printed above is all there is.
  }
  return 'see the error payload above';
}
