/** @module Catalogue of code package errors: unzipping, finding the handler, bundling, size limits. */
import { codes } from './spec.ts';

const SPIN = 'made the execution engine spin where it cannot be stopped (for example a getter or Proxy on the reason of an unhandled promise rejection)';

export const CODE_CODES = codes({
  CODE_INVALID_ZIP: {
    status: 400,
    kind: 'user',
    message: {
      unreadable: 'Could not unzip the uploaded file. Please check your file, then try to upload again.',
      // `detail` is the zip reader's finding about this file (which record is damaged, which entry disagrees).
      damaged: 'Could not unzip the uploaded file ({detail}). Please check your file, then try to upload again.',
      unsafeEntry: 'The zip entry "{name}" {problem}. Fix the zip, then upload it again.',
      empty: 'The zip has no files. Zip the function code (the handler file and its dependencies), then upload it again.',
    },
  },
  CODE_HANDLER_NOT_FOUND: {
    status: 400,
    kind: 'user',
    message: {
      // The most common mistake: zipping a folder instead of its contents puts every path one folder down.
      nested:
        'Cannot find the file for handler "{handler}": looked for {candidates} at the root of the zip. The zip has "{found}": either set Handler to "{prefix}{handler}", or zip the contents of the "{folder}" folder rather than the folder itself.',
      listed:
        'Cannot find the file for handler "{handler}": looked for {candidates} at the root of the zip. The zip has: {files}. Set Handler to the file\'s path in the zip (without extension) and the export name, for example index.handler.',
      onlyDependencies:
        'Cannot find the file for handler "{handler}": looked for {candidates} at the root of the zip. The zip has only files under node_modules/ ({count}). Set Handler to the file\'s path in the zip (without extension) and the export name, for example index.handler.',
      atInit: '{errorType}: {errorMessage}',
    },
  },
  CODE_BUILD_FAILED: {
    status: 400,
    kind: 'user',
    message: {
      // `errors` is esbuild's findings, one file:line:column line each.
      errors: 'The code could not be bundled:\n{errors}\nFix the code in the zip, then upload it again.',
      tsconfig: 'The code could not be bundled:\n{file}: {problem}\nFix the code in the zip, then upload it again.',
      cpu: "The code could not be bundled: the build used more than {seconds} s of CPU time (or more memory than the node allows). Bundle fewer or smaller files (pattern imports such as require('./x/' + name) pull in every file they match), then upload it again.",
      wall: 'The code could not be bundled within {seconds} s. Bundle fewer or smaller files, or retry when the node is less busy.',
      atInit: '{errorType}: {errorMessage}',
      spinAtInit: `Runtime.ExitError: the module's top-level code ${SPIN}. Fix the code, then upload it again.`,
    },
  },
  CODE_TOO_LARGE: {
    status: 413,
    kind: 'user',
    message: {
      bundle:
        "The bundled code would be {bytes} bytes, over the limit of {max} bytes for this package. Leave out files the handler does not need (pattern imports such as require('./data/' + name) pull in every matching file), then upload it again.",
      bundleStopped:
        "The bundled code would be larger than the limit of {max} bytes for this package. Leave out files the handler does not need (pattern imports such as require('./data/' + name) pull in every matching file), then upload it again.",
      entries:
        'The zip has {count} entries; the limit is {max}. Remove files the function does not need (tests, docs, unused dependencies) or bundle the code before zipping.',
      unzipped:
        'Unzipped size must be smaller than {max} bytes (this zip unzips to {bytes} bytes). Remove files the function does not need (tests, docs, dev dependencies) or bundle the code before zipping.',
      unzippedStopped:
        'Unzipped size must be smaller than {max} bytes. Remove files the function does not need (tests, docs, dev dependencies) or bundle the code before zipping.',
    },
  },
  CODE_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message:
      'This code of function {name} is no longer available: the function or version was deleted, or its code was replaced. Call GetFunction again for a link to the code it has now.',
  },
});
