/** @module Lambda's log framing around an invocation (START, END, REPORT) and the 4 KB tail it returns. */

const TAIL_BYTES = 4096;

export interface ReportFields {
  requestId: string;
  version: string;
  durationMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number;
  initDurationMs: number;
}

export function frameLog(body: string, r: ReportFields): string {
  const init = r.initDurationMs > 0 ? `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms` : '';
  return (
    `START RequestId: ${r.requestId} Version: ${r.version}\n` +
    body +
    `END RequestId: ${r.requestId}\n` +
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms\t` +
    `Memory Size: ${r.memoryMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB${init}\t\n`
  );
}

/** The last 4 KB of the log, base64, as X-Amz-Log-Result (cut on a UTF-8 boundary). */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  if (bytes.length <= TAIL_BYTES) return bytes.toString('base64');
  let start = bytes.length - TAIL_BYTES;
  // Skip continuation bytes so the tail starts on a whole character.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('base64');
}
