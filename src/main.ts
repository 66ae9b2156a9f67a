/** @module The composition root: reads configuration, builds the store, engines, pool and services, and serves. */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { buildPackage, createBuildGate, defaultBuildDir, removeStaleBuilds } from './artifacts/index.ts';
import { buildServer, createCodeLinks } from './api/index.ts';
import { createAccountService, createAliasService, createCodeCollector, createFunctionService, createResolver, type Credentials, type PackageBuilder } from './control/index.ts';
import {
  createCheckedBuilder,
  createFairScheduler,
  createInvocationStages,
  createLoadGovernor,
  createQuarantine,
  createTenantLimiter,
  createTenantMetrics,
} from './invoke/index.ts';
import { createPool } from './pool/index.ts';
import {
  createIsolateEngine,
  createWorkerEngine,
  isolatedVmBuild,
  isolateReservation,
  ISOLATE_RUNTIME,
  startEngineWorkers,
  type Engine,
  type EngineWorkers,
} from './runtime/index.ts';
import { systemClock } from './shared/clock.ts';
import { randomIds } from './shared/ids.ts';
import { functionId } from './shared/identity.ts';
import { openStores } from './store/index.ts';
import { configFromEnv, type StratusConfig } from './config.ts';

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

const DEPLOY_CHECK_TIMEOUT_MS = 3_000;
/** How long a deploy waits for a build slot; past that the client gets 429 (its SDK retries). */
const BUILD_WAIT_MS = 60_000;
/**
 * Invocations admitted per event-loop turn: each runs its signature check and engine call in the
 * turn that admits it, so this bounds how long another tenant's request waits to be read
 * (measured: 2 and 4 gave the same quiet-tenant latency; 4 keeps more throughput).
 */
const ADMISSIONS_PER_TURN = 4;
/** Timed code sweeps run once per grace period, but never more often than this. */
const MIN_CODE_SWEEP_INTERVAL_MS = 60_000;

export interface StartOptions extends Partial<StratusConfig> {
  /** Where the server log goes (stdout by default); tests read it to prove what is never logged. */
  logDestination?: NodeJS.WritableStream;
}

