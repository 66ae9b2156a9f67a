/** @module Turns a deployment zip and a handler string into a `BuiltPackage`: the artifacts pipeline end to end. */
import { isStratusError, stratusError } from '../shared/errors.ts';
import { bundlePackage, type BundleLimits } from './bundle.ts';
import { findHandlerFile, parseHandler } from './handler.ts';
import { sha256Base64, sha256Hex } from './hash.ts';
import { withStagedPackage } from './staging.ts';
import type { BuiltPackage } from './types.ts';
import { packageTsconfig } from './tsconfig.ts';
import { DEFAULT_UNZIP_LIMITS, extractEntry, listZipFiles, readSmallText, type UnzipLimits } from './unzip.ts';

export interface BuildOptions {
  /** Bound on the package's total unzipped size; defaults to Lambda's 250 MB. */
  maxUnzippedBytes?: number;
  /** Bound on the number of zip entries; defaults to 20,000. */
  maxEntries?: number;
  /** Absolute bound on a bundle's size; defaults to 50 MB. Each package also gets a bound relative to its zip (see below). */
  maxBundleBytes?: number;
  /** CPU seconds the bundling process may use; defaults to 30. */
  buildCpuSeconds?: number;
  /** Wall-clock bound on bundling, in ms; defaults to 60 s. */
  buildWallMs?: number;
  /** Folder that holds build folders (default: the system temp folder). */
  stagingDir?: string;
  /** Stops the build (and its process) when aborted, e.g. when the uploading client goes away. */
  signal?: AbortSignal;
}

const DEFAULT_BUILD_LIMITS = { maxBundleBytes: 50 * 1024 * 1024, buildCpuSeconds: 30, buildWallMs: 60_000 } as const;

/**
 * A bundle holds at most what the zip unpacks to plus esbuild's wrappers. JavaScript packages
 * compress 3-8x and data files up to about 15x, so 16x the upload plus 2 MB fits every real
 * package and stops a small zip from becoming a huge stored bundle (each cold start reads it).
 */
const BUNDLE_PER_ZIP_BYTE = 16;
const BUNDLE_SLACK_BYTES = 2 * 1024 * 1024;
/** A tsconfig.json larger than this is refused: real ones are a few hundred bytes. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Validates `handler`, unzips `zip` (untrusted: see `unzip.ts`), finds the handler's file and
 * bundles the package into one CommonJS script. Every failure the uploader can fix is a user
 * error with a code from the catalogue; anything else becomes INTERNAL without internal paths.
 */
export async function buildPackage(zip: Uint8Array, handler: string, opts: BuildOptions = {}): Promise<BuiltPackage> {
  // The handler is checked first: it is the cheapest mistake to report.
  const parsed = parseHandler(handler);
  const limits = resolveLimits(opts);
  const files = listZipFiles(zip, limits);
  if (files.length === 0) {
    throw stratusError('CODE_INVALID_ZIP.empty');
  }
  const entryFile = findHandlerFile(
    parsed,
    files.map((f) => f.path),
  );
  const bundleLimits: BundleLimits = {
    cpuSeconds: limits.buildCpuSeconds,
    wallMs: limits.buildWallMs,
    maxOutputBytes: Math.min(limits.maxBundleBytes, BUNDLE_SLACK_BYTES + BUNDLE_PER_ZIP_BYTE * zip.byteLength),
  };
  const byPath = new Map(files.map((f) => [f.path, f]));
  const tsconfigRaw = packageTsconfig({ isFile: (path) => byPath.has(path), read: (path) => readSmallText(zip, byPath.get(path)!, MAX_CONFIG_BYTES) });
  const pkg = { files: files.map(extractEntry), entryFile, tsconfigRaw };
  let bundle: string;
  try {
    bundle = await withStagedPackage(zip, (staged) => bundlePackage(staged, pkg, bundleLimits, opts.signal), opts.stagingDir);
  } catch (error) {
    // File system failures (disk full, permissions) carry temp paths: keep them as the cause only.
    if (isStratusError(error)) throw error;
    throw stratusError('INTERNAL.packageFailed', { cause: error });
  }
  return {
    codeSha256: sha256Base64(zip),
    codeSize: zip.byteLength,
    bundle,
    bundleSha256: sha256Hex(bundle),
    entryFile,
    handlerExport: parsed.exportName,
  };
}

type Limits = UnzipLimits & { maxBundleBytes: number; buildCpuSeconds: number; buildWallMs: number };

function resolveLimits(opts: BuildOptions): Limits {
  const limits: Limits = {
    maxUnzippedBytes: opts.maxUnzippedBytes ?? DEFAULT_UNZIP_LIMITS.maxUnzippedBytes,
    maxEntries: opts.maxEntries ?? DEFAULT_UNZIP_LIMITS.maxEntries,
    maxBundleBytes: opts.maxBundleBytes ?? DEFAULT_BUILD_LIMITS.maxBundleBytes,
    buildCpuSeconds: opts.buildCpuSeconds ?? DEFAULT_BUILD_LIMITS.buildCpuSeconds,
    buildWallMs: opts.buildWallMs ?? DEFAULT_BUILD_LIMITS.buildWallMs,
  };
  // These come from the composition root, not from users: a bad value is a programming error.
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`buildPackage: ${name} must be a positive integer, got ${value}`);
  }
  return limits;
}
