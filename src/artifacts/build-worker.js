/** @module The bundling process: runs esbuild on one staged package, in a process of its own whose working directory is the package, with an empty environment and the package as the only readable code. */
// Plain JavaScript, started with `node` and nothing else (no TypeScript loader): start-up is part of
// every deploy. Reads one job as JSON on stdin, extracts the zip into its working directory, bundles
// it, writes one answer as JSON on stdout, and exits.
//   job:    { zipFile, files, entryFile, tsconfigRaw, maxOutputBytes }
//   answer: { ok: true, text } | { ok: false, messages } | { ok: false, zip: { problem, path } }
//         | { ok: false, tooLarge: bytes } | { ok: false, stopped } | { ok: false, internal }
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { ExtractError, extractFiles } from './extract.js';
import { BUILTIN_FILTER, COMPAT_ROOTS, JSPM_PREFIX, PROVIDED, builtinName, jspmFile, unavailableMessage } from './node-compat/builtins.js';

const root = process.cwd();
const BUFFER_GLOBAL = join(COMPAT_ROOTS[1], 'buffer-global.js');

/** True when `path` is `dir` or below it. */
function within(dir, path) {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** True when `path` is the package root or below it. */
function inside(path) {
  return within(root, path);
}

/** Readable by the bundler: the package, and the Node.js compatibility modules Stratus ships. */
function readable(path) {
  return inside(path) || COMPAT_ROOTS.some((dir) => within(dir, path));
}

// Messages name no path: the parent quotes the import from the user's own source line instead.
const OUTSIDE = 'resolves to a file outside the package; only files inside the zip can be bundled';
const ABSOLUTE = `${OUTSIDE} (import the package's own files by a relative path)`;

/**
 * Confinement. Every file esbuild loads passes `onLoad`, including the files a pattern import
 * (`require('./x/' + name)`) expands to, which never pass `onResolve`: a load outside the package
 * is refused before esbuild reads a byte of it. The two cheap `onResolve` filters refuse the
 * specifiers that name a place outside the package on their face, without resolving them, so the
 * answer says nothing about what exists on the host.
 */
const confine = {
  name: 'stratus-confine-to-package',
  setup(b) {
    b.onResolve({ filter: /^\// }, () => ({ errors: [{ text: ABSOLUTE }] }));
    b.onResolve({ filter: /(^|[/\\])\.\.([/\\]|$)/ }, (args) => {
      // A package path with '..' in it (x/../../y) is resolved from node_modules/x, not from here:
      // no real import needs one, so it is refused whatever it names.
      if (!/^\.\.?([/\\]|$)/.test(args.path)) return { errors: [{ text: OUTSIDE }] };
      if (args.resolveDir === '' || inside(resolve(args.resolveDir, args.path))) return undefined;
      // The compatibility modules import each other across their own folders.
      if (COMPAT_ROOTS.some((dir) => within(dir, args.resolveDir) && within(dir, resolve(args.resolveDir, args.path)))) return undefined;
      return { errors: [{ text: OUTSIDE }] };
    });
    b.onLoad({ filter: /.*/ }, (args) => (args.namespace !== 'file' || readable(args.path) ? undefined : { errors: [{ text: OUTSIDE }] }));
  },
};

/**
 * Node.js built-in modules (`crypto`, `node:events`, ...) resolve to the compatibility modules. One
 * an isolate cannot have is refused where the package's own code imports it, and replaced by a
 * module that throws when used where a dependency does: many import such modules on paths a
 * function never takes.
 */
const nodeBuiltins = {
  name: 'stratus-node-builtins',
  setup(b) {
    // Without side effects: a bundle that never uses Buffer (or an unused import) carries none of it.
    b.onResolve({ filter: /^\// }, (args) => (args.path === BUFFER_GLOBAL ? { path: BUFFER_GLOBAL, sideEffects: false } : undefined));
    // Our own modules reach the @jspm/core module they reshape by name; nothing else may.
    b.onResolve({ filter: /^stratus-jspm:/ }, (args) => {
      const file = within(COMPAT_ROOTS[1], args.importer) ? jspmFile(args.path.slice(JSPM_PREFIX.length)) : undefined;
      return file === undefined ? { errors: [{ text: `Could not resolve "${args.path}"` }] } : { path: file, sideEffects: false };
    });
    b.onResolve({ filter: BUILTIN_FILTER }, (args) => {
      const name = builtinName(args.path);
      const file = PROVIDED.get(name);
      if (file !== undefined) return { path: file, sideEffects: false };
      const fromDependency = /(^|[/\\])node_modules[/\\]/.test(args.importer) || COMPAT_ROOTS.some((dir) => within(dir, args.importer));
      if (!fromDependency) return { errors: [{ text: unavailableMessage(name) }] };
      return { path: name, namespace: 'stratus-unavailable' };
    });
    // The browser builds look for Web globals on `self`; in an isolate that is the global object,
    // given to those modules alone (user code sees no `self`, as on Node).
    b.onLoad({ filter: new RegExp(`^${COMPAT_ROOTS[0].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/`) }, (args) => ({
      contents: `var self = globalThis;\n${readFileSync(args.path, 'utf8')}`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stratus-unavailable' }, (args) => ({
      loader: 'js',
      contents: `const message = ${JSON.stringify(unavailableMessage(args.path))};
module.exports = new Proxy(function unavailable() { throw new Error(message); }, {
  get(_target, key) { if (key === '__esModule' || typeof key === 'symbol') return undefined; return function unavailable() { throw new Error(message); }; },
  apply() { throw new Error(message); },
  construct() { throw new Error(message); },
});`,
    }));
  },
};

/** Only what the parent formats: text and a location inside the package. */
/**
 * esbuild names files by their path from the package, and the compatibility modules' paths lead to
 * where Stratus is installed: they are named for what they are instead (in bundles, maps and messages).
 */
function named(text) {
  return COMPAT_ROOTS.reduce((acc, dir, i) => acc.split(`${relative(root, dir)}/`).join(`${i === 0 ? 'node:compat' : 'node:stratus'}/`), text);
}

function plain(message) {
  const at = message.location;
  return {
    text: named(String(message.text)),
    location: at ? { file: named(at.file), line: at.line, column: at.column, length: at.length, lineText: at.lineText } : null,
    plugin: message.pluginName === confine.name,
  };
}

/**
 * esbuild's "Could not resolve" for a relative path (or a pattern import's glob) that leaves the
 * package says whether something exists out there; it is given the same answer as a path that
 * does. Outside answers are then kept once: a pattern import that matched 854 host files would
 * otherwise count them.
 */
function withoutHostFacts(messages) {
  let outsideSeen = false;
  const kept = [];
  for (const message of messages) {
    const quoted = /^Could not resolve (?:require\(|import\()?"([^"]+)"\)?$/.exec(message.text);
    const from = message.location ? resolve(root, message.location.file, '..') : root;
    const escapes = quoted !== null && /^\.\.?([/\\]|$)/.test(quoted[1]) && !inside(resolve(from, quoted[1]));
    const outside = escapes || (message.plugin && message.text.startsWith(OUTSIDE.slice(0, 20)));
    if (escapes) Object.assign(message, { text: OUTSIDE, plugin: true });
    if (outside && outsideSeen) continue;
    outsideSeen ||= outside;
    kept.push(message);
  }
  return kept;
}

async function readJob() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Separates a stored bundle from its source map (artifacts/source-map.ts reads it). */
const SOURCE_MAP_MARKER = '\n//# stratus:source-map=';

/** Appended to a bundle whose module body must run as an async function (ES modules with top-level await). */
const ASYNC_MODULE_MARKER = '\n//# stratus:async-module';

/**
 * An ES module bundle (esbuild's `format: 'esm'`) as the body of an async function: its one closing
 * `export { a as default, handler };` becomes a `return` of the same names, so top-level await works
 * and line numbers stay those of the bundle.
 */
function asAsyncModule(text) {
  const tail = /export\s*\{([^}]*)\};?\s*$/.exec(text);
  const names = [];
  if (tail !== null) {
    for (const part of tail[1].split(',')) {
      const m = /^\s*([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (m === null) return undefined;
      names.push(`${JSON.stringify(m[2] ?? m[1])}: ${m[1]}`);
    }
  }
  if (tail === null && /^export\s*\{/m.test(text)) return undefined;
  const body = tail === null ? text : text.slice(0, tail.index);
  return `${body}return { __proto__: null, ${names.join(', ')} };${ASYNC_MODULE_MARKER}`;
}

async function run(job) {
  try {
    extractFiles(readFileSync(job.zipFile), job.files, root);
  } catch (error) {
    if (error instanceof ExtractError) return { ok: false, zip: { problem: error.problem, path: error.path } };
    throw error;
  }
  try {
    return await bundle(job, 'cjs');
  } catch (error) {
    const errors = error && Array.isArray(error.errors) ? error.errors : [];
    // Top-level await: the package is an ES module that needs it; bundled as one, run as an async function.
    if (errors.length > 0 && errors.every((e) => String(e.text).startsWith('Top-level await'))) {
      try {
        return await bundle(job, 'esm');
      } catch (esmError) {
        return failure(esmError);
      }
    }
    return failure(error);
  }
}

async function bundle(job, format) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [job.entryFile],
    bundle: true,
    format,
    // An ES module run as a function body cannot name import.meta: its values are known.
    ...(format === 'esm'
      ? {
          // Licence comments where they are, so the export statement stays the bundle's last.
          legalComments: 'inline',
          define: {
            'import.meta.url': JSON.stringify(`file:///var/task/${job.entryFile}`),
            'import.meta.dirname': '"/var/task"',
            'import.meta.filename': JSON.stringify(`/var/task/${job.entryFile}`),
          },
        }
      : {}),
    platform: 'node',
    target: 'es2022',
    write: false,
    // A source map, so traces name the user's files and lines; without the sources' text (the zip
    // has them), about 0.6 times the bundle. Stored after the bundle (see source-map.ts).
    outfile: 'index.js',
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'silent',
    // Given as text, so esbuild reads no tsconfig.json from disk (nor what its "extends" names).
    tsconfigRaw: job.tsconfigRaw,
    // Code that names `Buffer` without importing it gets node:buffer's, as on Node.
    inject: [BUFFER_GLOBAL],
    plugins: [nodeBuiltins, confine],
  });
  const output = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const mapFile = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (!output) return { ok: false, internal: 'esbuild produced no output file' };
  if (output.contents.byteLength > job.maxOutputBytes) return { ok: false, tooLarge: output.contents.byteLength };
  // esbuild names each module's file (in comments, and in the names of lazily initialized modules,
  // which stack traces show): the compatibility modules are named for what they are, not for where
  // Stratus is installed. The map's URL comment goes: the map is stored after the bundle instead.
  let text = named(output.text).replace(/\n\/\/# sourceMappingURL=index\.js\.map\s*$/, '\n');
  if (format === 'esm') {
    const wrapped = asAsyncModule(text);
    if (wrapped === undefined) return { ok: false, internal: 'the ES module bundle did not end with the export statement expected' };
    text = wrapped;
  }
  // Kept when no longer than the bundle, so a stored bundle is at most twice the size limit.
  const map = mapFile === undefined ? '' : named(mapFile.text).replace(/\n/g, '');
  if (map.length > 0 && map.length <= text.length) text = `${text}${SOURCE_MAP_MARKER}${map}`;
  return { ok: true, text };
}

function failure(error) {
  const errors = error && Array.isArray(error.errors) ? error.errors : [];
  if (errors.length > 0) {
    const messages = withoutHostFacts(errors.map(plain));
    return { ok: false, messages: messages.slice(0, 20), total: messages.length };
  }
  const text = error instanceof Error ? error.message : String(error);
  // esbuild's own process was killed under us: by the CPU-time limit it inherited, or for memory.
  if (/service (was stopped|is no longer running)/i.test(text)) return { ok: false, stopped: text };
  return { ok: false, internal: text };
}

const answer = await run(await readJob());
process.stdout.write(JSON.stringify(answer));
