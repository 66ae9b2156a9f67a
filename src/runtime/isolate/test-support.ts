/** @module Test helpers for the isolate engine's unit tests: specs, requests, and environments disposed after each test. */
import { afterEach } from 'vitest';
import type { Environment, EnvironmentSpec, InvokeRequest, InvokeResult } from '../engine.ts';
import { createIsolateEngine, type IsolateEngineOptions } from './isolate-engine.ts';

let counter = 0;

export function makeSpec(code: string, overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    runtime: 'stratus-isolate',
    code,
    handlerExport: 'handler',
    env: {},
    memoryMb: 64,
    initTimeoutMs: 5_000,
    functionName: 'test-fn',
    functionVersion: '$LATEST',
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

/** The handler's result (ok) or its GuestError (error), parsed. */
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
