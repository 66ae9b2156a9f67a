/** @module The one rule both adapters' migrations share: never touch a database a newer Stratus migrated. */

/** Thrown before anything is written: the database's schema is ahead of the migrations this Stratus knows. */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`was migrated by a newer Stratus (schema version ${found}; this Stratus knows up to ${known})`);
    this.name = 'NewerSchemaError';
  }
}

/** Checks the applied migration ids against the newest known one; throws NewerSchemaError when the database is ahead. */
export function refuseNewerSchema(applied: readonly number[], known: readonly { id: number }[]): void {
  const found = Math.max(0, ...applied);
  const newest = Math.max(0, ...known.map((m) => m.id));
  if (found > newest) throw new NewerSchemaError(found, newest);
}
