/** @module The bench's output: rows with a computed goal check, rendered as a markdown table and written with the raw numbers to bench/results/. */
import fs from 'node:fs';
import os from 'node:os';
import { round } from './stats.ts';

/** How Stratus compares with the baseline on one row: a ratio (x), an added time (ms), or nothing (a count with no baseline). */
export type Comparison = { kind: 'ratio'; value: number } | { kind: 'added-ms'; value: number } | { kind: 'none'; value?: undefined };

export interface Goal {
  op: '>=' | '<=';
  limit: number;
  /** The goal is on the Stratus value itself, in its unit (e.g. "≤ 2 MB", "≤ 0 errors"), not on the comparison. */
  absolute?: boolean;
}

export interface Row {
  figure: string;
  unit: string;
  baselineLabel?: string;
  baseline?: number;
  stratus: number;
  comparison: Comparison;
  goal?: Goal;
}

export function ratioRow(figure: string, unit: string, baselineLabel: string, baseline: number, stratus: number, goal?: Goal): Row {
  return { figure, unit, baselineLabel, baseline, stratus, comparison: { kind: 'ratio', value: stratus / baseline }, goal };
}

export function addedRow(figure: string, unit: string, baselineLabel: string, baseline: number, stratus: number, goal?: Goal): Row {
  return { figure, unit, baselineLabel, baseline, stratus, comparison: { kind: 'added-ms', value: stratus - baseline }, goal };
}

/** A Stratus value with no baseline (a count, or an absolute quantity); with a goal, the goal is absolute. */
export function valueRow(figure: string, unit: string, stratus: number, goal?: Omit<Goal, 'absolute'>): Row {
  return { figure, unit, stratus, comparison: { kind: 'none' }, goal: goal && { ...goal, absolute: true } };
}

export function met(row: Row): boolean | undefined {
  if (!row.goal) return undefined;
  const v = row.goal.absolute ? row.stratus : row.comparison.value;
  if (v === undefined) return undefined;
  return row.goal.op === '>=' ? v >= row.goal.limit : v <= row.goal.limit;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const shown = (c: Comparison) => (c.kind === 'none' ? '—' : c.kind === 'ratio' ? `${c.value.toFixed(2)}x` : `${c.value >= 0 ? '+' : ''}${c.value.toFixed(2)} ms`);
const limitText = (row: Row, goal: Goal) => (goal.absolute ? `${goal.limit} ${row.unit}` : row.comparison.kind === 'ratio' ? `${goal.limit}x` : `+${goal.limit} ms`);
const goalText = (row: Row) => (row.goal ? `${row.goal.op === '>=' ? '≥' : '≤'} ${limitText(row, row.goal)}` : '—');
const baselineText = (row: Row) => (row.baseline === undefined ? '—' : `${fmt(row.baseline)} ${row.unit}${row.baselineLabel ? ` (${row.baselineLabel})` : ''}`);
const metText = (row: Row) => ({ true: 'yes', false: '**no**', undefined: '—' })[String(met(row)) as 'true' | 'false' | 'undefined'];

export function markdownTable(rows: Row[]): string {
  const lines = ['| Figure | Baseline | Stratus | Stratus vs baseline | Goal | Met? |', '| --- | ---: | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.figure} | ${baselineText(r)} | ${fmt(r.stratus)} ${r.unit} | ${shown(r.comparison)} | ${goalText(r)} | ${metText(r)} |`);
  }
  return lines.join('\n');
}

export function machineNote(): { node: string; cpus: number; cpuModel: string; platform: string; totalMemMb: number } {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    platform: `${os.platform()} ${os.release()}`,
    totalMemMb: Math.round(os.totalmem() / 1048576),
  };
}

/** Writes `<name>.md` (title, table, date, machine, method) and `<name>.json` (everything, rounded). */
export function writeResults(dir: URL, name: string, title: string, rows: Row[], method: string, raw: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const machine = machineNote();
  const date = new Date().toISOString();
  const table = markdownTable(rows);
  const md = [
    `# ${title}`,
    '',
    `Run ${date} on Node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.platform}, ${machine.totalMemMb} MB RAM.`,
    '',
    table,
    '',
    `Method: ${method}`,
    '',
  ].join('\n');
  fs.writeFileSync(new URL(`${name}.md`, dir), md);
  const json = {
    date,
    machine,
    // Every number is rounded by the replacer below.
    rows: rows.map((r) => ({ ...r, met: met(r) ?? null })),
    raw,
  };
  fs.writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(json, (_k, v) => (typeof v === 'number' ? round(v) : v), 2)}\n`);
  return table;
}
