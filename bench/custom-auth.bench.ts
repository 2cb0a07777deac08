/**
 * custom-auth micro-benchmarks: the define-auth decision (longest legitimate
 * session) and the verify compare path (trim, digit check, HMAC-SHA-256,
 * timingSafeEqual). Both are on every sign-in step; target < 50 us per call.
 */
import { checkAnswer, encodeMetadata, hashCode } from "../shared/custom-auth/code";
import { loadDefineAuthConfig } from "../shared/custom-auth/config";
import { decideNextStep } from "../shared/custom-auth/define";
import type { SessionEntry } from "../shared/custom-auth/session";
import { type BenchRow, formatMicros, medianMicros } from "./lib";

const TARGET_US = 50;

/** Run the custom-auth benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const config = loadDefineAuthConfig({});
  const now = Date.now();
  const state = hashCode("424242", now + 180_000);
  // The code results carry the metadata our create step writes (define refuses them otherwise).
  const challengeMetadata = encodeMetadata(state);
  const session: SessionEntry[] = [
    { challengeName: "SRP_A", challengeResult: true },
    { challengeName: "PASSWORD_VERIFIER", challengeResult: true },
    { challengeName: "CUSTOM_CHALLENGE", challengeResult: false, challengeMetadata },
    { challengeName: "CUSTOM_CHALLENGE", challengeResult: true, challengeMetadata },
  ];
  const input = {
    session,
    clientId: "bench-client",
    clientMetadata: { authFlow: "password-code" },
    eligible: true,
    maxAttempts: config.maxAttempts,
    flows: config.flows,
  };
  // Measure the successful path: a refusal would be a different (shorter) path.
  const decision = decideNextStep(input);
  if (decision.kind !== "allow") throw new Error(`bench session was not allowed: ${decision.kind}`);
  const define = await medianMicros(() => decideNextStep(input));

  const verify = await medianMicros(() => checkAnswer(state, " 424243 ", now));

  return [
    {
      name: "custom-auth: define decision (password + 2 answers)",
      value: formatMicros(define),
      target: `< ${TARGET_US} us`,
      ok: define < TARGET_US,
    },
    {
      name: "custom-auth: verify compare (HMAC + timingSafeEqual)",
      value: formatMicros(verify),
      target: `< ${TARGET_US} us`,
      ok: verify < TARGET_US,
    },
  ];
}
