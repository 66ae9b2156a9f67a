/** @module Side-by-side tables (one column per server or runtime) for figures that compare more than Stratus and one baseline, written like the other suites' results. */
import fs from 'node:fs';
import os from 'node:os';
import { machineNote } from './report.ts';
import { round } from './stats.ts';

/** A number for a table cell: three significant figures or so, as the row tables show them. */
export const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/** `0.33x (0.31-0.35)`: a ratio and its spread over the rounds. */
export const spreadText = (s: { ratio: number; min: number; max: number }) => `${s.ratio.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;

export const addedText = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(2)} ms`;

/** The machine's 1-minute load average at the start of a suite and now: these figures shift with whatever else the machine runs. */
export function loadNote(atStart: number): string {
  return `Load average (1 min) ${atStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} CPUs; compare ratios within one run.`;
}

export function sideTable(header: string[], rows: string[][]): string {
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- |${header
      .slice(1)
      .map(() => ' ---: |')
      .join('')}`,
  ];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** Writes `<name>.md` (title, notes, table, method) and `<name>.json` (everything, rounded). */
export function writeSideResults(dir: URL, name: string, title: string, table: string, notes: string[], method: string, raw: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  const machine = machineNote();
  const date = new Date().toISOString();
  const head = `Run ${date}, load client on Node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.platform}, ${machine.totalMemMb} MB RAM.`;
  fs.writeFileSync(new URL(`${name}.md`, dir), [`# ${title}`, '', head, ...notes.flatMap((n) => ['', n]), '', table, '', `Method: ${method}`, ''].join('\n'));
  const json = { date, machine, raw };
  fs.writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(json, (_k, v) => (typeof v === 'number' ? round(v) : v), 2)}\n`);
}
