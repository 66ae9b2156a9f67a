/**
 * @module The engine worker process's composition root: hosts the engines for the main process and
 * answers each create, invoke and dispose with one message, so a crash in engine code (isolated-vm
 * is native code) ends this process and not the node.
 */
import { createFairScheduler } from './invoke/fair-scheduler.ts';
import { createIsolateEngine, isolatedVmBuild, ISOLATE_RUNTIME, type Engine, type Environment } from './runtime/index.ts';
import type { FromWorker, ToWorker, WorkerSettings } from './runtime/worker/protocol.ts';

const MAX_REPORTED_ERROR_CHARS = 2048;

function send(message: FromWorker): void {
  process.send?.(message);
}

function bounded(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
  return text.length > MAX_REPORTED_ERROR_CHARS ? `${text.slice(0, MAX_REPORTED_ERROR_CHARS)}...` : text;
}

function start(settings: WorkerSettings): void {
  // Guest steps of this worker's environments take turns here, account first, then function, then tenant.
  const scheduler = createFairScheduler({ slots: settings.executionSlots });
  const onCrash = (where: 'create' | 'invoke', environmentId: string, err: unknown) => send({ t: 'crash', where, environmentId, error: bounded(err) });
  const engines = new Map<string, Engine>([[ISOLATE_RUNTIME, createIsolateEngine({ scheduler, onCrash, maxLogBytes: settings.maxLogBytes })]]);
  const envs = new Map<string, Environment>();

  async function handle(msg: ToWorker): Promise<FromWorker> {
    switch (msg.t) {
      case 'create': {
        const engine = engines.get(msg.spec.runtime);
        if (engine === undefined) return { t: 'failed', id: msg.id, error: `runtime ${msg.spec.runtime} is not served by engine workers` };
        const result = await engine.create(msg.spec);
        if (!result.ok) return { t: 'created', id: msg.id, result };
        envs.set(result.env.id, result.env);
        return { t: 'created', id: msg.id, result: { ok: true, env: result.env.id, initDurationMs: result.initDurationMs, memory: result.env.memory() } };
      }
      case 'invoke': {
        const env = envs.get(msg.env);
        if (env === undefined) return { t: 'failed', id: msg.id, error: `no environment ${msg.env} in this worker` };
        const result = await env.invoke(msg.req);
        return { t: 'invoked', id: msg.id, result, memory: env.memory() };
      }
      case 'dispose': {
        const env = envs.get(msg.env);
        envs.delete(msg.env);
        await env?.dispose();
        return { t: 'disposed', id: msg.id };
      }
    }
  }

  process.on('message', (msg: ToWorker) => {
    handle(msg).then(send, (err: unknown) => send({ t: 'failed', id: msg.id, error: bounded(err) }));
  });
  // The main process is gone: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  send({ t: 'ready', isolatedVm: isolatedVmBuild().version });
}

try {
  start(JSON.parse(process.env.STRATUS_ENGINE_WORKER ?? '{"executionSlots":2}') as WorkerSettings);
} catch (err) {
  // One line for the main process to report (a Node that no isolated-vm build fits, bad settings).
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(78);
}
