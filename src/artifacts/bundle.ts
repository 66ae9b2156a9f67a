/** @module Extracts and bundles a package into one CommonJS script with esbuild, in a bounded process of its own, confined to the package's own files. */
import { sep } from 'node:path';
import { stratusError, type StratusError } from '../shared/errors.ts';
import { BuildStopped, runBuildProcess, type BuildProcessLimits, type WorkerMessage } from './build-process.ts';
import type { ExtractEntry } from './extract.js';
import type { Staged } from './staging.ts';
import { extractionError } from './unzip.ts';

/** Enough errors to fix a typical mistake without flooding the response. */
const MAX_REPORTED_ERRORS = 5;

export interface BundleLimits extends BuildProcessLimits {
  /** Largest bundle accepted, in bytes. */
  maxOutputBytes: number;
}

/**
 * Extracts the package into `staged.root` and bundles `entryFile` (relative to it) into one CommonJS
 * script whose `module.exports` carries the handler, whether the source uses `export` or
 * `exports.x =`. Node built-ins stay external `require()` calls, so a package that needs one fails
 * clearly when the engine initializes it, not here. Nothing outside `root` is read into the
 * bundle (see build-worker.js), and no error names anything outside it.
 */
export async function bundlePackage(
  staged: Staged,
  pkg: { files: ExtractEntry[]; entryFile: string; tsconfigRaw: string },
  limits: BundleLimits,
  signal?: AbortSignal,
): Promise<string> {
  const { root } = staged;
  let answer;
  try {
    const job = { zipFile: staged.zipFile, files: pkg.files, entryFile: pkg.entryFile, tsconfigRaw: pkg.tsconfigRaw, maxOutputBytes: limits.maxOutputBytes };
    answer = await runBuildProcess(job, root, limits, signal);
  } catch (error) {
    throw error instanceof BuildStopped ? stoppedError(error, limits) : error;
  }
  if (answer.ok) return answer.text;
  if ('zip' in answer) throw extractionError(answer.zip.problem, answer.zip.path);
  if ('messages' in answer) throw buildFailed(answer.messages, answer.total, root);
  if ('tooLarge' in answer) throw tooLarge(answer.tooLarge, limits.maxOutputBytes);
  if ('stopped' in answer) throw stoppedError(new BuildStopped('cpu', answer.stopped), limits);
  throw stratusError('INTERNAL.bundlerFailed', { cause: new Error(answer.internal) });
}

function stoppedError(stop: BuildStopped, limits: BundleLimits): StratusError {
  switch (stop.reason) {
    case 'cpu':
      return stratusError('CODE_BUILD_FAILED.cpu', { seconds: limits.cpuSeconds });
    case 'wall':
      return stratusError('CODE_BUILD_FAILED.wall', { seconds: Math.round(limits.wallMs / 1000) });
    case 'output':
      return tooLarge(undefined, limits.maxOutputBytes);
    case 'aborted':
      return stratusError('REQUEST_ABORTED.buildRunning');
    case 'crashed':
      return stratusError('INTERNAL.bundlerFailed', { cause: stop });
  }
}

function tooLarge(bytes: number | undefined, max: number): StratusError {
  return bytes === undefined ? stratusError('CODE_TOO_LARGE.bundleStopped', { max }) : stratusError('CODE_TOO_LARGE.bundle', { bytes, max });
}

function buildFailed(messages: WorkerMessage[], total: number, root: string): StratusError {
  const lines = messages.slice(0, MAX_REPORTED_ERRORS).map((m) => formatMessage(m, root));
  if (total > MAX_REPORTED_ERRORS) lines.push(`(and ${total - MAX_REPORTED_ERRORS} more)`);
  return stratusError('CODE_BUILD_FAILED.errors', { errors: lines.join('\n') });
}

/** `file:line:column: message`, with a 1-based column as editors and tsc count; nothing of the host in it. */
function formatMessage(message: WorkerMessage, root: string): string {
  const at = message.location;
  const file = at ? scrubRoot(at.file, root) : undefined;
  // A location outside the package (a host package.json, say) is not shown at all.
  const shown = at && file !== undefined && !file.startsWith('/') && !file.startsWith('..') ? at : null;
  // The confinement plugin's messages quote the import as the user wrote it, from their own line.
  const quoted = message.plugin && shown ? `${quoteImport(shown.lineText.slice(shown.column, shown.column + shown.length))} ` : '';
  const text = quoted + scrubHost(scrubRoot(message.text, root)) + hintFor(message.text);
  return shown ? `${file}:${shown.line}:${shown.column + 1}: ${text}` : text;
}

/** A plain string import as esbuild quotes paths (`"x"`); an expression (a pattern import) as written. */
function quoteImport(source: string): string {
  const literal = /^(['"`])([^'"`\\$]*)\1$/.exec(source);
  return literal ? `"${literal[2]}"` : source;
}

/** Adds what to do where esbuild's wording does not say it. */
function hintFor(text: string): string {
  // An ES module may await at top level; a CommonJS file (require/module.exports) may not, on Node either.
  if (text.startsWith('Top-level await')) return ' (top-level await needs an ES module: use import/export, or a .mjs file)';
  const missing = /^Could not resolve "([^"]+)"$/.exec(text);
  if (!missing || missing[1]!.startsWith('.') || missing[1]!.startsWith('/')) return '';
  return ' (add the package to node_modules/ in the zip)';
}

/** The extraction folder is an internal detail (invariant 5): paths are shown relative to the zip. */
function scrubRoot(text: string, root: string): string {
  return text
    .split(root + sep)
    .join('')
    .split(root)
    .join('.');
}

/** Any absolute path left in esbuild's own wording is the host's: it is not shown. */
function scrubHost(text: string): string {
  return text.replace(/(^|[\s"'(=])\/[^\s"'):]+/g, '$1<outside the package>');
}
