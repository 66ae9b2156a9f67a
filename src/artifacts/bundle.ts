/** @module Bundles an extracted package into one CommonJS script with esbuild, confined to the package's own files. */
import { isAbsolute, relative, sep } from 'node:path';
import { build, type Message, type PartialMessage, type Plugin } from 'esbuild';
import { isStratusError, stratusError, type StratusError } from '../shared/errors.ts';

/** Enough errors to fix a typical mistake without flooding the response. */
const MAX_REPORTED_ERRORS = 5;
/** Marks resolutions that `confineToPackage` started itself, so that it does not recurse. */
const CONFINED = Symbol('stratus.confined');

/**
 * Bundles `entryFile` (relative to `root`, the folder the zip was extracted into, with symlinks
 * resolved) into one CommonJS script whose `module.exports` carries the handler, whether the
 * source uses `export` or `exports.x =`. Node built-ins stay external `require()` calls, so a
 * package that needs one fails clearly when the engine initializes it, not here.
 */
export async function bundlePackage(root: string, entryFile: string): Promise<string> {
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entryFile],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'es2022',
      write: false,
      // No source map: it would roughly double every stored bundle. esbuild's `// path` comments
      // between modules still say which zip file each part came from.
      sourcemap: false,
      logLevel: 'silent',
      plugins: [confineToPackage(root)],
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output file');
    return output.text;
  } catch (error) {
    if (isStratusError(error)) throw error;
    const messages = buildMessages(error);
    if (messages) throw buildFailed(messages, root);
    throw stratusError('INTERNAL', 'Bundling the code failed unexpectedly. Try again; if it keeps failing, report it.', { cause: error });
  }
}

/**
 * esbuild resolves bare imports by walking up to `node_modules` folders of parent directories,
 * and follows absolute or `../` paths anywhere on disk: without this guard a package could pull
 * host files (say `require('/etc/hostname.json')`) into its bundle. Every resolution that lands
 * outside `root` is refused; failures are left to esbuild so that its messages (with the import's
 * location, and its leniency for `require()` inside `try`) stay as they are.
 */
function confineToPackage(root: string): Plugin {
  return {
    name: 'stratus-confine-to-package',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === CONFINED || args.kind === 'entry-point') return undefined;
        const resolved = await pluginBuild.resolve(args.path, {
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          kind: args.kind,
          with: args.with,
          pluginData: CONFINED,
        });
        if (resolved.errors.length > 0) return undefined;
        if (resolved.external || resolved.namespace !== 'file' || isInside(root, resolved.path)) {
          return {
            path: resolved.path,
            external: resolved.external,
            namespace: resolved.namespace,
            sideEffects: resolved.sideEffects,
            suffix: resolved.suffix,
          };
        }
        const error: PartialMessage = { text: `"${args.path}" resolves to a file outside the package; only files inside the zip can be bundled` };
        return { errors: [error] };
      });
    },
  };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

/** esbuild's failure carries structured messages; anything else is not a problem with the code. */
function buildMessages(error: unknown): Message[] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors as Message[]) : undefined;
}

function buildFailed(messages: Message[], root: string): StratusError {
  const lines = messages.slice(0, MAX_REPORTED_ERRORS).map((m) => formatMessage(m, root));
  if (messages.length > MAX_REPORTED_ERRORS) lines.push(`(and ${messages.length - MAX_REPORTED_ERRORS} more)`);
  return stratusError('CODE_BUILD_FAILED', `The code could not be bundled:\n${lines.join('\n')}\nFix the code in the zip, then upload it again.`);
}

/** `file:line:column: message`, with a 1-based column as editors and tsc count. */
function formatMessage(message: Message, root: string): string {
  const text = scrubRoot(message.text, root) + hintFor(message.text);
  const at = message.location;
  if (!at) return text;
  return `${scrubRoot(at.file, root)}:${at.line}:${at.column + 1}: ${text}`;
}

/** Adds what to do where esbuild's wording does not say it. */
function hintFor(text: string): string {
  if (text.startsWith('Top-level await')) return ' (packages are bundled as CommonJS: move the awaited work into the handler)';
  const missing = /^Could not resolve "([^"]+)"$/.exec(text);
  if (!missing || missing[1]!.startsWith('.') || missing[1]!.startsWith('/')) return '';
  return ' (add the package to node_modules/ in the zip)';
}

/** The extraction folder is an internal detail (invariant 5): paths are shown relative to the zip. */
function scrubRoot(text: string, root: string): string {
  return text.split(root + sep).join('').split(root).join('.');
}
