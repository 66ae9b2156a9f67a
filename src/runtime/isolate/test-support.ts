/** @module Test helpers for the isolate engine's unit tests: specs, requests, and environments disposed after each test. */
import { afterEach } from 'vitest';
import { functionId, partitionOf } from '../../shared/identity.ts';
import type { Environment, EnvironmentSpec, InvokeRequest, InvokeResult, StepScheduler } from '../engine.ts';
import { createIsolateEngine, type IsolateEngineOptions } from './isolate-engine.ts';

let counter = 0;

export function makeSpec(code: string, overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    runtime: 'stratus-isolate',
    code,
    handlerExport: 'handler',
    handler: 'index.handler',
    region: 'us-east-1',
    env: {},
    memoryMb: 64,
    initTimeoutMs: 5_000,
    partition: partitionOf(functionId('123456789012', 'test-fn'), '$LATEST', 'r1'),
    isolation: 'environment',
    ...overrides,
  };
}

export function makeRequest(overrides: Partial<InvokeRequest> & { timeoutMs?: number } = {}): InvokeRequest {
  const { timeoutMs = 5_000, ...rest } = overrides;
  counter += 1;
  return {
    payload: '{}',
    requestId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-fn',
    timeoutMs,
    timeoutSeconds: timeoutMs / 1000,
    ...rest,
  };
}

/** Registers an afterEach that disposes every environment the test created. */
export function useIsolateEngine(opts: IsolateEngineOptions = {}) {
  const engine = createIsolateEngine(opts);
  const live: Environment[] = [];
  afterEach(async () => {
    await Promise.all(live.splice(0).map((env) => env.dispose()));
  });
  return {
    engine,
    async create(code: string, overrides: Partial<EnvironmentSpec> = {}) {
      const result = await engine.create(makeSpec(code, overrides));
      if (result.ok) live.push(result.env);
      return result;
    },
    /** Creates an environment and fails the test if init failed. */
    async env(code: string, overrides: Partial<EnvironmentSpec> = {}): Promise<Environment> {
      const result = await this.create(code, overrides);
      if (!result.ok) throw new Error(`init failed: ${JSON.stringify(result.error)}`);
      return result.env;
    },
  };
}

/**
 * A scheduler that runs every step at once and counts them by flow, with partitions of their own
 * flow, so a test can count the guest steps of one environment.
 */
export function countingScheduler() {
  const counts = new Map<string, number>();
  let next = 0;
  const scheduler: StepScheduler = {
    run(flow, step) {
      const key = flow.join('/');
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return step();
    },
  };
  return {
    scheduler,
    /** A partition whose steps are counted apart from every other: `steps()` says how many so far. */
    counted(name = 'test-fn') {
      const partition = partitionOf(functionId('123456789012', name), '$LATEST', 'r1', `counted-${++next}`);
      return { partition, steps: () => counts.get(partition.flow.join('/')) ?? 0 };
    },
  };
}

/** The handler's result (ok) or its GuestError (error), parsed. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary handler results; `any` keeps their property checks short.
export function payloadOf(result: InvokeResult): any {
  return JSON.parse(result.payload);
}

/** The message column of each log line. */
export function logMessages(logs: string): string[] {
  return logs
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t').slice(3).join('\t'));
}
