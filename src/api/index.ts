/** @module Public face of the API layer. */
export { buildServer } from './server.ts';
export { createCodeLinks } from './code-links.ts';
export { LAMBDA_EXCEPTION } from './error-map.ts';
export type { ApiDeps } from './context.ts';
export { createApiModule, apiSettings, type ApiModuleDeps, type ApiServices, type ApiSettings } from './module.ts';
