/**
 * fast-check properties of the custom-auth state machine:
 * - tokens are never issued unless the last result is a correct code answer
 *   within the attempt limit (and, in the password flow, after a correct password);
 * - the session never exceeds the limit.
 * Checked on the pure decision over arbitrary sessions and over sessions shaped
 * like sign-ins (where the limit matters), and on whole sign-ins through the
 * handlers with arbitrary answer sequences.
 */
import fc from "fast-check";
import {
  checkAnswer,
  decodeMetadata,
  encodeMetadata,
  hashCode,
  toPrivateParameters,
} from "../../shared/custom-auth/code";
import { type FlowPolicy, loadVerifyAuthConfig } from "../../shared/custom-auth/config";
import { decideNextStep, maxSessionLength } from "../../shared/custom-auth/define";
import { createVerifyAuthChallengeHandler } from "../../shared/custom-auth/handlers";
import type { SessionEntry } from "../../shared/custom-auth/session";
import { createLogger } from "../../shared/logger";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { CustomAuthHarness, JANE } from "./harness";

const ALL: FlowPolicy = {
  passwordlessClientIds: new Set(),
  passwordCodeClientIds: new Set(),
  defaultFlows: new Set(["passwordless", "password-code"]),
};

// challengeMetadata as our create step writes it (what Cognito carries for our codes).
const OURS = encodeMetadata(hashCode("424242", 4_102_444_800_000));
const metadata = fc.oneof(
  { weight: 4, arbitrary: fc.constant(OURS) },
  fc.constant(undefined),
  fc.constantFrom("", "CODE-424242", OURS.slice(0, -2), OURS.replace("OTP1.", "OTP2.")),
  fc.string({ maxLength: 100 }),
);

const entry = fc.record({
  challengeName: fc.constantFrom(
    "SRP_A",
    "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE",
    "SMS_MFA",
    "DEVICE_SRP_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "INVALID",
  ),
  challengeResult: fc.boolean(),
  challengeMetadata: metadata,
});
const session = fc.array(entry, { maxLength: 14 }) as fc.Arbitrary<SessionEntry[]>;

const cc = (challengeResult: boolean): SessionEntry => ({
  challengeName: "CUSTOM_CHALLENGE",
  challengeResult,
  challengeMetadata: OURS,
});

/**
 * Sessions shaped like real sign-ins, where the attempt limit matters: an optional
 * [SRP_A, PASSWORD_VERIFIER(result)] prefix, then n code results with n from 0 to
 * maxAttempts + 2. The results are either arbitrary or "all wrong, then the last
 * one arbitrary" (the case a missing limit check would let through), since uniform
 * booleans almost never give a long run of wrong answers ending in a right one.
 */
const shapedSession = fc.integer({ min: 1, max: 10 }).chain((maxAttempts) =>
  fc.record({
    maxAttempts: fc.constant(maxAttempts),
    session: fc
      .tuple(
        fc.option(fc.boolean(), { nil: undefined }),
        fc.integer({ min: 0, max: maxAttempts + 2 }).chain((n) =>
          fc.oneof(
            fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            fc
              .boolean()
              .map((last) => (n === 0 ? [] : [...Array<boolean>(n - 1).fill(false), last])),
          ),
        ),
      )
      .map(([password, results]): SessionEntry[] => [
        ...(password === undefined
          ? []
          : [
              { challengeName: "SRP_A", challengeResult: true },
              { challengeName: "PASSWORD_VERIFIER", challengeResult: password },
            ]),
        ...results.map(cc),
      ]),
  }),
);

/** A session that a well-formed sign-in would reach, by flow: tokens allowed only here. */
function isLegitimateSuccess(s: readonly SessionEntry[], maxAttempts: number): boolean {
  const passwordFlow = s[0]?.challengeName === "SRP_A";
  const prefix = passwordFlow ? 2 : 0;
  if (
    passwordFlow &&
    !(s[0]?.challengeResult && s[1]?.challengeName === "PASSWORD_VERIFIER" && s[1].challengeResult)
  ) {
    return false;
  }
  const answers = s.slice(prefix);
  return (
    answers.length >= 1 &&
    answers.length <= maxAttempts &&
    answers.every((a) => a.challengeName === "CUSTOM_CHALLENGE") &&
    answers.every((a) => decodeMetadata(a.challengeMetadata) !== undefined) &&
    answers.slice(0, -1).every((a) => !a.challengeResult) &&
    answers.at(-1)?.challengeResult === true
  );
}

