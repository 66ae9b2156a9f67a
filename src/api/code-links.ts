/** @module Short-lived HMAC-signed download links for code packages (GetFunction's Code.Location). */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const LINK_TTL_MS = 10 * 60 * 1000;

export function createCodeLinks(key: Buffer = randomBytes(32)) {
  const mac = (sha: string, expires: string) => createHmac('sha256', key).update(`${sha}\n${expires}`).digest('hex');
  return {
    sign(sha: string, now: number): string {
      const expires = String(now + LINK_TTL_MS);
      return `expires=${expires}&signature=${mac(sha, expires)}`;
    },
    verify(sha: string, expires: string, signature: string, now: number): boolean {
      if (!/^\d+$/.test(expires) || Number(expires) < now || !/^[0-9a-f]{64}$/.test(signature)) return false;
      return timingSafeEqual(Buffer.from(mac(sha, expires)), Buffer.from(signature));
    },
  };
}
