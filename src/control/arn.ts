/** @module Lambda ARNs and the forms a FunctionName may take (name, name:qualifier, full or partial ARN). */
import { stratusError } from '../shared/errors.ts';
import { functionId, type FunctionId } from '../shared/identity.ts';

export const LATEST = '$LATEST';

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9-_]{1,128})$/;
// arn:aws:lambda:region:account:function:name[:qualifier], or account:function:name[:qualifier]
const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

export interface FunctionRef {
  /** The account the reference names, when it is an ARN (it must be the caller's). */
  accountId?: string;
  name: string;
  qualifier?: string;
}

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

export function isValidFunctionName(name: string): boolean {
  return NAME.test(name);
}

export function isValidQualifier(qualifier: string): boolean {
  return QUALIFIER.test(qualifier);
}

/** Parses any accepted FunctionName form; the error says which forms are accepted. */
export function parseFunctionRef(input: string): FunctionRef {
  const full = FULL_ARN.exec(input);
  const partial = full ? undefined : PARTIAL_ARN.exec(input);
  let ref: FunctionRef;
  if (full) ref = { accountId: full[2], name: full[3]!, qualifier: full[4] };
  else if (partial) ref = { accountId: partial[1], name: partial[2]!, qualifier: partial[3] };
  else {
    const [name, qualifier, extra] = input.split(':');
    if (extra !== undefined) throw badName(input);
    ref = { name: name!, qualifier };
  }
  if (!NAME.test(ref.name)) throw badName(input);
  if (ref.qualifier !== undefined && !QUALIFIER.test(ref.qualifier)) {
    throw stratusError('REQUEST_INVALID_PARAMETER.qualifierName', { qualifier: ref.qualifier });
  }
  return ref;
}

function badName(input: string) {
  const shown = input.length > 80 ? `${input.slice(0, 80)}...` : input;
  return stratusError('REQUEST_INVALID_PARAMETER.functionName', { name: shown });
}

/** Whether a qualifier names a version ($LATEST or a number) rather than an alias. */
export function isVersionQualifier(qualifier: string): boolean {
  return qualifier === LATEST || /^\d+$/.test(qualifier);
}

/** A function of the caller's account and the qualifier a request named (none: $LATEST, or an alias's choice). */
export interface QualifiedFunction {
  fn: FunctionId;
  qualifier?: string;
}

/**
 * The one reading of a request's FunctionName and Qualifier parameter: the name may carry a
 * qualifier itself (name:qualifier, or in an ARN), which must then agree with the parameter; another
 * account's ARN is "not found" (cross-account access comes with resource policies).
 */
export function qualifiedFunction(callerAccountId: string, functionName: string, queryQualifier: string | undefined, region: string): QualifiedFunction {
  const ref = parseFunctionRef(functionName);
  if (ref.qualifier !== undefined && queryQualifier !== undefined && ref.qualifier !== queryQualifier) {
    throw stratusError('REQUEST_INVALID_PARAMETER.qualifierConflict', { inName: ref.qualifier, inQuery: queryQualifier });
  }
  const qualifier = ref.qualifier ?? queryQualifier;
  if (ref.accountId !== undefined && ref.accountId !== callerAccountId) {
    throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, ref.accountId, ref.name, qualifier) });
  }
  const fn = functionId(callerAccountId, ref.name);
  return qualifier === undefined ? { fn } : { fn, qualifier };
}
