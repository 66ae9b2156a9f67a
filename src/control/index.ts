/** @module Public face of the control plane: accounts, functions, versions, aliases, invocation targets. */
export { createAccountService, type AccountService, type Credentials, type NewAccount } from './accounts.ts';
export { createFunctionService, lambdaTimestamp, type FunctionService } from './functions.ts';
export { createAliasService, type AliasService } from './aliases.ts';
export { createTagService, checkTags, MAX_TAGS, type TagService } from './tags.ts';
export { createEgressService, effectiveEgress, type EgressService, type EgressState } from './egress.ts';
export { createCodeCollector, type CodeCollector } from './code-collector.ts';
export { createResolver, type InvocationTarget, type Resolver } from './resolve.ts';
export { LATEST, functionArn, isVersionQualifier, parseFunctionRef, qualifiedFunction, isValidFunctionName, isValidQualifier, type QualifiedFunction } from './arn.ts';
export * from './types.ts';
export type { AccountRecord, AliasRecord, FunctionVersionRecord, Page, TenancyLimits } from '../store/index.ts';
export { createControlModule, controlSettings, type ControlModuleDeps, type ControlServices, type ControlSettings } from './module.ts';
