/**
 * Issuing and using a link: the token, the signer and the live-links store put together.
 * Issue: throttle and replace in the store first (no KMS call for a throttled request), then
 * sign. Use: parse and check the signature in memory, then one conditional delete.
 */
import type { Deadline } from "../../aws/clients";
import type { LinkSigner, PublicKeySource } from "./link-signer";
import { signatureCheck } from "./link-signer";
import { type LiveLinkStore, nonceKey } from "./live-link-store";
import {
  checkToken,
  encodePayload,
  joinToken,
  type LinkPayload,
  newNonce,
  nonceHash,
  type TokenVerdict,
} from "./token";

/** Whose link it is. */
export interface LinkSubject {
  readonly pool: string;
  readonly user: string;
  readonly sub: string;
}

/** What issuing gave. */
export type IssueResult =
  | { readonly outcome: "issued"; readonly url: string; readonly expiresAt: number }
  | { readonly outcome: "throttled" };

/**
 * Issue a link for `subject` at `nowMs`: `<baseUrl>#<token>`, valid `ttlSeconds`, unless the
 * user's last link is younger than `throttleSeconds` (then nothing is signed or stored).
 */
export async function issueLink(
  deps: { readonly signer: LinkSigner; readonly store: LiveLinkStore },
  subject: LinkSubject,
  settings: {
    readonly baseUrl: string;
    readonly ttlSeconds: number;
    readonly throttleSeconds: number;
  },
  nowMs: number,
  deadline?: Deadline,
): Promise<IssueResult> {
  const iat = Math.floor(nowMs / 1000);
  const payload: LinkPayload = {
    v: 1,
    pool: subject.pool,
    user: subject.user,
    sub: subject.sub,
    iat,
    exp: iat + settings.ttlSeconds,
    nonce: newNonce(),
  };
  const stored = await deps.store.issue(
    nonceKey(subject.pool, subject.user),
    { nonceHash: nonceHash(payload.nonce), issuedAt: iat, expiresAt: payload.exp },
    settings.throttleSeconds,
    deadline,
  );
  if (stored === "throttled") return { outcome: "throttled" };
  const segment = encodePayload(payload);
  const signature = await deps.signer.sign(Buffer.from(segment, "ascii"), deadline);
  return {
    outcome: "issued",
    url: `${settings.baseUrl}#${joinToken(segment, signature)}`,
    expiresAt: payload.exp * 1000,
  };
}

/** Why a link answer was accepted or not (logged; never the token). */
export type LinkVerdict = TokenVerdict | "used-or-replaced";

/**
 * Use a link: the token checked against the event's pool, user and sub with the public key
 * (in memory after the first call), then consumed atomically. Of two concurrent uses exactly
 * one gets `valid`; a second use, an older link, or an expired one gets a refusal.
 */
export async function useLink(
  deps: { readonly publicKey: PublicKeySource; readonly store: LiveLinkStore },
  token: unknown,
  expected: { readonly pool: string; readonly user: string; readonly sub: string | undefined },
  nowMs: number,
  deadline?: Deadline,
): Promise<LinkVerdict> {
  const key = await deps.publicKey.get(deadline);
  const { verdict, payload } = checkToken(token, signatureCheck(key), { ...expected, nowMs });
  if (verdict !== "valid" || payload === undefined) return verdict;
  const consumed = await deps.store.consume(
    nonceKey(payload.pool, payload.user),
    nonceHash(payload.nonce),
    nowMs,
    deadline,
  );
  return consumed === "consumed" ? "valid" : "used-or-replaced";
}