describe("properties of the define-auth decision", () => {
  it("issues tokens only when the last result is a correct answer within the limit", () => {
    fc.assert(
      fc.property(
        session,
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        (s, maxAttempts, eligible) => {
          const decision = decideNextStep({
            session: s,
            clientId: "c",
            clientMetadata: {},
            eligible,
            maxAttempts,
            flows: ALL,
          });
          if (decision.kind === "allow") {
            expect(eligible).toBe(true);
            expect(isLegitimateSuccess(s, maxAttempts)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("over sign-in-shaped sessions: tokens only for a correct last answer within the limit", () => {
    fc.assert(
      fc.property(shapedSession, fc.boolean(), ({ session: s, maxAttempts }, eligible) => {
        const decision = decideNextStep({
          session: s,
          clientId: "c",
          clientMetadata: {},
          eligible,
          maxAttempts,
          flows: ALL,
        });
        const legitimate = isLegitimateSuccess(s, maxAttempts);
        if (decision.kind === "allow") {
          expect(eligible).toBe(true);
          expect(legitimate).toBe(true);
        }
        // And the converse: a legitimate success of an eligible user is never refused.
        if (legitimate && eligible) expect(decision.kind).toBe("allow");
      }),
      { numRuns: 3000 },
    );
  });

  it("over sign-in-shaped sessions: a challenge only while the next session fits the limit", () => {
    fc.assert(
      fc.property(shapedSession, ({ session: s, maxAttempts }) => {
        const decision = decideNextStep({
          session: s,
          clientId: "c",
          clientMetadata: {},
          eligible: true,
          maxAttempts,
          flows: ALL,
        });
        if (decision.kind === "challenge") {
          expect(s.length + 1).toBeLessThanOrEqual(maxSessionLength(decision.flow, maxAttempts));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("clientMetadata never selects a flow the client is not allowed", () => {
    const flow = fc.constantFrom("passwordless" as const, "password-code" as const);
    fc.assert(
      fc.property(
        shapedSession,
        fc.subarray(["passwordless", "password-code"] as const),
        flow,
        ({ session: s, maxAttempts }, allowed, declared) => {
          const decision = decideNextStep({
            session: s,
            clientId: "c",
            clientMetadata: { authFlow: declared },
            eligible: true,
            maxAttempts,
            flows: { ...ALL, defaultFlows: new Set(allowed) },
          });
          if (!allowed.includes(declared)) expect(decision.kind).toBe("deny");
          if (decision.kind !== "deny") expect(decision.flow).toBe(declared);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("asks for another challenge only while the next session stays within the limit", () => {
    fc.assert(
      fc.property(session, fc.integer({ min: 1, max: 10 }), (s, maxAttempts) => {
        const decision = decideNextStep({
          session: s,
          clientId: "c",
          clientMetadata: {},
          eligible: true,
          maxAttempts,
          flows: ALL,
        });
        if (decision.kind === "challenge") {
          expect(s.length + 1).toBeLessThanOrEqual(maxSessionLength(decision.flow, maxAttempts));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("never issues tokens to a client whose flow is not allowed", () => {
    const none: FlowPolicy = { ...ALL, defaultFlows: new Set() };
    fc.assert(
      fc.property(session, (s) => {
        const decision = decideNextStep({
          session: s,
          clientId: "c",
          clientMetadata: {},
          eligible: true,
          maxAttempts: 3,
          flows: none,
        });
        expect(decision.kind).toBe("deny");
      }),
    );
  });
});

describe("properties of whole sign-ins through the handlers", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  // Each step the client takes: the right code, a wrong code, junk, or waiting past expiry.
  const step = fc.oneof(
    fc.constant({ kind: "right" as const }),
    fc.constant({ kind: "wrong" as const }),
    fc.constant({ kind: "expire" as const }),
    fc.string({ maxLength: 12 }).map((text) => ({ kind: "junk" as const, text })),
  );

  it("tokens only after a correct, live answer within the limit; session within the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.boolean(),
        async (steps, maxAttempts, srp, passwordRight) => {
          const harness = new CustomAuthHarness({
            env: { CUSTOM_AUTH_MAX_ATTEMPTS: String(maxAttempts) },
          });
          const signIn = await harness.signIn("jane.doe@example.com", { srp });
          if (srp) await signIn.password(passwordRight ? JANE.password : "nope");
          const limit = maxSessionLength(srp ? "password-code" : "passwordless", maxAttempts);
          // The model: when the code in the mailbox was sent, and whether the last answer
          // was that code while it was live. Computed here, independently of the handlers.
          let seen = harness.sender.sent.length;
          let sentAt = harness.clock.ms;
          let answers = 0;
          let lastCorrect = false;
          for (const s of steps) {
            if (signIn.outcome.kind !== "challenge") break;
            if (s.kind === "expire") {
              harness.clock.advance(181);
              continue;
            }
            const code = harness.sender.lastCode();
            const wrong = code === "000000" ? "111111" : "000000";
            const answer = s.kind === "right" ? code : s.kind === "wrong" ? wrong : s.text;
            lastCorrect = answer.trim() === code && harness.clock.ms < sentAt + 180_000;
            await signIn.answer(answer);
            answers++;
            if (harness.sender.sent.length !== seen) {
              seen = harness.sender.sent.length;
              sentAt = harness.clock.ms;
            }
            expect(signIn.session.at(-1)?.challengeResult).toBe(lastCorrect);
            expect(signIn.session.length).toBeLessThanOrEqual(limit);
          }
          for (const length of signIn.defineSessionLengths)
            expect(length).toBeLessThanOrEqual(limit);
          if (lastCorrect) expect(signIn.outcome).toEqual({ kind: "tokens" });
          if (signIn.outcome.kind === "tokens") {
            expect(answers).toBeLessThanOrEqual(maxAttempts);
            expect(lastCorrect).toBe(true);
            if (srp) expect(passwordRight).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("properties of the verify step", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  const NOW = Date.UTC(2026, 10, 22);
  const CODE = "042424";
  const state = hashCode(CODE, NOW + 180_000);
  const answers = fc.oneof(
    fc.anything(),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc
      .tuple(fc.stringMatching(/^\s{0,40}$/), fc.stringMatching(/^\s{0,40}$/))
      .map(([before, after]) => `${before}${CODE}${after}`),
    fc.stringMatching(/^\d{1,12}$/),
  );

  it("never throws, and accepts only the code itself (trimmed, within 64 characters)", () => {
    fc.assert(
      fc.property(answers, (answer) => {
        const verdict = checkAnswer(state, answer, NOW);
        const isCode = typeof answer === "string" && answer.length <= 64 && answer.trim() === CODE;
        expect(verdict === "correct").toBe(isCode);
      }),
      { numRuns: 3000 },
    );
  });

  it("the handler answers false for any event part it cannot trust, without throwing", async () => {
    const verify = createVerifyAuthChallengeHandler({
      config: loadVerifyAuthConfig({}),
      logger: createLogger("verifyAuthChallenge"),
      now: () => NOW,
    });
    const params = toPrivateParameters(state);
    await fc.assert(
      fc.asyncProperty(
        answers,
        fc.oneof(
          fc.constant(params),
          fc.anything(),
          fc.dictionary(
            fc.constantFrom("codeHash", "salt", "expiresAt", "codeLength"),
            fc.string(),
          ),
        ),
        fc.oneof(fc.constant({ ...JANE.attributes }), fc.anything()),
        fc.oneof(fc.constant(false), fc.anything()),
        async (challengeAnswer, privateChallengeParameters, userAttributes, userNotFound) => {
          const event = {
            version: "1",
            region: "eu-west-1",
            userPoolId: "eu-west-1_TESTPOOL",
            userName: "jane",
            callerContext: { awsSdkVersion: "x", clientId: "c" },
            triggerSource: "VerifyAuthChallengeResponse_Authentication",
            request: { challengeAnswer, privateChallengeParameters, userAttributes, userNotFound },
            response: {},
          };

          const result = await verify(event as never);

          const trusted =
            privateChallengeParameters === params &&
            userNotFound !== true &&
            typeof userAttributes === "object" &&
            userAttributes !== null &&
            (userAttributes as Record<string, unknown>).email === JANE.attributes.email;
          if (result.response.answerCorrect) {
            expect(trusted).toBe(true);
            expect(checkAnswer(state, challengeAnswer, NOW)).toBe("correct");
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
