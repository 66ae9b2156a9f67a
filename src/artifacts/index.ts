/** @module Public face of the artifacts layer: building code packages from deployment zips. */
export { buildPackage, type BuildOptions } from './build-package.ts';
export { createBuildGate, type BuildGate, type BuildGateOptions } from './build-gate.ts';
export { defaultBuildDir, removeStaleBuilds } from './staging.ts';
export { parseHandler, HANDLER_EXTENSIONS, HANDLER_MAX_LENGTH, type ParsedHandler } from './handler.ts';
export { sha256Base64, sha256Hex } from './hash.ts';
export { DEFAULT_UNZIP_LIMITS, type UnzipLimits } from './unzip.ts';
export type { BuiltPackage } from './types.ts';
export { createArtifactsModule, artifactsSettings, type ArtifactsServices, type ArtifactsSettings } from './module.ts';
export { createTraceMapper, splitBundle, type TraceMapper } from './source-map.ts';
