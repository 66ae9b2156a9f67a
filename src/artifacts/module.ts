/**
 * @module The artifacts module: its settings (build folder, build slots), a builder that turns a zip
 * into a package in this node's build folder, and the gate every build waits its turn at.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Module } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import { createBuildGate, type BuildGate } from './build-gate.ts';
import { buildPackage } from './build-package.ts';
import { defaultBuildDir, removeStaleBuilds } from './staging.ts';
import type { BuiltPackage } from './types.ts';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const artifactsSettings = defineSettings({
  buildDir: {
    env: 'STRATUS_BUILD_DIR',
    rule: z
      .string()
      .min(1)
      .optional()
      .transform((dir) => (dir === undefined ? undefined : path.resolve(dir))),
  },
  // A build is a process that keeps a core busy for seconds.
  buildSlots: { env: 'STRATUS_BUILD_SLOTS', rule: intIn(1, 1_000).default(os.availableParallelism()) },
  // Absent: half the slots, so one account's deploys always leave room for another's.
  buildsPerAccount: { env: 'STRATUS_BUILDS_PER_ACCOUNT', rule: intIn(1, 1_000).optional() },
});

export type ArtifactsSettings = ReturnType<typeof artifactsSettings.read>;

/** How long a deploy waits for a build slot; past that the client gets 429 (its SDK retries). */
const BUILD_WAIT_MS = 60_000;
/** Deploys one account may have waiting for a slot; more get 429 at once. */
const QUEUE_PER_ACCOUNT = 8;

export interface ArtifactsServices {
  /** Builds a package from a deployment zip in this node's build folder (does not wait for a slot: see `gate`). */
  build(zip: Uint8Array, handler: string, ctx: { signal?: AbortSignal }): Promise<BuiltPackage>;
  /** Where builds wait their turn, account by account. */
  gate: BuildGate;
}

export async function createArtifactsModule(deps: { dataDir: string }, config: ArtifactsSettings): Promise<Module<ArtifactsServices>> {
  // Build folders are named after the data folder, so leftovers of a crash are found and removed at start-up.
  const stagingDir = config.buildDir ?? defaultBuildDir(deps.dataDir);
  await removeStaleBuilds(stagingDir);
  const gate = createBuildGate({
    slots: config.buildSlots,
    perAccount: config.buildsPerAccount ?? Math.max(1, Math.floor(config.buildSlots / 2)),
    queuePerAccount: QUEUE_PER_ACCOUNT,
    waitMs: BUILD_WAIT_MS,
  });
  return {
    services: { build: (zip, handler, ctx) => buildPackage(zip, handler, { stagingDir, signal: ctx.signal }), gate },
    stats: () => ({ RunningBuilds: gate.stats().running, WaitingBuilds: gate.stats().waiting }),
  };
}
