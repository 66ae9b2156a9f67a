/**
 * @module The package's tsconfig.json (or jsconfig.json) as one flattened document for esbuild's
 * `tsconfigRaw`, read here from the zip's own files so that esbuild reads no tsconfig from disk:
 * esbuild follows "extends" wherever it points and quotes what it read in its errors. Here
 * "extends" is followed only to files inside the package, and `baseUrl`/`paths` must stay inside
 * it too. Paths are the zip's, under a virtual root: nothing here touches the file system.
 * Written by hand: the libraries that resolve "extends" read the file system wherever it leads.
 */
import { posix } from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { stratusError } from '../shared/errors.ts';

/** Deeper chains than this are refused: real projects use two or three levels. */
const MAX_EXTENDS_DEPTH = 16;
const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];
/** Where the package sits in the virtual paths used here; anything that resolves above it is outside. */
const ROOT = '/package';
const { dirname, isAbsolute, join, relative, resolve } = posix;
const sep = '/';

/** The package's files, by path relative to its root ('/'-separated, as in the zip). */
export interface PackageFiles {
  isFile(path: string): boolean;
  /** The file's text; throws a user error when it cannot be read. */
  read(path: string): string;
}

type Options = Record<string, unknown>;

/** What a config contributes, with `baseUrl` and `paths` anchored to absolute folders. */
interface Flattened {
  options: Options;
  baseUrl?: string;
  paths?: { map: Record<string, unknown>; dir: string };
}

/** The root config of the package, flattened, as JSON text; `{}` when the package has none. */
export function packageTsconfig(files: PackageFiles): string {
  const root = ROOT;
  const isFile = (path: string) => isInside(root, path) && path !== root && files.isFile(relative(root, path));
  for (const name of CONFIG_NAMES) {
    const file = join(root, name);
    if (!isFile(file)) continue;
    const flat = flatten(root, file, [], { isFile, read: (path) => files.read(relative(root, path)) });
    return JSON.stringify({ compilerOptions: emit(root, flat, name) });
  }
  return '{}';
}

/** The package's files under the virtual root. */
interface Files {
  isFile(path: string): boolean;
  read(path: string): string;
}

function flatten(root: string, file: string, chain: string[], files: Files): Flattened {
  const shown = relative(root, file);
  if (chain.includes(file)) throw stratusError('CODE_BUILD_FAILED.tsconfigCycle', { file: shown, chain: [...chain, file].map((f) => relative(root, f)).join(' -> ') });
  if (chain.length >= MAX_EXTENDS_DEPTH) throw stratusError('CODE_BUILD_FAILED.tsconfigTooDeep', { file: shown, max: MAX_EXTENDS_DEPTH });
  const config = parseConfig(shown, files.read(file));
  const dir = dirname(file);
  const bases = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
  let merged: Flattened = { options: {} };
  for (const base of bases) {
    if (typeof base !== 'string') throw stratusError('CODE_BUILD_FAILED.tsconfigExtendsType', { file: shown });
    const parent = flatten(root, resolveExtends(root, dir, base, shown, files), [...chain, file], files);
    merged = { options: { ...merged.options, ...parent.options }, baseUrl: parent.baseUrl ?? merged.baseUrl, paths: parent.paths ?? merged.paths };
  }
  const own = config.compilerOptions;
  if (own === undefined) return merged;
  if (typeof own !== 'object' || own === null || Array.isArray(own)) throw stratusError('CODE_BUILD_FAILED.tsconfigOptionsType', { file: shown });
  const { baseUrl, paths, ...rest } = own as Options;
  const result: Flattened = { options: { ...merged.options, ...rest }, baseUrl: merged.baseUrl, paths: merged.paths };
  if (baseUrl !== undefined) {
    if (typeof baseUrl !== 'string') throw stratusError('CODE_BUILD_FAILED.tsconfigBaseUrlType', { file: shown });
    result.baseUrl = insideOrFail(root, resolve(dir, baseUrl), shown, `"baseUrl" "${baseUrl}"`);
  }
  if (paths !== undefined) {
    if (typeof paths !== 'object' || paths === null || Array.isArray(paths)) throw stratusError('CODE_BUILD_FAILED.tsconfigPathsType', { file: shown });
    result.paths = { map: paths as Record<string, unknown>, dir };
  }
  return result;
}

/** The compilerOptions esbuild gets: `baseUrl` and `paths` targets relative to the package root, where esbuild anchors them. */
function emit(root: string, flat: Flattened, name: string): Options {
  const options: Options = { ...flat.options };
  if (flat.baseUrl !== undefined) options.baseUrl = dotted(relative(root, flat.baseUrl));
  if (flat.paths === undefined) return options;
  // TypeScript resolves targets against baseUrl when there is one, else against the config that set `paths`.
  const anchor = flat.baseUrl ?? flat.paths.dir;
  const paths: Record<string, string[]> = {};
  for (const [pattern, targets] of Object.entries(flat.paths.map)) {
    if (!Array.isArray(targets) || !targets.every((t): t is string => typeof t === 'string')) {
      throw stratusError('CODE_BUILD_FAILED.tsconfigPathsEntry', { file: name, pattern });
    }
    paths[pattern] = targets.map((t) => {
      const target = insideOrFail(root, resolve(anchor, t), name, `"paths" target "${t}"`);
      return flat.baseUrl !== undefined ? t : dotted(relative(root, target));
    });
  }
  options.paths = paths;
  return options;
}

/** TypeScript's lookup for an "extends" value, confined: relative paths and packages in the zip's node_modules. */
function resolveExtends(root: string, dir: string, spec: string, shown: string, files: Files): string {
  if (isAbsolute(spec) || /^[a-zA-Z]:[\\/]/.test(spec)) throw stratusError('CODE_BUILD_FAILED.tsconfigExtendsAbsolute', { file: shown, spec });
  const candidates = (base: string) => [base, `${base}.json`, join(base, 'tsconfig.json')];
  const relativeSpec = spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
  if (relativeSpec) {
    const base = insideOrFail(root, resolve(dir, spec), shown, `"extends" "${spec}"`);
    for (const file of candidates(base)) if (files.isFile(file)) return file;
  } else {
    // Nearest node_modules first, as TypeScript looks, but never above the package root.
    for (let at = dir; isInside(root, at); at = dirname(at)) {
      for (const file of candidates(join(at, 'node_modules', spec))) if (files.isFile(file)) return file;
      if (at === root) break;
    }
  }
  throw stratusError('CODE_BUILD_FAILED.tsconfigExtendsMissing', { file: shown, spec });
}

function parseConfig(shown: string, text: string): Options {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const line = text.slice(0, first.offset).split('\n').length;
    throw stratusError('CODE_BUILD_FAILED.tsconfigNotJson', { file: shown, line, problem: printParseErrorCode(first.error) });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw stratusError('CODE_BUILD_FAILED.tsconfigNotObject', { file: shown });
  return value as Options;
}

function insideOrFail(root: string, path: string, shown: string, what: string): string {
  if (isInside(root, path)) return path;
  throw stratusError('CODE_BUILD_FAILED.tsconfigOutside', { file: shown, setting: what });
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function dotted(rel: string): string {
  return rel === '' ? '.' : `./${rel.split(sep).join('/')}`;
}
