/** @module The `stratus` program: global flags, command registration, and turning any failure into one error line and an exit code. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAccounts } from './commands/accounts.ts';
import { registerAlias } from './commands/alias.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerEgress } from './commands/egress.ts';
import { registerFunctions } from './commands/functions.ts';
import { registerInvoke } from './commands/invoke.ts';
import { registerPublish } from './commands/publish.ts';
import { registerServe } from './commands/serve.ts';
import { registerTenancyLimits } from './commands/tenancy-limits.ts';
import { registerTenants } from './commands/tenants.ts';
import { DEFAULT_ENDPOINT } from './config.ts';
import { processEnvironment, type CliEnvironment } from './context.ts';
import { exitCodeOf, formatErrorLine } from './errors.ts';
import { processIo } from './output.ts';
import { packageRoot } from './package-root.ts';

export function buildProgram(base: CliEnvironment): Command {
  const program = new Command()
    .name('stratus')
    .description('Deploy and run functions on a Stratus server (AWS Lambda API compatible).')
    .version(packageVersion(), '-V, --version')
    .option('--endpoint <url>', `server URL (env STRATUS_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .option('--profile <name>', 'credentials profile (env AWS_PROFILE, default stratus)')
    .option('--region <region>', 'signing region (env STRATUS_REGION or AWS_REGION, default us-east-1)')
    // Set before registering commands: subcommands copy these settings when they are created.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => base.io.out(text),
      writeErr: (text) => base.io.err(text),
      // Commander puts "(Did you mean ...?)" on a second line; every CLI error is one line.
      outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    });

  registerServe(program, base);
  registerDeploy(program, base);
  registerInvoke(program, base);
  registerFunctions(program, base);
  registerPublish(program, base);
  registerAlias(program, base);
  registerTenants(program, base);
  registerTenancyLimits(program, base);
  registerEgress(program, base);
  registerAccounts(program, base);
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code; never throws. */
export async function run(argv: readonly string[], base: CliEnvironment = processEnvironment(processIo)): Promise<number> {
  const program = buildProgram(base);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return base.status.exitCode;
  } catch (err) {
    // Commander has already printed its own message (usage errors, --help, --version).
    if (err instanceof CommanderError) return err.exitCode;
    base.io.err(`${formatErrorLine(err)}\n`);
    return exitCodeOf(err);
  }
}

/** Entry point used by bin/stratus.js. Sets the exit code rather than exiting, so piped output is flushed. */
export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2));
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('package.json', packageRoot()), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
