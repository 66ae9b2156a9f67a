/** @module What a bench suite gets from `npm run bench` (a scratch folder, the results folder, a log) and hands back (its rows and table). */
import { fileURLToPath } from 'node:url';
import type { Row } from './lib/report.ts';

export interface SuiteContext {
  /** A scratch folder removed when the bench ends, for the servers' data folders. */
  tmp: string;
  /** bench/results/: each suite writes `<name>.md` and `<name>.json` there. */
  results: URL;
  log: (line: string) => void;
}

export interface SuiteOutcome {
  name: string;
  rows: Row[];
  table: string;
  seconds: number;
}

/** A number from the environment (BENCH_*), or the default. */
export const num = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);

/** Where the bench keeps what it installs on demand (workerd, other Node.js versions); git-ignored, BENCH_CACHE_DIR moves it. */
export const CACHE_DIR = process.env.BENCH_CACHE_DIR ?? fileURLToPath(new URL('./.cache/', import.meta.url));
