/** @module Public face of the invocation layer. */
export { createInvokeService, MAX_SYNC_PAYLOAD_BYTES, type InvokeInput, type InvokeOutput, type InvokeService, type InvocationType } from './invoke-service.ts';
export { createCheckedBuilder } from './deploy-check.ts';
