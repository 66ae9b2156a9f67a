/** @module Catalogue of code package errors: unzipping, finding the handler, bundling, size limits. */
import { codes } from './spec.ts';

const SPIN = 'made the execution engine spin where it cannot be stopped (for example a getter or Proxy on the reason of an unhandled promise rejection)';

// The shared sentence around each finding; `as const` keeps the result a literal type, so its placeholders stay checked.
const damaged = <F extends string>(finding: F) => `Could not unzip the uploaded file (${finding}). Please check your file, then try to upload again.` as const;
const badEntry = <P extends string>(problem: P) => `The zip entry "{name}" ${problem}. Fix the zip, then upload it again.` as const;
const badTsconfig = <P extends string>(problem: P) => `The code could not be bundled:\n{file}: ${problem}\nFix the code in the zip, then upload it again.` as const;

export const CODE_CODES = codes({
  CODE_INVALID_ZIP: {
    status: 400,
    kind: 'user',
    message: {
      // Lambda's own wording for bytes that are not a readable zip.
      unreadable: 'Could not unzip the uploaded file. Please check your file, then try to upload again.',
      empty: 'The zip has no files. Zip the function code (the handler file and its dependencies), then upload it again.',
      // The zip's structure; `part` names the structure the reader was at (the central directory, an entry header).
      outOfRange: damaged('a size or offset is out of range'),
      outsideFile: damaged('{part} lies outside the file'),
      spanned: damaged('split or spanned zips are not supported'),
      zip64RecordMissing: damaged('the zip64 directory record is missing'),
      directoryShort: damaged('the central directory is shorter than its entry count'),
      directoryRecordDamaged: damaged('a central directory record is damaged'),
      zip64SizeMissing: damaged('a zip64 entry lacks its size record'),
      headerDamaged: damaged('an entry header is damaged'),
      nameNotUtf8: damaged('a file name is not valid UTF-8'),
      entrySizesDisagree: damaged('the sizes of "{name}" disagree'),
      entryChecksum: damaged('"{name}" fails its checksum'),
      entryDamaged: damaged('"{name}" is damaged'),
      entrySizeMismatch: damaged('"{name}" unzips to a different size than its header declares'),
      // One entry that cannot be unpacked safely or at all.
      entryEmptyName: badEntry('has an empty name'),
      entryTwice: badEntry('appears twice in the zip'),
      entryEncrypted: badEntry('is encrypted; upload a zip without a password'),
      entryMethod: badEntry('uses compression method {method}; re-create the zip with Deflate (the default of zip tools)'),
      entryFileAsFolder: badEntry('is a file, but "{child}" needs it to be a folder'),
      entryFileAndFolder: badEntry('is both a file and a folder'),
      entryTooBig: badEntry('is {bytes} bytes; Stratus reads at most {max} bytes of it'),
      entryNul: badEntry('contains a NUL character'),
      entryBackslash: badEntry('uses "\\" to separate folders; re-create the zip with a tool that writes "/" (for example zip or 7-Zip)'),
      entryAbsolute: badEntry('is an absolute path; zip entries must be relative to the zip root'),
      entryPathTooLong: badEntry('has a path longer than {max} characters'),
      entryDotDot: badEntry('points outside the zip root ("..")'),
      entryEmptyFolder: badEntry('has an empty folder name ("//")'),
      entrySegmentTooLong: badEntry('has a name longer than {max} bytes'),
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
      // A tsconfig.json in the zip that the bundler cannot use; `setting` quotes the setting and its value, `file` the config it is in.
      tsconfigCycle: badTsconfig('"extends" makes a cycle ({chain})'),
      tsconfigTooDeep: badTsconfig('"extends" goes more than {max} levels deep'),
      tsconfigExtendsType: badTsconfig('"extends" must be a string or an array of strings'),
      tsconfigOptionsType: badTsconfig('"compilerOptions" must be an object'),
      tsconfigBaseUrlType: badTsconfig('"baseUrl" must be a string'),
      tsconfigPathsType: badTsconfig('"paths" must be an object'),
      tsconfigPathsEntry: badTsconfig('"paths" entry "{pattern}" must be an array of strings'),
      tsconfigExtendsAbsolute: badTsconfig('"extends" "{spec}" is an absolute path: name a file inside the package by a relative path'),
      tsconfigExtendsMissing: badTsconfig('"extends" "{spec}" names no file inside the package'),
      tsconfigNotJson: badTsconfig('is not valid JSON at line {line}: {problem}'),
      tsconfigNotObject: badTsconfig('must hold a JSON object'),
      tsconfigOutside: badTsconfig('{setting} points outside the package; only files inside the zip can be used'),
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
      entries: 'The zip has {count} entries; the limit is {max}. Remove files the function does not need (tests, docs, unused dependencies) or bundle the code before zipping.',
      unzipped:
        'Unzipped size must be smaller than {max} bytes (this zip unzips to {bytes} bytes). Remove files the function does not need (tests, docs, dev dependencies) or bundle the code before zipping.',
      unzippedStopped: 'Unzipped size must be smaller than {max} bytes. Remove files the function does not need (tests, docs, dev dependencies) or bundle the code before zipping.',
    },
  },
  CODE_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message:
      'This code of function {name} is no longer available: the function or version was deleted, or its code was replaced. Call GetFunction again for a link to the code it has now.',
  },
});
