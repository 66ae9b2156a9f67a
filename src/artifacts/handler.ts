/** @module The Lambda `Handler` string: validating it and mapping it to the files that may hold it. */
import { stratusError } from '../shared/errors.ts';

/** A validated handler: `src/index.handler` is `{ file: 'src/index', exportName: 'handler' }`. */
export interface ParsedHandler {
  /** The file part without extension, relative to the zip root, `/`-separated. */
  file: string;
  /** The name of the export that the runtime calls. */
  exportName: string;
}

/** Lambda's limit for `Handler` (CreateFunction API reference). */
export const HANDLER_MAX_LENGTH = 128;

/**
 * Extensions tried for the file part, in order. JavaScript first so that a package that ships
 * both compiled output and its sources runs the compiled file, as the Lambda Node runtime would.
 */
export const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

/**
 * Validates a `Handler` string. The export is the text after the last dot (so `lib/a.b.main` is
 * file `lib/a.b`, export `main`); the file part may contain `/` but must stay inside the package.
 */
export function parseHandler(handler: string): ParsedHandler {
  if (typeof handler !== 'string' || handler.length === 0) {
    throw stratusError('REQUEST_INVALID_PARAMETER.handlerRequired');
  }
  if (handler.length > HANDLER_MAX_LENGTH) {
    throw stratusError('REQUEST_INVALID_PARAMETER.handlerTooLong', { max: HANDLER_MAX_LENGTH, length: handler.length });
  }
  // Lambda's own pattern is [^\s]+ for the whole string.
  if (/\s/.test(handler)) {
    throw stratusError('REQUEST_INVALID_PARAMETER.handlerWhitespace');
  }
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) {
    throw stratusError('REQUEST_INVALID_PARAMETER.handlerNoDot', { handler });
  }
  const file = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  if (exportName.includes('/')) {
    throw stratusError('REQUEST_INVALID_PARAMETER.handlerSlashInExport', { handler });
  }
  const problem = filePartProblem(file);
  if (problem) throw stratusError(`REQUEST_INVALID_PARAMETER.${problem}`, { handler });
  return { file, exportName };
}

/** The zip paths that may hold the handler's file, in the order they are tried. */
export function handlerCandidates(parsed: ParsedHandler): string[] {
  return HANDLER_EXTENSIONS.map((ext) => parsed.file + ext);
}

/** Why a handler's file part cannot name a file inside the package, or undefined when it can. */
function filePartProblem(file: string): 'handlerAbsolute' | 'handlerBackslash' | 'handlerDotFolder' | 'handlerEmptySegment' | undefined {
  if (file.startsWith('/')) return 'handlerAbsolute';
  if (file.includes('\\')) return 'handlerBackslash';
  const segments = file.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 'handlerDotFolder';
  if (segments.some((s) => s === '')) return 'handlerEmptySegment';
  return undefined;
}

/** How many of the zip's files a "handler not found" error lists. */
const LISTED_FILES = 10;

/**
 * The first candidate file that the zip holds. When none is there the error lists what was looked
 * for and what the zip has, and spots the most common mistake: zipping a folder instead of its
 * contents, which puts every path one folder down.
 */
export function findHandlerFile(parsed: ParsedHandler, paths: readonly string[]): string {
  const candidates = handlerCandidates(parsed);
  const present = new Set(paths);
  const found = candidates.find((candidate) => present.has(candidate));
  if (found !== undefined) return found;

  const handler = `${parsed.file}.${parsed.exportName}`;
  const looked = { handler, candidates: candidates.join(', ') };
  const nested = paths.find((path) => !path.startsWith('node_modules/') && candidates.some((c) => path.endsWith('/' + c)));
  if (nested !== undefined) {
    const prefix = nested.slice(0, nested.lastIndexOf(parsed.file));
    throw stratusError('CODE_HANDLER_NOT_FOUND.nested', { ...looked, found: nested, prefix, folder: prefix.slice(0, -1) });
  }
  const files = listFiles(paths);
  throw files === undefined
    ? stratusError('CODE_HANDLER_NOT_FOUND.onlyDependencies', { ...looked, count: paths.length })
    : stratusError('CODE_HANDLER_NOT_FOUND.listed', { ...looked, files });
}

/** A short listing, shallow paths first, leaving out dependencies, which rarely hold a handler; undefined when only they are there. */
function listFiles(paths: readonly string[]): string | undefined {
  const own = paths.filter((p) => !p.startsWith('node_modules/') && !p.includes('/node_modules/'));
  const shown = [...own].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0)).slice(0, LISTED_FILES);
  if (shown.length === 0) return undefined;
  const rest = paths.length - shown.length;
  return `${shown.join(', ')}${rest > 0 ? ` (and ${rest} more)` : ''}`;
}
