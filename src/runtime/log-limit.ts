/** @module Host-side bound on an invocation's logs: the guest bounds them too, but the host never trusts it to. */
import { Buffer } from 'node:buffer';

/** Appends log chunks up to maxBytes (UTF-8), then drops the rest and says so once. */
export class LogLimit {
  private readonly chunks: string[] = [];
  private bytes = 0;
  private truncated = false;

  constructor(private readonly maxBytes: number) {}

  append(chunk: string): void {
    if (chunk.length === 0 || this.truncated) return;
    // Room is kept for the notice, so the total never passes maxBytes.
    const notice = `[stratus] log output truncated at ${this.maxBytes} bytes\n`;
    const room = this.maxBytes - notice.length - this.bytes;
    // UTF-8 never takes fewer bytes than UTF-16 units, so a chunk this long cannot fit.
    const size = chunk.length > room ? room + 1 : Buffer.byteLength(chunk);
    if (size <= room) {
      this.chunks.push(chunk);
      this.bytes += size;
      return;
    }
    this.truncated = true;
    const keep = Math.max(0, room);
    // Cut at a line end so no half line (or half character) is kept.
    const head = Buffer.from(chunk.slice(0, keep)).subarray(0, keep).toString('utf8');
    const whole = head.slice(0, head.lastIndexOf('\n') + 1);
    this.chunks.push(whole, notice);
    this.bytes += Buffer.byteLength(whole) + notice.length;
  }

  text(): string {
    return this.chunks.join('');
  }
}
