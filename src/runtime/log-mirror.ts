/**
 * @module The log mirror: a small buffer shared with the guest runtime, holding the first log lines
 * written during the current call into the guest (a 4-byte length, then UTF-8). The host empties it
 * before each call and reads it only when a call ended without a report (a guest it had to stop, an
 * unhandled rejection); what it reads is guest-written bytes, so it is bounded, decoded leniently
 * and cut at the last whole line.
 */

/** Enough for the lines a handler writes before it spins; small enough to keep per environment. */
export const LOG_MIRROR_BYTES = 8 * 1024;

export function createLogMirror(): SharedArrayBuffer {
  return new SharedArrayBuffer(LOG_MIRROR_BYTES);
}

/** Empties the mirror: called before each call into the guest, never while one runs. */
export function clearLogMirror(mirror: SharedArrayBuffer): void {
  new Int32Array(mirror, 0, 1)[0] = 0;
}

/** The whole lines the mirror holds now. */
export function readLogMirror(mirror: SharedArrayBuffer): string {
  const length = new Int32Array(mirror, 0, 1)[0] ?? 0;
  const end = 4 + Math.max(0, Math.min(length, mirror.byteLength - 4));
  const text = Buffer.from(new Uint8Array(mirror, 4, end - 4)).toString('utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1);
}
