/** @module What a built code package looks like to the rest of Stratus. */

export interface BuiltPackage {
  /** Base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  codeSha256: string;
  /** Size of the zip in bytes (Lambda's CodeSize). */
  codeSize: number;
  /** The whole package bundled by esbuild into one CommonJS script. */
  bundle: string;
  /** Hex SHA-256 of `bundle` (content address of the built code). */
  bundleSha256: string;
  /** The file part of the handler as found in the zip, e.g. `src/index.ts`. */
  entryFile: string;
  /** The export part of the handler, e.g. `handler`. */
  handlerExport: string;
}
