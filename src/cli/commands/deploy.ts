/** @module `stratus deploy`: zip a directory or file, then create the function or update its code and configuration. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { UploadProgress } from '../client.ts';
import { contextFor, type CliEnvironment, type CommandContext } from '../context.ts';
import { CliError, isApiError } from '../errors.ts';
import type { FunctionConfiguration, FunctionSettings, LambdaApi } from '../lambda-api.ts';
import { collect, parseEnvPairs, parseInteger } from '../options.ts';
import { printFields, printJson } from '../output.ts';
import { createProgress, formatCount, type Progress } from '../progress.ts';
import { describeSkipped } from '../source-rules.ts';
import { defaultHandler, formatBytes, zipSource, type ZippedCode } from '../zip.ts';

export const DEFAULT_RUNTIME = 'stratus-isolate';

interface DeployFlags {
  name: string;
  handler?: string;
  memory?: string;
  timeout?: string;
  env: string[];
  runtime?: string;
  description?: string;
  tenantIsolation?: boolean;
  allowHost: string[];
  json?: boolean;
}

export function registerDeploy(program: Command, base: CliEnvironment): void {
  program
    .command('deploy')
    .description('zip a directory (or one file) and create the function, or update its code and configuration')
    .argument(
      '<source>',
      'directory (zipped recursively; skips .git, .env* files, Stratus data folders, and links pointing outside the folder or its npm workspace) or a single file',
    )
    .requiredOption('-n, --name <name>', 'function name')
    .option('--handler <handler>', 'file.export to call (default index.handler, or <file>.handler for a single file)')
    .option('--memory <mb>', 'memory size in MB')
    .option('--timeout <seconds>', 'timeout in seconds')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable; replaces all variables on update)', collect, [])
    .option('--runtime <runtime>', `runtime (default ${DEFAULT_RUNTIME})`)
    .option('--description <text>', 'function description')
    .option(
      '--tenant-isolation',
      'create the function with tenant isolation (PER_TENANT): every invoke names a tenant and runs in environments of that tenant only; fixed at creation',
    )
    .option(
      '--allow-host <entry>',
      'a host the function may fetch (repeatable; replaces its EgressPolicy): api.example.com (https on 443), *.example.com, host:8443, http://host[:port]; none given: unchanged (new functions may reach nothing)',
      collect,
      [],
    )
    .option('--json', 'print the resulting FunctionConfiguration as JSON')
    .action(async (source: string, flags: DeployFlags, command: Command) => {
      await deploy(contextFor(command, base), source, flags);
    });
}

async function deploy(ctx: CommandContext, source: string, flags: DeployFlags): Promise<void> {
  // Parse every flag before zipping or calling anything, so a typo costs nothing.
  const settings = settingsFromFlags(flags);
  // A status line on stderr, and only when that is a terminal: --json output and logs stay clean.
  const progress = createProgress(ctx.io, { now: ctx.now });
  let code: ZippedCode;
  let action: 'created' | 'updated';
  let result: FunctionConfiguration;
  try {
    code = await zipWithProgress(ctx, source, progress);
    // On stderr, so --json output stays one clean document; before uploading, so it shows even if the upload fails.
    progress.clear();
    if (code.skipped.length > 0) ctx.io.err(describeSkipped(code.skipped));
    ({ action, result } = await createOrUpdate(ctx.api(), flags, settings, code, progress));
  } finally {
    progress.stop();
  }

  // Set after the code, so a refused entry leaves the code deployed and the old policy (or none) in force; the error names the entry.
  if (flags.allowHost.length > 0) {
    const egress = await ctx.api().putEgressPolicy(flags.name, flags.allowHost);
    result = { ...result, EgressPolicy: egress.EgressPolicy, RevisionId: egress.RevisionId };
  }

  if (flags.json) {
    printJson(ctx.io, result);
    return;
  }
  printSummary(ctx, action, result, code);
}

async function zipWithProgress(ctx: CommandContext, source: string, progress: Progress): Promise<ZippedCode> {
  let done = 0;
  let total = 0;
  progress.phase(() => (total === 0 ? `zipping ${source}` : `zipping ${source}: ${formatCount(done)} of ${formatCount(total)} files`));
  return zipSource(resolve(ctx.cwd, source), (filesDone, filesTotal) => {
    done = filesDone;
    total = filesTotal;
    progress.tick();
  });
}

async function createOrUpdate(
  api: LambdaApi,
  flags: DeployFlags,
  settings: FunctionSettings,
  code: ZippedCode,
  progress: Progress,
): Promise<{ action: 'created' | 'updated'; result: FunctionConfiguration }> {
  const zipFile = Buffer.from(code.zip).toString('base64');
  // Watching the upload streams the body; with no terminal to show it on, it is sent in one piece.
  const upload = () => (progress.enabled ? watchUpload(progress, code.zip.byteLength) : undefined);
  const wantIsolation = flags.tenantIsolation === true;
  progress.phase(() => `looking up function ${flags.name}`);
  const existing = await currentConfiguration(api, flags.name);
  if (existing) {
    checkTenancy(existing, wantIsolation);
    return { action: 'updated', result: await update(api, flags.name, zipFile, settings, upload(), progress) };
  }
  try {
    const created = await api.createFunction(
      {
        FunctionName: flags.name,
        Runtime: DEFAULT_RUNTIME,
        Handler: defaultHandler(code),
        ...settings,
        ...(wantIsolation ? { TenancyConfig: { TenantIsolationMode: 'PER_TENANT' as const } } : {}),
        ZipFile: zipFile,
      },
      upload(),
    );
    return { action: 'created', result: created };
  } catch (err) {
    // Someone else created it between our GetFunction and CreateFunction: update it instead.
    if (!isApiError(err, 'ResourceConflictException')) throw err;
    const raced = await currentConfiguration(api, flags.name);
    if (raced) checkTenancy(raced, wantIsolation);
    return { action: 'updated', result: await update(api, flags.name, zipFile, settings, upload(), progress) };
  }
}

/**
 * Shows the upload as a share of the zip, then the wait for the answer: the server unpacks,
 * bundles and checks the package before it answers, and says nothing while it does.
 */
