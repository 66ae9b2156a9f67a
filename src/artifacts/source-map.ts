/**
 * @module Source maps of stored bundles: a stored bundle is the code an engine runs, then (after a
 * marker line the bundler writes) its source map; traces and log lines that point into the bundle
 * (/var/task/index.js:line:column) are mapped back to the user's own files and lines, and Stratus's
 * own frames are left out. Maps are decoded only when an error or a log line needs one, and a few
 * are kept (by bundle) for the next error.
 */
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

/** Written by the bundler (build-worker.js) between the code and its map. */
const SOURCE_MAP_MARKER = '\n//# stratus:source-map=';
/** Frames of the guest runtime: Stratus's, not the user's. */
const RUNTIME_FRAME = /\bstratus:runtime:\d+/;
const BUNDLE_POSITION = /\/var\/task\/index\.js:(\d+):(\d+)/g;
/** Decoded maps kept at once. */
const MAX_MAPS = 32;

/** The code to run and, if the bundle has one, its source map's text. */
export function splitBundle(stored: string): { code: string; map?: string } {
  const at = stored.lastIndexOf(SOURCE_MAP_MARKER);
  if (at < 0) return { code: stored };
  return { code: stored.slice(0, at), map: stored.slice(at + SOURCE_MAP_MARKER.length) };
}

export interface TraceMapper {
  /** Trace lines with bundle positions mapped to the user's files, and the runtime's own frames left out. */
  trace(bundleSha256: string, mapText: string | undefined, lines: readonly string[]): string[];
  /** Text (a log, an error message) with every bundle position in it mapped. */
  text(bundleSha256: string, mapText: string | undefined, text: string): string;
}

export function createTraceMapper(): TraceMapper {
  const maps = new Map<string, TraceMap | null>();

  function mapOf(sha: string, mapText: string | undefined): TraceMap | null {
    let map = maps.get(sha);
    if (map !== undefined) {
      maps.delete(sha);
      maps.set(sha, map);
      return map;
    }
    try {
      map = mapText === undefined ? null : new TraceMap(mapText);
    } catch {
      map = null;
    }
    if (maps.size >= MAX_MAPS) maps.delete(maps.keys().next().value as string);
    maps.set(sha, map);
    return map;
  }

  function mapPositions(map: TraceMap, text: string): string {
    return text.replace(BUNDLE_POSITION, (whole, line: string, column: string) => {
      const pos = originalPositionFor(map, { line: Number(line), column: Math.max(0, Number(column) - 1) });
      if (pos.source === null || pos.line === null || pos.column === null) return whole;
      // Sources are relative to the bundle, which sits at the package root: /var/task/<source>.
      const file = pos.source.startsWith('node:') ? pos.source : `/var/task/${pos.source.replace(/^\.\//, '')}`;
      return `${file}:${pos.line}:${pos.column + 1}`;
    });
  }

  return {
    trace(sha, mapText, lines) {
      const map = mapOf(sha, mapText);
      const own = lines.filter((line) => !RUNTIME_FRAME.test(line));
      return map === null ? own : own.map((line) => mapPositions(map, line));
    },
    text(sha, mapText, text) {
      if (!text.includes('/var/task/index.js:')) return text;
      const map = mapOf(sha, mapText);
      return map === null ? text : mapPositions(map, text);
    },
  };
}
