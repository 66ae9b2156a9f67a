/** @module Catalogue of function, version, alias and runtime errors (the control plane's resources). */
import { codes } from './spec.ts';

export const FUNCTION_CODES = codes({
  // Lambda's wording, for a function and for a version alike; the ARN names what was looked for.
  FUNCTION_NOT_FOUND: { status: 404, kind: 'user', message: 'Function not found: {arn}' },
  FUNCTION_EXISTS: { status: 409, kind: 'user', message: 'Function already exist: {name}' },
  FUNCTION_REVISION_MISMATCH: {
    status: 412,
    kind: 'user',
    message: {
      // Lambda's wording for a RevisionId that is not the current one.
      stale: 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      functionRace: 'The function was changed by another request while this one ran: get the function again and retry with its new RevisionId.',
      aliasRace: 'The alias was changed by another request while this one ran: get it again and retry with its new RevisionId.',
      publishRace: 'The function changed while the version was being published: retry.',
      tenancyLimitsRace: 'The tenancy limits were changed by another request while this one ran: get them again and retry with their new RevisionId.',
    },
  },
  FUNCTION_CONFLICT: {
    status: 409,
    kind: 'user',
    message: {
      versionInUse: 'Unable to delete version because the following aliases reference it: [{aliases}]. Point them at another version first.',
      // TagResource and UntagResource take no RevisionId: a tag write that keeps losing to other writes gives up with this.
      tagsBusy: 'The function {name} kept changing while its tags were being written (another operation is in progress): retry the request.',
    },
  },
  FUNCTION_QUARANTINED: {
    status: 409,
    kind: 'user',
    message: {
      lostThread:
        'Function {name} is disabled on this node: an invocation made the execution engine spin where it cannot be stopped (for example a getter or Proxy on the reason of an unhandled promise rejection). Deploy fixed code to enable it again.',
      workerCrashes:
        'Function {name} is disabled on this node: the engine worker process running it ended {count} times while its invocations ran (a crash in engine code, or the process was killed). Deploy fixed code to enable it again.',
    },
  },
  VERSION_NOT_FOUND: { status: 404, kind: 'user', message: 'Function version not found: {arn}: publish it first (PublishVersion)' },
  ALIAS_NOT_FOUND: { status: 404, kind: 'user', message: 'Alias not found: {arn}' },
  ALIAS_EXISTS: { status: 409, kind: 'user', message: 'Alias already exists: {arn}' },
  RUNTIME_UNSUPPORTED: {
    status: 400,
    kind: 'user',
    message: {
      requested: "Runtime '{runtime}' is not supported: use one of {runtimes} (or omit Runtime for {defaultRuntime}).",
      // A stored function whose runtime this node has no engine for (the node was started with fewer engines).
      onNode: 'The runtime "{runtime}" is not available on this node. Use one of: {runtimes}.',
    },
  },
});
