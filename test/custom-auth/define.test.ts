/** The define-auth-challenge state machine as a pure function, and its handler's response. */
import { encodeMetadata, hashCode } from "../../shared/custom-auth/code";
import { type FlowPolicy, loadDefineAuthConfig } from "../../shared/custom-auth/config";
import {
  type DefineInput,
  decideNextStep,
  maxSessionLength,
} from "../../shared/custom-auth/define";
import { createDefineAuthChallengeHandler } from "../../shared/custom-auth/handlers";
import type { SessionEntry } from "../../shared/custom-auth/session";
import { readSession, recipientOf } from "../../shared/custom-auth/session";
import type { DefineAuthChallengeTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

const ALL: FlowPolicy = {
  passwordlessClientIds: new Set(),
  passwordCodeClientIds: new Set(),
  defaultFlows: new Set(["passwordless", "password-code"]),
};
// What our create step puts in challengeMetadata, and Cognito carries into the session.
const METADATA = encodeMetadata(hashCode("424242", 4_102_444_800_000));
const cc = (ok: boolean, challengeMetadata: string = METADATA): SessionEntry => ({
  challengeName: "CUSTOM_CHALLENGE",
  challengeResult: ok,
  challengeMetadata,
});
/** A code result without challengeMetadata: not one our create step issued. */
const bare = (ok: boolean): SessionEntry => ({
  challengeName: "CUSTOM_CHALLENGE",
  challengeResult: ok,
});
const SRP: SessionEntry = { challengeName: "SRP_A", challengeResult: true };
const pv = (ok: boolean): SessionEntry => ({
  challengeName: "PASSWORD_VERIFIER",
  challengeResult: ok,
});

function input(session: SessionEntry[], extra: Partial<DefineInput> = {}): DefineInput {
  return {
    session,
    clientId: "client-a",
    clientMetadata: {},
    eligible: true,
    maxAttempts: 3,
    flows: ALL,
    ...extra,
  };
}

describe("decideNextStep", () => {
  it.each<[string, SessionEntry[], unknown]>([
    [
      "empty session: send a code",
      [],
      {
        kind: "challenge",
        step: "send-code",
        challengeName: "CUSTOM_CHALLENGE",
        flow: "passwordless",
      },
    ],
    [
      "one wrong: retry",
      [cc(false)],
      { kind: "challenge", step: "retry-code", challengeName: "CUSTOM_CHALLENGE" },
    ],
    ["two wrong: retry", [cc(false), cc(false)], { kind: "challenge", step: "retry-code" }],
    ["correct: tokens", [cc(true)], { kind: "allow", step: "issue-tokens", flow: "passwordless" }],
    ["wrong, correct: tokens", [cc(false), cc(true)], { kind: "allow" }],
    ["two wrong, correct: tokens", [cc(false), cc(false), cc(true)], { kind: "allow" }],
    [
      "three wrong: fail",
      [cc(false), cc(false), cc(false)],
      { kind: "deny", reason: "too-many-attempts" },
    ],
    [
      "four entries, last correct: fail",
      [cc(false), cc(false), cc(false), cc(true)],
      { kind: "deny", reason: "too-many-attempts" },
    ],
    [
      "correct then more: out of order",
      [cc(true), cc(false)],
      { kind: "deny", reason: "out-of-order" },
    ],
    [
      "SRP_A: ask for the password",
      [SRP],
      {
        kind: "challenge",
        step: "check-password",
        challengeName: "PASSWORD_VERIFIER",
        flow: "password-code",
      },
    ],
    [
      "password ok: send a code",
      [SRP, pv(true)],
      {
        kind: "challenge",
        step: "send-code",
        challengeName: "CUSTOM_CHALLENGE",
        flow: "password-code",
      },
    ],
    ["password wrong: fail", [SRP, pv(false)], { kind: "deny", reason: "password-incorrect" }],
    [
      "password ok, correct code: tokens",
      [SRP, pv(true), cc(true)],
      { kind: "allow", flow: "password-code" },
    ],
    [
      "password ok, three wrong: fail",
      [SRP, pv(true), cc(false), cc(false), cc(false)],
      { kind: "deny", reason: "too-many-attempts" },
    ],
    [
      "SRP_A then code without password: out of order",
      [SRP, cc(true)],
      { kind: "deny", reason: "out-of-order" },
    ],
    ["PASSWORD_VERIFIER first: out of order", [pv(true)], { kind: "deny", reason: "out-of-order" }],
    [
      "password in the code phase: out of order",
      [cc(false), pv(true)],
      { kind: "deny", reason: "out-of-order" },
    ],
    ["SRP_A twice: out of order", [SRP, SRP], { kind: "deny", reason: "out-of-order" }],
    [
      "unknown challenge: fail",
      [{ challengeName: "SMS_MFA", challengeResult: true }],
      { kind: "deny", reason: "out-of-order" },
    ],
    [
      "SRP_A false: fail",
      [{ challengeName: "SRP_A", challengeResult: false }],
      { kind: "deny", reason: "out-of-order" },
    ],
    [
      "malformed entry: fail",
      readSession([{ challengeName: 5 }]),
      { kind: "deny", reason: "out-of-order" },
    ],
  ])("%s", (_name, session, expected) => {
    expect(decideNextStep(input(session))).toMatchObject(expected as object);
  });

  it.each<[string, SessionEntry[]]>([
    ["no metadata", [bare(true)]],
    ["foreign metadata", [cc(true, "CODE-424242")]],
    ["empty metadata", [cc(true, "")]],
    ["truncated hash", [cc(true, METADATA.slice(0, -2))]],
    ["another version", [cc(true, METADATA.replace("OTP1.", "OTP2."))]],
    ["metadata on the wrong answer only", [cc(false), bare(true)]],
    ["a wrong answer without metadata", [bare(false), cc(true)]],
    ["no metadata after the password", [SRP, pv(true), bare(true)]],
  ])("a code result our create step never issued (%s) gets no tokens", (_name, session) => {
    expect(decideNextStep(input(session))).toEqual({ kind: "deny", reason: "code-not-issued" });
  });

  it("never issues tokens to an ineligible user, even after a correct result", () => {
    expect(decideNextStep(input([cc(true)], { eligible: false }))).toEqual({
      kind: "deny",
      reason: "not-eligible",
    });
    expect(decideNextStep(input([], { eligible: false }))).toMatchObject({ kind: "challenge" });
  });

  it("applies the flows allowed per app client, and the default for unlisted clients", () => {
    const policy: FlowPolicy = {
      passwordlessClientIds: new Set(["web"]),
      passwordCodeClientIds: new Set(["admin", "web"]),
      defaultFlows: new Set(),
    };

    expect(decideNextStep(input([], { clientId: "web", flows: policy }))).toMatchObject({
      kind: "challenge",
    });
    expect(decideNextStep(input([SRP], { clientId: "web", flows: policy }))).toMatchObject({
      kind: "challenge",
    });
    expect(decideNextStep(input([], { clientId: "admin", flows: policy }))).toEqual({
      kind: "deny",
      reason: "flow-not-allowed",
    });
    expect(decideNextStep(input([SRP], { clientId: "admin", flows: policy }))).toMatchObject({
      kind: "challenge",
    });
    expect(decideNextStep(input([], { clientId: "other", flows: policy }))).toEqual({
      kind: "deny",
      reason: "flow-not-allowed",
    });
  });

  it("validates clientMetadata.authFlow", () => {
    expect(decideNextStep(input([], { clientMetadata: { authFlow: "magic" } }))).toEqual({
      kind: "deny",
      reason: "invalid-client-metadata",
    });
    expect(decideNextStep(input([SRP], { clientMetadata: { authFlow: "passwordless" } }))).toEqual({
      kind: "deny",
      reason: "flow-mismatch",
    });
    expect(
      decideNextStep(input([SRP], { clientMetadata: { authFlow: "password-code" } })),
    ).toMatchObject({
      kind: "challenge",
    });
    expect(decideNextStep(input([], { clientMetadata: { other: "x" } }))).toMatchObject({
      kind: "challenge",
    });
  });

  it("lets clientMetadata.authFlow pick only among the client's allowed flows", () => {
    const policy: FlowPolicy = {
      passwordlessClientIds: new Set(["kiosk"]),
      passwordCodeClientIds: new Set(),
      defaultFlows: new Set(["password-code"]),
    };
    const passwordDone = [SRP, pv(true), cc(true)];

    expect(
      decideNextStep(
        input(passwordDone, { flows: policy, clientMetadata: { authFlow: "passwordless" } }),
      ),
    ).toEqual({ kind: "deny", reason: "flow-not-allowed" });
    expect(
      decideNextStep(
        input([cc(true)], {
          clientId: "kiosk",
          flows: policy,
          clientMetadata: { authFlow: "password-code" },
        }),
      ),
    ).toEqual({ kind: "deny", reason: "flow-not-allowed" });
    expect(
      decideNextStep(
        input(passwordDone, { flows: policy, clientMetadata: { authFlow: "password-code" } }),
      ),
    ).toMatchObject({ kind: "allow", flow: "password-code" });
  });

  it("respects the configured attempt limit", () => {
    expect(decideNextStep(input([cc(false)], { maxAttempts: 1 }))).toEqual({
      kind: "deny",
      reason: "too-many-attempts",
    });
    expect(
      decideNextStep(input([cc(false), cc(false), cc(false), cc(false)], { maxAttempts: 5 })),
    ).toMatchObject({
      kind: "challenge",
    });
  });

  it("computes the longest session of each flow", () => {
    expect(maxSessionLength("passwordless", 3)).toBe(3);
    expect(maxSessionLength("password-code", 3)).toBe(5);
  });
});

describe("readSession", () => {
  it("accepts what Cognito sends, including null metadata, and marks malformed entries", () => {
    expect(readSession(null)).toEqual([]);
    expect(
      readSession([
        { challengeName: "SRP_A", challengeResult: true, challengeMetadata: null },
        { challengeName: "CUSTOM_CHALLENGE", challengeResult: false, challengeMetadata: "m" },
        null,
        { challengeName: "CUSTOM_CHALLENGE", challengeResult: "true" },
      ]),
    ).toEqual([
      { challengeName: "SRP_A", challengeResult: true, challengeMetadata: undefined },
      { challengeName: "CUSTOM_CHALLENGE", challengeResult: false, challengeMetadata: "m" },
      { challengeName: "INVALID", challengeResult: false },
      { challengeName: "INVALID", challengeResult: false },
    ]);
  });
});

describe("define handler", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  const handler = createDefineAuthChallengeHandler({
    config: loadDefineAuthConfig({ CUSTOM_AUTH_DEFAULT_FLOWS: "passwordless,password-code" }),
    logger: createLogger("defineAuthChallenge"),
  });

  it.each([
    ["custom-auth-define-correct", "passwordless"],
    ["custom-auth-define-password-code-correct", "password-code"],
  ])("%s: a correct result without our challengeMetadata fails (%s)", async (name) => {
    // Prepare: the same session with the metadata of every code result removed or forged.
    const stripped = loadEvent<DefineAuthChallengeTriggerEvent>(name);
    for (const entry of stripped.request.session) {
      if (entry.challengeName === "CUSTOM_CHALLENGE") delete entry.challengeMetadata;
    }
    const forged = loadEvent<DefineAuthChallengeTriggerEvent>(name);
    for (const entry of forged.request.session) {
      if (entry.challengeName === "CUSTOM_CHALLENGE") entry.challengeMetadata = "CODE-123456";
    }

    // Act
    const original = await handler(loadEvent(name));
    const results = [await handler(stripped), await handler(forged)];

    // Assess
    expect(original.response).toEqual({
      challengeName: undefined,
      issueTokens: true,
      failAuthentication: false,
    });
    for (const result of results) {
      expect(result.response).toEqual({
        challengeName: undefined,
        issueTokens: false,
        failAuthentication: true,
      });
    }
    expect(output.jsonLines().filter((l) => l.reason === "code-not-issued")).toHaveLength(2);
  });
});

describe("recipientOf", () => {
  const policy = { requireVerifiedEmail: true };
  const user = (email: string) => ({
    userNotFound: false,
    userAttributes: { "cognito:user_status": "CONFIRMED", email, email_verified: "true" },
  });

  it("delivers to one plain address, trimmed", () => {
    expect(recipientOf(user(" jane.doe+otp@example.com "), policy)).toEqual({
      kind: "deliver",
      email: "jane.doe+otp@example.com",
    });
  });

  it.each([
    "jane@example.com,evil@example.net",
    "jane@example.com;evil@example.net",
    "jane@example.com evil@example.net",
    "jane@example.com\r\nBcc: evil@example.net",
    "Jane <jane@example.com>",
    '"jane doe"@example.com',
    "jane@@example.com",
    "@example.com",
    "jane@",
  ])("never sends to %j: not one plain address (pretend, no-email)", (email) => {
    expect(recipientOf(user(email), policy)).toEqual({ kind: "pretend", reason: "no-email" });
  });
});
