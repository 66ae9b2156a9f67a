/** @module Short-lived HMAC-signed download links for code packages (GetFunction's Code.Location), each bound to the function it was issued for. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const LINK_TTL_MS = 10 * 60 * 1000;

/** What a link lets its holder download: this code, while this function of this account still has it. */
export interface CodeLinkTarget {
  accountId: string;
  functionName: string;
  codeSha256: string;
}

export interface CodeLinks {
  /** The query string (account, function, expiry, signature) of a link to the target's code. */
  sign(target: CodeLinkTarget, now: number): string;
  /** Whether the signature covers exactly this target and expiry, and the link has not expired. */
  verify(target: CodeLinkTarget, expires: string, signature: string, now: number): boolean;
}

/** The key is random per process: links die with a restart, as a presigned URL dies with its credentials. */
export function createCodeLinks(key: Buffer = randomBytes(32)): CodeLinks {
  // Everything the download route trusts is signed; JSON keeps the fields apart whatever they contain,
  // and the tag keeps these MACs from ever matching one made for another purpose or link format.
  const mac = (t: CodeLinkTarget, expires: string) =>
    createHmac('sha256', key)
      .update(JSON.stringify(['stratus-code-link/2', t.accountId, t.functionName, t.codeSha256, expires]))
      .digest('hex');
  return {
    sign(target, now) {
      const expires = String(now + LINK_TTL_MS);
      const q = new URLSearchParams({ account: target.accountId, function: target.functionName, expires, signature: mac(target, expires) });
      return q.toString();
    },
    verify(target, expires, signature, now) {
      if (!/^\d+$/.test(expires) || Number(expires) < now || !/^[0-9a-f]{64}$/.test(signature)) return false;
      return timingSafeEqual(Buffer.from(mac(target, expires)), Buffer.from(signature));
    },
  };
}
