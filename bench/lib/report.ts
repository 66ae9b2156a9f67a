/** @module The bench's output: rows with a computed goal check, rendered as a markdown table and written with the raw numbers to bench/results/. */
import fs from 'node:fs';
import os from 'node:os';
import { round } from './stats.ts';

/** How Stratus compares with the baseline on one row: a ratio (x) or an added time (ms). */
export type Comparison = { kind: 'ratio'; value: number } | { kind: 'added-ms'; value: number };

export interface Goal {
  op: '>=' | '<=';
  limit: number;
}

export interface Row {
  figure: string;
  unit: string;
  baselineLabel: string;
  baseline: number;
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

export function met(row: Row): boolean | undefined {
  if (!row.goal) return undefined;
  const v = row.comparison.value;
  return row.goal.op === '>=' ? v >= row.goal.limit : v <= row.goal.limit;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const shown = (c: Comparison) => (c.kind === 'ratio' ? `${c.value.toFixed(2)}x` : `${c.value >= 0 ? '+' : ''}${c.value.toFixed(2)} ms`);
const goalText = (row: Row) => (row.goal ? `${row.goal.op === '>=' ? '≥' : '≤'} ${row.comparison.kind === 'ratio' ? `${row.goal.limit}x` : `+${row.goal.limit} ms`}` : '—');
const metText = (row: Row) => ({ true: 'yes', false: '**no**', undefined: '—' })[String(met(row)) as 'true' | 'false' | 'undefined'];

export function markdownTable(rows: Row[]): string {
  const lines = ['| Figure | Baseline | Stratus | Stratus vs baseline | Goal | Met? |', '| --- | ---: | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.figure} | ${fmt(r.baseline)} ${r.unit} (${r.baselineLabel}) | ${fmt(r.stratus)} ${r.unit} | ${shown(r.comparison)} | ${goalText(r)} | ${metText(r)} |`);
  }
  return lines.join('\n');
}

export function machineNote(): { node: string; cpus: number; cpuModel: string; platform: string; totalMemMb: number } {
  const cpus = os.cpus();
  return { node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', platform: `${os.platform()} ${os.release()}`, totalMemMb: Math.round(os.totalmem() / 1048576) };
}

/** Writes core.md (table, date, machine, method) and core.json (everything, rounded). */
export function writeResults(dir: URL, rows: Row[], method: string, raw: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const machine = machineNote();
  const date = new Date().toISOString();
  const table = markdownTable(rows);
  const md = [
    '# Stratus core benchmark',
    '',
    `Run ${date} on Node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.platform}, ${machine.totalMemMb} MB RAM.`,
    '',
    table,
    '',
    `Method: ${method}`,
    '',
  ].join('\n');
  fs.writeFileSync(new URL('core.md', dir), md);
  const json = {
    date,
    machine,
    rows: rows.map((r) => ({ ...r, baseline: round(r.baseline), stratus: round(r.stratus), comparison: { ...r.comparison, value: round(r.comparison.value) }, met: met(r) ?? null })),
    raw,
  };
  fs.writeFileSync(new URL('core.json', dir), `${JSON.stringify(json, (_k, v) => (typeof v === 'number' ? round(v) : v), 2)}\n`);
  return table;
}
