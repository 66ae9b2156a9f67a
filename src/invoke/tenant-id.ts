/** @module The tenant id rule, and the check that a call's tenant id fits the function's tenancy. */
import { stratusError } from '../shared/errors.ts';

/** Letters, digits and `. _ - : @ + =`; no path separators, spaces or control characters. */
const TENANT_ID = /^[A-Za-z0-9._:@+=-]{1,256}$/;
export const TENANT_ID_RULE = "1-256 characters of letters, digits and '. _ - : @ + =', not only dots";

export function validateTenantId(id: string): string {
  if (!TENANT_ID.test(id) || /^\.+$/.test(id)) {
    const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}...` : id);
    throw stratusError('TENANT_ID_INVALID', { shown, rule: TENANT_ID_RULE });
  }
  return id;
}

/** A PER_TENANT function needs a tenant id on every call; any other function must not get one. */
export function checkTenancy(functionName: string, mode: 'PER_TENANT' | undefined, tenantId: string | undefined): void {
  if (mode === 'PER_TENANT' && tenantId === undefined) {
    throw stratusError('TENANT_ID_REQUIRED', { name: functionName });
  }
  if (mode === undefined && tenantId !== undefined) {
    throw stratusError('TENANT_ID_UNEXPECTED', { name: functionName });
  }
}