function watchUpload(progress: Progress, zipBytes: number): UploadProgress {
  let percent = 0;
  progress.phase(() => `uploading the ${formatBytes(zipBytes)} zip: ${percent}%`);
  return (sent, total) => {
    percent = Math.floor((sent / total) * 100);
    if (sent < total) progress.tick();
    else progress.phase((seconds) => `uploaded; waiting for the server to build and check the package: ${seconds.toFixed(1)} s`);
  };
}

async function currentConfiguration(api: LambdaApi, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    // Existence is the successful GetFunction; a proxy that trims the body must not turn an update into a create.
    return (await api.getFunction(name)).Configuration ?? { FunctionName: name };
  } catch (err) {
    if (isApiError(err, 'ResourceNotFoundException')) return undefined;
    throw err;
  }
}

/**
 * Tenancy is fixed when a function is created, so an update never sends TenancyConfig. A flag
 * that disagrees with the existing function is refused before any code is uploaded: silently
 * ignoring it would leave the person believing tenants are isolated when they are not (or the reverse).
 */
export function checkTenancy(existing: FunctionConfiguration, wantIsolation: boolean): void {
  const isolated = existing.TenancyConfig?.TenantIsolationMode === 'PER_TENANT';
  if (isolated === wantIsolation) return;
  const name = existing.FunctionName;
  if (wantIsolation) {
    throw new CliError(
      `function ${name} exists without tenant isolation, and tenancy is fixed when a function is created: drop --tenant-isolation to update it, or deploy under a new name to create an isolated one`,
    );
  }
  throw new CliError(
    `function ${name} has tenant isolation (PER_TENANT), and tenancy is fixed when a function is created: add --tenant-isolation to update it, or deploy under a new name for a function without tenants`,
  );
}

/** Code first, then configuration only when a configuration flag was given (so a redeploy keeps settings). */
async function update(
  api: LambdaApi,
  name: string,
  zipFile: string,
  settings: FunctionSettings,
  onUpload: UploadProgress | undefined,
  progress: Progress,
): Promise<FunctionConfiguration> {
  const afterCode = await api.updateFunctionCode(name, zipFile, onUpload);
  if (Object.keys(settings).length === 0) return afterCode;
  progress.phase(() => `updating the configuration of ${name}`);
  return api.updateFunctionConfiguration(name, settings);
}

/** Only the flags that were given: an update must not reset what the person did not mention. */
export function settingsFromFlags(flags: Omit<DeployFlags, 'name'>): FunctionSettings {
  const settings: FunctionSettings = {};
  if (flags.runtime !== undefined) settings.Runtime = flags.runtime;
  if (flags.handler !== undefined) settings.Handler = flags.handler;
  if (flags.memory !== undefined) settings.MemorySize = parseInteger('--memory', flags.memory);
  if (flags.timeout !== undefined) settings.Timeout = parseInteger('--timeout', flags.timeout);
  if (flags.description !== undefined) settings.Description = flags.description;
  if (flags.env.length > 0) settings.Environment = { Variables: parseEnvPairs(flags.env) };
  return settings;
}

function printSummary(ctx: CommandContext, action: string, fn: FunctionConfiguration, code: ZippedCode): void {
  const fileCount = `${code.files.length} file${code.files.length === 1 ? '' : 's'}`;
  ctx.io.out(`${action} function ${fn.FunctionName}\n`);
  printFields(ctx.io, {
    runtime: fn.Runtime,
    handler: fn.Handler,
    memory: fn.MemorySize === undefined ? undefined : `${fn.MemorySize} MB`,
    timeout: fn.Timeout === undefined ? undefined : `${fn.Timeout} s`,
    tenancy: fn.TenancyConfig?.TenantIsolationMode,
    egress: (fn.EgressPolicy as { AllowedHosts?: string[] } | undefined)?.AllowedHosts?.join(', '),
    code: `${fileCount}, ${formatBytes(code.zip.byteLength)} zipped`,
    sha256: fn.CodeSha256,
    arn: fn.FunctionArn,
  });
}
