/** @module Record helpers every adapter shares: one page of a listing, which aliases route to a version, what PublishVersion writes. */
import { decodeMarker, encodeMarker } from './marker.ts';
import type { AliasRecord, FunctionVersionRecord, Page, PublishRequest } from './ports.ts';

/** Adapters fetch `limit + 1` rows: the extra one only says that another page follows. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (r: T) => string | number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined ? { items, nextMarker: encodeMarker(keyOf(last)) } : { items };
}

/** The name after which a page by name starts ('' for the first page). */
export function nameAfter(marker: string | undefined): string {
  return marker === undefined ? '' : String(decodeMarker(marker));
}

/** The version number after which a page of versions starts (-1 for the first page: $LATEST is 0). */
export function versionAfter(marker: string | undefined): number {
  return marker === undefined ? -1 : Number(decodeMarker(marker));
}

/** $LATEST sorts first as 0, published versions by their number. */
export const versionNumber = (version: string): number => (version === '$LATEST' ? 0 : Number(version));

/**
 * Whether the alias routes any share of its invocations to this version. Done here rather than in
 * SQL: a function has few aliases, and no adapter then needs its own dialect of JSON queries.
 */
export function routesTo(alias: AliasRecord, version: string): boolean {
  return alias.functionVersion === version || Object.hasOwn(alias.additionalVersionWeights, version);
}

/**
 * The version PublishVersion writes: $LATEST's code and configuration under its new number (an empty
 * description keeps $LATEST's). The function's tags stay on $LATEST: they are not part of a version.
 */
export function publishedVersion(latest: FunctionVersionRecord, num: number, req: Pick<PublishRequest, 'description' | 'revisionId' | 'lastModified'>): FunctionVersionRecord {
  const { tags: _functionLevel, ...config } = latest;
  return { ...config, version: String(num), description: req.description || latest.description, revisionId: req.revisionId, lastModified: req.lastModified };
}