export async function startStratus(options: StartOptions = {}): Promise<RunningStratus> {
  const { logDestination, ...overrides } = options;
  const config: StratusConfig = { ...configFromEnv({}), ...overrides };
  const logger = pino(
    {
      level: config.logLevel,
      // Secrets never reach the log: signatures, keys and environment variables are cut wherever they appear.
      redact: { paths: ['req.headers.authorization', '*.secretAccessKey', '*.SecretAccessKey', '*.environment', '*.Environment'], censor: '[redacted]' },
    },
    logDestination ?? pino.destination(1),
  );
  const stores = await openStores({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, log: logger });
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const clock = systemClock;
  const ids = randomIds;

  // What isolated-vm threw may quote guest text: the log gets a bounded copy, once per crash.
  const onCrash = (where: string, environmentId: string, err: unknown) => logger.error({ err: boundedError(err), where, environmentId }, 'execution environment crashed');
  // Guest steps of every environment take their turn here: account first, then function, then tenant.
  const scheduler = createFairScheduler({ slots: config.executionSlots });
  // Set once the quarantine exists; a worker that ends before then blames no one.
  let blameWorkerExit = (_running: Array<{ accountId: string; functionName: string }>) => {};
  const workers = config.engineWorkers > 0 ? await startWorkers(config, logger, (s) => blameWorkerExit(s)) : undefined;
  const isolateEngine = workers
    ? createWorkerEngine({ runtime: ISOLATE_RUNTIME, workers: workers.workers, reservation: isolateReservation })
    : createIsolateEngine({ onCrash, scheduler });
  const engines = new Map<string, Engine>([[ISOLATE_RUNTIME, isolateEngine]]);
  const pool = createPool({
    engines,
    clock,
    keepAliveMs: config.keepAliveSeconds * 1000,
    maxEnvironments: config.maxEnvironments,
    memoryBudgetBytes: config.memoryBudgetMb * 1048576,
    acquireTimeoutMs: 10_000,
    logger: { warn: (obj, msg) => logger.warn(obj, msg) },
  });
  // While tenants compete, admissions are paced so the event loop keeps headroom for the quiet ones.
  const governor = createLoadGovernor({ target: config.eventLoopTarget, sample: eventLoopSampler() });
  const metrics = createTenantMetrics({ tenantLabelCap: config.metricsTenantLabelCap, load: () => governor.stats() });
  const limiter = createTenantLimiter({
    limitsOf: async (accountId, functionName) => (await stores.functions.getTenancyLimits({ accountId, functionName }))?.limits ?? {},
    clock,
    onThrottle: (accountId, functionName, tenantId, reason) => metrics.throttled({ accountId, functionName, tenantId, reason }),
  });
  // Control-plane requests: their own slots, account first, so a burst of them cannot stall invocations or other accounts.
  const controlAdmission = createFairScheduler({ slots: config.controlSlots });
  // No one (account, function, tenant) may hold more than three quarters of the admission slots.
  const admission = createFairScheduler({
    slots: config.maxInflightInvocations,
    maxPerFlow: Math.ceil((config.maxInflightInvocations * 3) / 4),
    gate: governor,
    perTurn: ADMISSIONS_PER_TURN,
  });
  // A changed or deleted function's warm environments go at once instead of idling until keep-alive.
  // An account whose code loses this many engine threads is refused on this node until it restarts.
  const quarantine = createQuarantine({
    accountLimit: config.lostThreadsPerAccount,
    crashLimit: config.workerCrashesPerFunction,
    accountCrashLimit: config.workerCrashesPerAccount,
  });
  blameWorkerExit = (running) => quarantine.workerEnded(running);
  const onChange = (accountId: string, functionName: string) => {
    quarantine.changed(accountId, functionName);
    void pool.evictFunction(functionId(accountId, functionName));
  };
  const accounts = createAccountService({ store: stores.accounts, clock });
  // Build folders are named after this data folder, so leftovers of a crash are found and removed at start-up.
  const stagingDir = config.buildDir ?? defaultBuildDir(config.dataDir);
  await removeStaleBuilds(stagingDir);
  const checked = createCheckedBuilder({
    build: (zip, handler, ctx) => buildPackage(zip, handler, { stagingDir, signal: ctx.signal }),
    pool,
    runtimes: new Set(engines.keys()),
    checkTimeoutMs: DEPLOY_CHECK_TIMEOUT_MS,
    ids,
    quarantine,
  });
  const builds = createBuildGate({ slots: config.buildSlots, perAccount: config.buildsPerAccount, queuePerAccount: 8, waitMs: BUILD_WAIT_MS });
  const builder: PackageBuilder = { build: (zip, handler, runtime, ctx) => builds.run(ctx.accountId, () => checked.build(zip, handler, runtime, ctx), ctx.signal) };
  const codeCollector = createCodeCollector({ code: stores.code, clock, graceMs: config.codeGraceSeconds * 1000, log: logger });
  // Code left behind by a crash or a failed deploy goes at startup; code released while still in its grace period, on the timer.
  await codeCollector.collect();
  const codeSweep = setInterval(() => void codeCollector.collect(), Math.max(config.codeGraceSeconds * 1000, MIN_CODE_SWEEP_INTERVAL_MS));
  codeSweep.unref();
  const functions = createFunctionService({
    functions: stores.functions,
    code: stores.code,
    builder,
    clock,
    ids,
    region: config.region,
    runtimes: [...engines.keys()],
    onChange,
    collectCode: codeCollector.collect,
  });
  const aliases = createAliasService({ functions: stores.functions, ids, region: config.region });
  const resolve = createResolver({ functions: stores.functions, region: config.region });
  const stages = createInvocationStages({ resolve, pool, code: stores.code, clock, limiter, observer: metrics, quarantine, admission, activeFlow: (flow) => governor.seen(flow) });

  const root = await accounts.ensureRoot({ accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey });
  const rootCredentials = await accounts.rootCredentials(root.account.id, config.rootAccessKeyId);
  const credentialsFile = writeCredentialsFile(config.dataDir, rootCredentials);

  const nodeStats = () => {
    const p = pool.stats();
    const s = scheduler.stats();
    const a = admission.stats();
    const g = governor.stats();
    return {
      Environments: p.environments,
      IdleEnvironments: p.idle,
      BusyEnvironments: p.busy,
      Partitions: p.partitions,
      EnvironmentMemoryBytes: p.memoryBytes,
      EnvironmentsCreated: p.created,
      EnvironmentsEvicted: p.evicted,
      MaxEnvironments: config.maxEnvironments,
      MemoryBudgetBytes: config.memoryBudgetMb * 1048576,
      ExecutionSlots: config.executionSlots,
      // With engine workers each schedules its own steps: the server process's step counts exist only without them.
      ...(workers ? {} : { RunningSteps: s.running, WaitingSteps: s.waiting }),
      EnvironmentReservedBytes: p.reservedBytes,
      EngineWorkers: config.engineWorkers,
      EngineWorkerExits: quarantine.stats().workerCrashes,
      LostEngineThreads: quarantine.stats().lostThreads,
      QuarantinedFunctions: quarantine.stats().functions,
      QuarantinedAccounts: quarantine.stats().accounts,
      RunningBuilds: builds.stats().running,
      WaitingBuilds: builds.stats().waiting,
      InflightInvocations: a.running,
      QueuedInvocations: a.waiting,
      MaxInflightInvocations: a.slots,
      EventLoopUtilization: Math.round(g.utilization * 1000) / 1000,
      EventLoopTarget: config.eventLoopTarget,
      // 0: not pacing.
      AdmissionRateLimit: g.rate === null ? 0 : Math.round(g.rate),
      ActiveFlows: g.activeFlows,
      PacedAdmissions: g.paced,
      // The server process and its engine workers together: the environments live in the workers.
      ResidentMemoryBytes: process.memoryUsage.rss() + (workers?.workers.residentBytes() ?? 0),
      ServerResidentMemoryBytes: process.memoryUsage.rss(),
    };
  };
  const app = buildServer({
    accounts,
    functions,
    aliases,
    stages,
    clock,
    region: config.region,
    codeLinks: createCodeLinks(),
    nodeStats,
    metrics,
    metricsToken: config.metricsToken,
    controlAdmission,
    bodyBudget: { perKeyBytes: config.bodyBytesPerKey, nodeBytes: config.bodyBytes },
    logger,
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    {
      url,
      dataDir: config.dataDir,
      created: 'accessKeyId' in root,
      node: process.version,
      isolatedVm: workers?.isolatedVm ?? isolatedVmBuild().version,
      engineWorkers: config.engineWorkers,
    },
    'Stratus is ready',
  );

  return {
    url,
    region: config.region,
    rootCredentials,
    credentialsFile,
    isolatedVm: workers?.isolatedVm ?? isolatedVmBuild().version,
    engineWorkerPids: () => workers?.workers.pids() ?? [],
    async close() {
      clearInterval(codeSweep);
      await app.close();
      await pool.close();
      await workers?.workers.close();
      limiter.close();
      governor.close();
      await stores.close();
    },
  };
}

/** Starts the engine worker processes and waits until each is ready; one line when they cannot start. */
async function startWorkers(
  config: StratusConfig,
  logger: Logger,
  onEnded: (running: Array<{ accountId: string; functionName: string }>) => void,
): Promise<{ workers: EngineWorkers; isolatedVm: string }> {
  const workers = startEngineWorkers({
    count: config.engineWorkers,
    // The node's execution slots, shared out: each worker schedules its own environments' steps fairly.
    settings: { executionSlots: Math.max(1, Math.ceil(config.executionSlots / config.engineWorkers)) },
    // Which invocations were running names the function; the replacement starts at once.
    onExit: (exit) => {
      logger.error({ worker: exit.slot, pid: exit.pid, code: exit.code, signal: exit.signal, inflight: exit.inflight }, 'engine worker process ended; replacing it');
      onEnded(exit.inflight);
    },
    onCrashReport: (r) => logger.error({ worker: r.slot, where: r.where, environmentId: r.environmentId, err: r.error }, 'execution environment crashed'),
  });
  try {
    const { isolatedVm } = await workers.ready();
    return { workers, isolatedVm };
  } catch (err) {
    await workers.close();
    throw err;
  }
}

/** At most this much of an error's text reaches the server log. */
const MAX_LOGGED_ERROR_CHARS = 2048;

/** An error's type, message and stack, each cut to a bounded length. */
function boundedError(err: unknown): { type: string; message: string; stack?: string } {
  const cut = (text: string) =>
    text.length > MAX_LOGGED_ERROR_CHARS ? `${text.slice(0, MAX_LOGGED_ERROR_CHARS)}... (${text.length - MAX_LOGGED_ERROR_CHARS} more characters)` : text;
  if (!(err instanceof Error)) return { type: typeof err, message: cut(String(err)) };
  return { type: err.name, message: cut(err.message), ...(typeof err.stack === 'string' ? { stack: cut(err.stack) } : {}) };
}

/** Event-loop utilization (0-1) since the previous call. */
function eventLoopSampler(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}

/** The admin key in the AWS shared-credentials format, profile `stratus`, readable by the owner only. */
function writeCredentialsFile(dataDir: string, creds: Credentials): string {
  const file = path.join(dataDir, 'credentials');
  const text = `[stratus]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`;
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

function usage(s: RunningStratus): string {
  const relative = path.relative(process.cwd(), s.credentialsFile);
  const rel = relative.startsWith('..') ? s.credentialsFile : relative;
  return [
    `Stratus is listening on ${s.url} (Node.js ${process.version}, stratus-isolate on isolated-vm ${s.isolatedVm})`,
    `Admin credentials: ${rel} (AWS shared-credentials format, profile "stratus")`,
    '',
    'Use it with the AWS CLI or SDKs:',
    `  export AWS_SHARED_CREDENTIALS_FILE=${rel} AWS_PROFILE=stratus AWS_REGION=${s.region} AWS_DEFAULT_REGION=${s.region}`,
    `  aws lambda list-functions --endpoint-url ${s.url}`,
    'or with the stratus CLI:',
    `  npx stratus deploy ./my-function --name hello --endpoint ${s.url}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let running: RunningStratus;
  try {
    running = await startStratus(configFromEnv(process.env));
  } catch (err) {
    process.stderr.write(`stratus: could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(usage(running));
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
