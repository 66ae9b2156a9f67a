/** @module Where the CLI writes (injected streams) and how it lays out human output: tables, key/value lines, JSON. */

/** The CLI's two output streams; tests pass collectors, the binary passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Set when stderr is a terminal, where a status line may be redrawn in place (see progress.ts). */
  errTerminal?: { columns(): number };
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errTerminal: process.stderr.isTTY ? { columns: () => process.stderr.columns || 80 } : undefined,
};

/** Machine output: the API's JSON, pretty-printed so it is also readable, one document per command. */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** How a table is laid out besides its cells. */
export interface TableOptions {
  /** Print the headers as given (units such as `ms` keep their case) instead of upper-casing them. */
  keepHeaderCase?: boolean;
  /** Right-align these columns (numbers line up by their last digit). */
  alignRight?: readonly number[];
}

/** A column-aligned table with an upper-case header row; an empty table prints `empty` instead. */
export function printTable(io: Io, headers: readonly string[], rows: readonly (readonly string[])[], empty: string, options: TableOptions = {}): void {
  if (rows.length === 0) {
    io.out(`${empty}\n`);
    return;
  }
  io.out(formatTable(headers, rows, options));
}

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const right = new Set(options.alignRight ?? []);
  const widths = headers.map((header, col) => Math.max(header.length, ...rows.map((row) => (row[col] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, col) => (right.has(col) ? cell.padStart(widths[col]!) : col === cells.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd();
  const head = options.keepHeaderCase ? headers : headers.map((h) => h.toUpperCase());
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** `key: value` lines with the values aligned; undefined values are left out. */
export function printFields(io: Io, fields: Record<string, string | number | undefined>): void {
  const present = Object.entries(fields).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length + 1));
  for (const [key, value] of present) io.out(`  ${`${key}:`.padEnd(width)} ${value}\n`);
}

/**
 * Lambda's LastModified (`2024-01-02T03:04:05.000+0000`) as `2024-01-02 03:04:05 UTC`: a person
 * scanning a table wants the moment, not the ISO punctuation. Unknown shapes pass through.
 */
export function formatTimestamp(value: string | undefined): string {
  if (!value) return '-';
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Pretty-prints JSON text for people; text that is not JSON is returned as is. */
export function prettyJsonText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
