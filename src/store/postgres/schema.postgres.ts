/** @module The PostgreSQL tables as Kysely sees them: one interface per table, column names as in SQL. */
import type { Generated } from 'kysely';

export interface Database {
  schema_migrations: { id: number; name: string; applied_at: string };
  accounts: { id: string; name: string; is_admin: boolean; created_at: string };
  access_keys: { access_key_id: string; secret_access_key: string; account_id: string; created_at: string; seq: Generated<string> };
  functions: { account_id: string; name: string; last_version: Generated<number>; created_at: string };
  function_versions: {
    account_id: string;
    function_name: string;
    version: string;
    version_num: number;
    revision_id: string;
    /** Copied out of the record by the adapter, so code collection needs no JSON operator. */
    code_sha256: string;
    bundle_sha256: string;
    /** The whole record as JSON text: read back exactly as written, whatever its strings hold. */
    record: string;
  };
  aliases: { account_id: string; function_name: string; name: string; function_version: string; revision_id: string; record: string };
  tenancy_limits: { account_id: string; function_name: string; limits: string; revision_id: string };
  code_zips: { code_sha256: string; zip: Buffer };
  code_bundles: { bundle_sha256: string; bundle: string };
  /** stored_at is a bigint, only ever written and compared as a number (the driver would read it back as text). */
  code_recent_puts: { kind: 'zip' | 'bundle'; sha: string; stored_at: number };
}
