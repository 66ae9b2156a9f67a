/** @module Turns a deployment zip and a handler string into a `BuiltPackage`: the artifacts pipeline end to end. */
import { isStratusError, stratusError } from '../shared/errors.ts';
import { bundlePackage } from './bundle.ts';
import { findHandlerFile, parseHandler } from './handler.ts';
import { sha256Base64, sha256Hex } from './hash.ts';
import { withStagedPackage } from './staging.ts';
import type { BuiltPackage } from './types.ts';
import { DEFAULT_UNZIP_LIMITS, listZipFiles, type UnzipLimits } from './unzip.ts';

export interface BuildOptions {
  /** Bound on the package's total unzipped size; defaults to Lambda's 250 MB. */
  maxUnzippedBytes?: number;
  /** Bound on the number of zip entries; defaults to 20,000. */
  maxEntries?: number;
}

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
    throw stratusError('CODE_INVALID_ZIP', 'The zip has no files. Zip the function code (the handler file and its dependencies), then upload it again.');
  }
  const entryFile = findHandlerFile(parsed, files.map((f) => f.path));
  let bundle: string;
  try {
    bundle = await withStagedPackage(zip, files, (root) => bundlePackage(root, entryFile));
  } catch (error) {
    // File system failures (disk full, permissions) carry temp paths: keep them as the cause only.
    if (isStratusError(error)) throw error;
    throw stratusError('INTERNAL', 'Preparing the code package failed unexpectedly. Try again; if it keeps failing, report it.', { cause: error });
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

function resolveLimits(opts: BuildOptions): UnzipLimits {
  const limits: UnzipLimits = {
    maxUnzippedBytes: opts.maxUnzippedBytes ?? DEFAULT_UNZIP_LIMITS.maxUnzippedBytes,
    maxEntries: opts.maxEntries ?? DEFAULT_UNZIP_LIMITS.maxEntries,
  };
  // These come from the composition root, not from users: a bad value is a programming error.
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`buildPackage: ${name} must be a positive integer, got ${value}`);
  }
  return limits;
}
