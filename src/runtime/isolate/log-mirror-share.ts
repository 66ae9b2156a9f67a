/** @module The one value the host puts into an isolate: the log mirror, a SharedArrayBuffer of plain bytes (no host object, no function), handed to the guest runtime's `init` and kept private to it. */
import { isolatedVm, type IsolatedVM } from './ivm.ts';

export function shareLogMirror(mirror: SharedArrayBuffer): IsolatedVM.Copy<SharedArrayBuffer> {
  // A SharedArrayBuffer is shared, not copied: the host reads what the guest's log buffer wrote.
  const ivm = isolatedVm();
  return new ivm.ExternalCopy(mirror).copyInto({ release: true });
}
