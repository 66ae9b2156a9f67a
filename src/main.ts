/**
 * @module The composition root: reads the configuration, starts each folder's module in order
 * (store, runtime, pool, artifacts, invoke, control, api), and closes them in reverse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createApiModule } from './api/index.ts';
import { createArtifactsModule } from './artifacts/index.ts';
import { createControlModule, type Credentials } from './control/index.ts';
import { createFairScheduler, createInvokeModule } from './invoke/index.ts';
import { createPoolModule } from './pool/index.ts';
import { createRuntimeModule } from './runtime/index.ts';
import { systemClock } from './shared/clock.ts';
import { randomIds } from './shared/ids.ts';
import { localServersDir, recordLocalServer } from './shared/local-servers.ts';
import { createModuleRegistry } from './shared/module.ts';
import { createStoreModule } from './store/index.ts';
import { readConfig, type StratusConfig } from './config.ts';

export interface RunningStratus {
  url: string;
  region: string;
  /** The admin account's key (from the store: it is the same on every start). */
  rootCredentials: Credentials;
  /** Process ids of the engine workers now running (empty when engines run in this process). */
  engineWorkerPids(): number[];
  credentialsFile: string;
  /** The isolated-vm release the isolate engine runs on. */
  isolatedVm: string;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<StratusConfig> {
  /** STRATUS_* variables to read what is not given directly (none by default: `main` passes the process's). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the server log goes (stdout by default); tests read it to prove what is never logged. */
  logDestination?: NodeJS.WritableStream;
}

/** Starts a node; if any module fails to start, those already started are closed before the error is thrown. */
export async function startStratus(options: StartOptions = {}): Promise<RunningStratus> {
  const { logDestination, env = {}, ...given } = options;
  const config = readConfig(env, given);
  const logger = pino(
    {
      level: config.logLevel,
      // Secrets never reach the log: signatures, keys and environment variables are cut wherever they appear.
      redact: { paths: ['req.headers.authorization', '*.secretAccessKey', '*.SecretAccessKey', '*.environment', '*.Environment'], censor: '[redacted]' },
    },
    logDestination ?? pino.destination(1),
  );
  const clock = systemClock;
  const ids = randomIds;
  const { dataDir, region } = config;
  const modules = createModuleRegistry();
  try {
    const stores = modules.add('store', await createStoreModule({ dataDir, log: logger }, config));
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Guest steps of every environment in this process take their turn here: account first, then function, then tenant.
    const scheduler = createFairScheduler({ slots: config.executionSlots });
    const runtime = modules.add('runtime', await createRuntimeModule({ log: logger, scheduler }, config));
    const pool = modules.add('pool', createPoolModule({ engines: runtime.engines, clock, log: logger }, config));
    const artifacts = modules.add('artifacts', await createArtifactsModule({ dataDir }, config));
    const runtimes = [...runtime.engines.keys()];
    const invoke = modules.add(
      'invoke',
      createInvokeModule({ functions: stores.functions, code: stores.code, pool, runtimes, onWorkerEnded: runtime.onWorkerEnded, artifacts, clock, ids, region }, config),
    );
    const control = modules.add(
      'control',
      await createControlModule({ stores, builder: invoke.builder, onChange: invoke.functionChanged, runtimes, clock, ids, region, log: logger }, config),
    );
    const credentialsFile = writeCredentialsFile(dataDir, control.root.credentials);
    const nodeStats = () => ({
      ...modules.stats(),
      // The server process and its engine workers together: the environments live in the workers.
      ResidentMemoryBytes: process.memoryUsage.rss() + runtime.workerResidentBytes(),
      ServerResidentMemoryBytes: process.memoryUsage.rss(),
    });
    const { accounts, functions, aliases, tags, egress } = control;
    const { stages, metrics } = invoke;
    const { url } = modules.add('api', await createApiModule({ accounts, functions, aliases, tags, egress, stages, metrics, nodeStats, clock, region, logger }, config));
    logger.info({ url, dataDir, created: control.root.created, node: process.version, isolatedVm: runtime.isolatedVm, engineWorkers: config.engineWorkers }, 'Stratus is ready');
    return {
      url,
      region,
      rootCredentials: control.root.credentials,
      credentialsFile,
      isolatedVm: runtime.isolatedVm,
      engineWorkerPids: runtime.workerPids,
      close: () => modules.close(),
    };
  } catch (err) {
    await modules.close().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing after a failed start failed'));
    throw err;
  }
}

/** The admin key in the AWS shared-credentials format, profile `stratus`, readable by the owner only. */
function writeCredentialsFile(dataDir: string, creds: Credentials): string {
  const file = path.join(dataDir, 'credentials');
  const text = `[stratus]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`;
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

/**
 * The banner. The stratus CLI finds this server's credentials through its local-server record;
 * where none could be written, its command names the file itself.
 */
function usage(s: RunningStratus, recorded: boolean): string {
  const credentials = path.resolve(s.credentialsFile);
  const relative = path.relative(process.cwd(), credentials);
  const shown = relative.startsWith('..') ? credentials : relative;
  const cliPrefix = recorded ? '' : `AWS_SHARED_CREDENTIALS_FILE=${credentials} `;
  // npx finds the command only inside the Stratus folder (elsewhere it would look for a package of that name on npm).
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = path.relative(root, process.cwd()).startsWith('..') ? `node ${path.join(root, 'bin', 'stratus.js')}` : 'npx stratus';
  return [
    `Stratus is listening on ${s.url} (Node.js ${process.version}, stratus-isolate on isolated-vm ${s.isolatedVm})`,
    `Admin credentials: ${shown} (AWS shared-credentials format, profile "stratus")`,
    '',
    `Use it with the stratus CLI${recorded ? ' (it finds these credentials by itself)' : ''}:`,
    `  ${cliPrefix}${cli} deploy ./my-function --name hello --endpoint ${s.url}`,
    'or with the AWS CLI or SDKs:',
    `  export AWS_SHARED_CREDENTIALS_FILE=${credentials} AWS_PROFILE=stratus AWS_REGION=${s.region} AWS_DEFAULT_REGION=${s.region}`,
    `  aws lambda list-functions --endpoint-url ${s.url}`,
    '',
  ].join('\n');
}

/** Records this server for the stratus CLI on this machine (see shared/local-servers.ts); false when that could not be done. */
function recordForCli(s: RunningStratus): boolean {
  try {
    const forget = recordLocalServer(localServersDir(process.env, os.homedir()), {
      port: Number(new URL(s.url).port),
      url: s.url,
      credentialsFile: path.resolve(s.credentialsFile),
      pid: process.pid,
    });
    process.on('exit', forget);
    return true;
  } catch (err) {
    process.stderr.write(`stratus: could not record this server for the stratus CLI (${(err as Error).message}); its commands need AWS_SHARED_CREDENTIALS_FILE\n`);
    return false;
  }
}

async function main(): Promise<void> {
  let running: RunningStratus;
  try {
    running = await startStratus({ env: process.env });
  } catch (err) {
    process.stderr.write(`stratus: could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(usage(running, recordForCli(running)));
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`\n${signal}: shutting down\n`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
