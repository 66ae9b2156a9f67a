/** @module Bench helper: the warm rotation's settings, and Stratus servers (one per variant) beside the node:http baseline, each with the bench function deployed and checked, as rotation contenders. */
import path from 'node:path';
import { num } from '../suite.ts';
import { BODY, FUNCTION_NAME, checkBoth } from '../warm.ts';
import { startChild, type Child } from './children.ts';
import { SMALL_HANDLER } from './handler-code.ts';
import { deployFunction, invokePath, sign, type Target } from './lambda-api.ts';
import type { Contender } from './rotation.ts';

/** Warm rotation settings shared by the side-by-side suites (BENCH_ROUNDS, BENCH_PHASE_SECONDS, BENCH_WARMUP_SECONDS). */
export function warmRotationConfig() {
  return {
    rounds: num('BENCH_ROUNDS', 3),
    phaseSeconds: num('BENCH_PHASE_SECONDS', 5),
    warmupSeconds: num('BENCH_WARMUP_SECONDS', 2),
    concurrencies: [1, 32],
  };
}

export interface StratusVariant {
  label: string;
  /** startStratus options for this server (BENCH_STRATUS_OPTIONS). */
  options?: Record<string, unknown>;
}

/** Starts the baseline and one Stratus per variant; every contender is sent the same signed bytes (the baseline ignores the signature). */
export async function startStratusContenders(tmp: string, baselineLabel: string, variants: StratusVariant[]): Promise<{ contenders: Contender[]; close(): Promise<void> }> {
  const baseline = await startChild<{ url: string }>('baseline');
  const servers: { label: string; child: Child<Target> }[] = [];
  for (const [i, v] of variants.entries()) {
    const env: Record<string, string> = { BENCH_DATA_DIR: path.join(tmp, `contender-${i}`) };
    if (v.options) env.BENCH_STRATUS_OPTIONS = JSON.stringify(v.options);
    servers.push({ label: v.label, child: await startChild<Target>('stratus', env) });
  }
  const first = servers[0]!.child.ready;
  const contenders: Contender[] = [
    {
      name: baselineLabel,
      url: baseline.ready.url,
      request: () => sign({ url: first.url, region: first.region, credentials: first.credentials }, 'POST', invokePath(FUNCTION_NAME), BODY),
    },
  ];
  for (const { label, child } of servers) {
    const target: Target = { url: child.ready.url, region: child.ready.region, credentials: child.ready.credentials };
    await deployFunction(target, FUNCTION_NAME, SMALL_HANDLER);
    await checkBoth(target, baseline.ready.url);
    contenders.push({ name: label, url: target.url, request: () => sign(target, 'POST', invokePath(FUNCTION_NAME), BODY) });
  }
  return { contenders, close: () => Promise.all([baseline.close(), ...servers.map((s) => s.child.close())]).then(() => {}) };
}
