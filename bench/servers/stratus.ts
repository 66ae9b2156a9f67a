/** @module Bench child: a real Stratus (the composition root, as `npm start` builds it) on a free port, with the data folder the parent made and optional start options. */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startStratus, type StartOptions } from '../../src/main.ts';
import { serveParent } from '../lib/children.ts';

const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir) throw new Error('BENCH_DATA_DIR is not set');
/** JSON of startStratus options (memoryBudgetMb, maxEnvironments, ...) a figure needs; none for the defaults. */
const options = JSON.parse(process.env.BENCH_STRATUS_OPTIONS ?? '{}') as StartOptions;

const s = await startStratus({ ...options, host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent' });
// A diagnostic the node route does not give: how long ready work waits for this process's event loop.
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
/** Event-loop delay (ms) since the last call: where a request waits that no scheduler of Stratus's own can reorder. */
function loopDelay() {
  const ms = (ns: number) => ns / 1e6;
  const cpu = mainThreadCpuMs();
  const at = performance.now();
  const out = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), mean: ms(loop.mean), mainThreadCpu: (cpu - lastCpu) / (at - lastAt), gc };
  gc = { count: 0, maxMs: 0, totalMs: 0 };
  lastCpu = cpu;
  lastAt = at;
  loop.reset();
  return out;
}
/** CPU time (ms) of this process's main thread alone, from /proc (Linux): the event loop's real load, whatever the isolate threads do. */
function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}
let gc = { count: 0, maxMs: 0, totalMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
let lastCpu = mainThreadCpuMs();
let lastAt = performance.now();
serveParent({ loopDelay }, () => s.close());
process.send!({ type: 'ready', url: s.url, region: s.region, credentials: s.rootCredentials });
