/**
 * Magic-link sign-ins through the Cognito harness (ClientMetadata modelled as Cognito passes
 * it): request a link, read it from the mailbox, open it in a new session, sign in; single
 * use, replacement, throttle, expiry, tampered and foreign links, unknown and locked users,
 * the method round's effect on the code flow, and no link in any log line.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  kmsLinkSigner,
  kmsPublicKeySource,
} from "../../../shared/custom-auth/magic-link/kms-link-signer";
import { localLinkSigner } from "../../../shared/custom-auth/magic-link/local-link-signer";
import { localLiveLinkStore } from "../../../shared/custom-auth/magic-link/local-live-link-store";
import { parseToken } from "../../../shared/custom-auth/magic-link/token";
import { localFileAttemptStore } from "../../../shared/lockout/local-attempt-store";
import { type FakeKms, fakeKms } from "../../helpers/kms";
import { type CapturedOutput, captureOutput } from "../../helpers/logs";
import { CustomAuthHarness, type HarnessOptions, JANE, POOL_ID, type SimUser } from "../harness";

const EMAIL = "jane.doe@example.com";
const BASE_URL = "https://app.example.com/sign-in/magic";
const REQUEST = { authFlow: "magic-link", magicLink: "request" };
const USE = { authFlow: "magic-link", magicLink: "use" };

let kms: FakeKms;
let output: CapturedOutput;
beforeEach(() => {
  kms = fakeKms();
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  kms.mock.restore();
});

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), "ml-flow-")), name);
}

/** A harness whose client may use magic links (and the code flows), with KMS mocked for real. */
function harness(options: Partial<HarnessOptions> & { env?: Record<string, string> } = {}) {
  return new CustomAuthHarness({
    clientFlows: ["passwordless", "password-code", "magic-link"],
    ...options,
    env: {
      CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "links",
      CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: kms.keyId,
      CUSTOM_AUTH_MAGIC_LINK_BASE_URL: BASE_URL,
      ...options.env,
    },
    links: {
      signer: kmsLinkSigner(kms.client, kms.keyId),
      publicKey: kmsPublicKeySource(kms.client, kms.keyId),
      store: localLiveLinkStore(tmp("links.json")),
    },
  });
}

const tokenOf = (link: string) => link.slice(link.indexOf("#") + 1);

/** Ask for a link: a new sign-in, the method round answered with `request`. */
async function requestLink(h: CustomAuthHarness, username = EMAIL) {
  const signIn = await h.signIn(username);
  const method = signIn.outcome;
  const after = await signIn.answer("-", { clientMetadata: REQUEST });
  return { signIn, method, after };
}

/** Open a link: a new sign-in for the link's user, `use`, then the token as the answer. */
async function useLink(h: CustomAuthHarness, link: string, username?: string) {
  const user = username ?? parseToken(tokenOf(link))?.payload.user ?? "";
  const signIn = await h.signIn(user);
  await signIn.answer("-", { clientMetadata: USE });
  const sent = h.sender.sent.length;
  const result = await signIn.answer(tokenOf(link));
  return { signIn, result, sentWhileUsing: h.sender.sent.length - sent };
}

describe("magic links, end to end", () => {
  it("request a link, read it from the mailbox, open it in a new session: signed in", async () => {
    // Prepare
    const h = harness();

    // Act
    const { method, after } = await requestLink(h);
    const link = h.sender.lastLink();
    const { signIn, result, sentWhileUsing } = await useLink(h, link);

    // Assess
    expect(method).toEqual({
      kind: "challenge",
      challengeName: "CUSTOM_CHALLENGE",
      parameters: { challenge: "CHOOSE_METHOD" },
    });
    expect(after).toEqual({
      kind: "challenge",
      challengeName: "CUSTOM_CHALLENGE",
      parameters: { challenge: "MAGIC_LINK", email: "j***@e***.com" },
    });
    expect(h.sender.sent).toHaveLength(1);
    expect(h.sender.sent[0]?.to).toBe(EMAIL);
    expect(h.sender.sent[0]?.subject).toBe("Your sign-in link");
    expect(h.sender.sent[0]?.text).toContain("expires in 15 minutes");
    expect(h.sender.sent[0]?.html).toContain(`<a href="${BASE_URL}#`);
    expect(link.startsWith(`${BASE_URL}#`)).toBe(true);
    expect(parseToken(tokenOf(link))?.payload).toMatchObject({
      pool: POOL_ID,
      user: JANE.attributes.sub,
      sub: JANE.attributes.sub,
    });
    expect(result).toEqual({ kind: "tokens" });
    expect(sentWhileUsing).toBe(0);
    expect(signIn.session.map((e) => [e.challengeMetadata, e.challengeResult])).toEqual([
      ["METHOD1", false],
      ["LINK1", true],
    ]);
    expect(kms.calls("Sign")).toBe(1);
    expect(kms.calls("GetPublicKey")).toBe(1);
  });

  it("models Cognito's ClientMetadata: InitiateAuth's reaches no trigger, each answer's reaches its three", async () => {
    // Prepare
    const h = harness();

    // Act: a client that puts its choice on InitiateAuth only still gets the method round.
    const signIn = await h.signIn(EMAIL, { initiateClientMetadata: REQUEST });
    const first = signIn.outcome;
    await signIn.answer("-", { clientMetadata: REQUEST });

    // Assess
    expect(first).toMatchObject({ parameters: { challenge: "CHOOSE_METHOD" } });
    expect(signIn.metadataSeen).toEqual([
      { trigger: "define", clientMetadata: undefined },
      { trigger: "create", clientMetadata: undefined },
      { trigger: "verify", clientMetadata: REQUEST },
      { trigger: "define", clientMetadata: REQUEST },
      { trigger: "create", clientMetadata: REQUEST },
    ]);
  });

  it("the link can also be answered in the session that asked for it", async () => {
    const h = harness();
    const { signIn } = await requestLink(h);

    const result = await signIn.answer(tokenOf(h.sender.lastLink()));

    expect(result).toEqual({ kind: "tokens" });
  });

  it("a link works once: the second use is a wrong answer, counted by the lockout", async () => {
    // Prepare
    const attempts = localFileAttemptStore(tmp("attempts.json"));
    const h = harness({ attempts, env: { CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts" } });
    await requestLink(h);
    const link = h.sender.lastLink();

    // Act
    const first = await useLink(h, link);
    const second = await useLink(h, link);

    // Assess
    expect(first.result).toEqual({ kind: "tokens" });
    expect(second.result).toMatchObject({ kind: "challenge", challengeName: "CUSTOM_CHALLENGE" });
    expect(second.signIn.session.at(-1)?.challengeResult).toBe(false);
    const counted = await attempts.read(`${POOL_ID}#${JANE.attributes.sub}`, h.clock.ms);
    expect(counted?.failures).toBe(1);
  });

  it("a new link replaces the old one after the throttle; the old one no longer works", async () => {
    const h = harness();
    await requestLink(h);
    const older = h.sender.lastLink();
    h.clock.advance(61);
    await requestLink(h);
    const newer = h.sender.lastLink();

    expect(newer).not.toBe(older);
    expect((await useLink(h, older)).result).toMatchObject({ kind: "challenge" });
    expect((await useLink(h, newer)).result).toEqual({ kind: "tokens" });
  });

  it("throttles: a second request within 60 s sends nothing and answers the same", async () => {
    // Prepare
    const h = harness();
    const first = await requestLink(h);
    h.clock.advance(59);

    // Act
    const second = await requestLink(h);

    // Assess
    expect(h.sender.sent).toHaveLength(1);
    expect(second.after).toEqual(first.after);
    expect(kms.calls("Sign")).toBe(1);
    const steps = output.jsonLines().filter((l) => l.message === "Custom auth challenge created");
    expect(steps.map((l) => l.step)).toContain("throttled");
  });

  it("honours a configured throttle and expiry", async () => {
    const h = harness({
      env: {
        CUSTOM_AUTH_MAGIC_LINK_THROTTLE_SECONDS: "0",
        CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS: "120",
      },
    });
    await requestLink(h);
    await requestLink(h);
    const link = h.sender.lastLink();
    h.clock.advance(120);

    expect(h.sender.sent).toHaveLength(2);
    expect(h.sender.sent[1]?.text).toContain("expires in 2 minutes");
    expect((await useLink(h, link)).result).toMatchObject({ kind: "challenge" });
  });

  it("an expired link is a wrong answer; three wrong answers end the sign-in", async () => {
    const h = harness();
    await requestLink(h);
    const link = h.sender.lastLink();
    h.clock.advance(15 * 60);

    const { signIn, result } = await useLink(h, link);
    await signIn.answer(tokenOf(link));
    const third = await signIn.answer(tokenOf(link));

    expect(result).toMatchObject({ kind: "challenge" });
    expect(third).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    expect(signIn.session).toHaveLength(4);
  });

  it.each<[string, (token: string) => string]>([
    [
      "tampered (one character)",
      (t) => `${t.slice(0, 20)}${t[20] === "A" ? "B" : "A"}${t.slice(21)}`,
    ],
    ["truncated", (t) => t.slice(0, -1)],
    ["garbage", () => "not a token"],
    ["empty", () => ""],
  ])("a %s link is a wrong answer", async (_name, mutate) => {
    const h = harness();
    await requestLink(h);

    const { result, signIn } = await useLink(
      h,
      mutate(tokenOf(h.sender.lastLink())),
      JANE.attributes.sub,
    );

    expect(result).toMatchObject({ kind: "challenge" });
    expect(signIn.session.at(-1)?.challengeResult).toBe(false);
  });

  it("another user's link signs nobody else in (and still works for its owner)", async () => {
    const bob: SimUser = {
      attributes: { ...JANE.attributes, sub: "bob-sub", email: "bob@example.com" },
      password: "x",
    };
    const h = harness({ users: { [EMAIL]: JANE, "bob@example.com": bob } });
    await requestLink(h, "bob@example.com");
    const bobsLink = h.sender.lastLink();

    const asJane = await useLink(h, bobsLink, JANE.attributes.sub);
    const asBob = await useLink(h, bobsLink);

    expect(asJane.result).toMatchObject({ kind: "challenge" });
    expect(asBob.result).toEqual({ kind: "tokens" });
  });

  it.each([
    ["signed with our key", true, "wrong-pool"],
    ["signed with another deployment's key", false, "bad-signature"],
  ])("a link for another pool, %s, is a wrong answer", async (_name, ourKey, verdict) => {
    // Prepare: the user's own payload with another pool id, signed.
    const h = harness();
    await requestLink(h);
    const segment = tokenOf(h.sender.lastLink()).split(".")[0] ?? "";
    const payload = JSON.parse(Buffer.from(segment, "base64url").toString());
    payload.pool = "eu-west-1_OTHERPOOL";
    const forged = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const key = ourKey
      ? kms.privateKey
      : generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const signature = await localLinkSigner(key, "forger").sign(Buffer.from(forged));

    // Act
    const { result } = await useLink(
      h,
      `x#${forged}.${signature.toString("base64url")}`,
      JANE.attributes.sub,
    );

    // Assess
    expect(result).toMatchObject({ kind: "challenge" });
    expect(output.text()).toContain(`"verdict":"${verdict}"`);
  });

  it("unknown, unconfirmed, unverified and locked-out users: the same response, no email", async () => {
    // Prepare
    const attempts = localFileAttemptStore(tmp("attempts.json"));
    const users: Record<string, SimUser> = {
      [EMAIL]: JANE,
      "pending@example.com": {
        attributes: {
          ...JANE.attributes,
          sub: "p",
          email: "pending@example.com",
          "cognito:user_status": "UNCONFIRMED",
        },
        password: "x",
      },
      "unverified@example.com": {
        attributes: {
          ...JANE.attributes,
          sub: "u",
          email: "unverified@example.com",
          email_verified: "false",
        },
        password: "x",
      },
    };
    const h = harness({
      users,
      attempts,
      env: { CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts", CUSTOM_AUTH_LOCKOUT_THRESHOLD: "1" },
    });
    await attempts.recordFailure(`${POOL_ID}#${JANE.attributes.sub}`, h.clock.ms, 900);

    // Act
    const responses = [];
    for (const who of [
      "nobody@example.com",
      "pending@example.com",
      "unverified@example.com",
      EMAIL,
    ]) {
      const { after } = await requestLink(h, who);
      responses.push(after.kind === "challenge" ? Object.keys(after.parameters).sort() : after);
    }

    // Assess
    expect(h.sender.attempted).toHaveLength(0);
    expect(kms.calls("Sign")).toBe(0);
    for (const r of responses) expect(r).toEqual(["challenge", "email"]);
    const reasons = output
      .jsonLines()
      .filter((l) => l.step === "pretend-send")
      .map((l) => l.pretendReason);
    expect(reasons).toEqual([
      "user-not-found",
      "not-confirmed",
      "email-not-verified",
      "locked-out",
    ]);
    expect(h.sleeps).toHaveLength(4);
  });

  it("an unknown user 'using' a link gets challenges and then the failure, like a wrong link", async () => {
    const h = harness();
    const signIn = await h.signIn("nobody@example.com");
    await signIn.answer("-", { clientMetadata: USE });
    await signIn.answer("x.y");
    await signIn.answer("x.y");
    const third = await signIn.answer("x.y");

    expect(third).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    expect(h.sender.attempted).toHaveLength(0);
  });

  it("a failed send (SES) answers the same: a challenge, no link, an ERROR line", async () => {
    const h = harness();
    h.sender.failWith = new Error("SES down");

    const { after } = await requestLink(h);

    expect(after).toMatchObject({ kind: "challenge", parameters: { challenge: "MAGIC_LINK" } });
    const errors = output.jsonLines().filter((l) => l.level === "ERROR");
    expect(errors.map((l) => l.message)).toContain(
      "Magic link email failed: challenge issued, no link delivered",
    );
  });

  it("KMS failing: the same answer, no email, an ERROR line", async () => {
    // A signer for a key KMS does not know fails like a deleted or disabled key.
    const h2 = new CustomAuthHarness({
      clientFlows: ["magic-link"],
      env: {
        CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "links",
        CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "alias/missing",
        CUSTOM_AUTH_MAGIC_LINK_BASE_URL: BASE_URL,
      },
      links: {
        signer: kmsLinkSigner(kms.client, "alias/missing"),
        publicKey: kmsPublicKeySource(kms.client, kms.keyId),
        store: localLiveLinkStore(tmp("links.json")),
      },
    });

    const { after } = await requestLink(h2);

    expect(after).toMatchObject({ kind: "challenge", parameters: { challenge: "MAGIC_LINK" } });
    expect(h2.sender.attempted).toHaveLength(0);
    expect(output.text()).toContain("KMS Sign failed: NotFoundException");
  });

  it("verify failing closed: no public key (KMS down) fails the step, and the link stays usable", async () => {
    // Prepare: one live-links store, two verify sides: one whose key fetch fails.
    const store = localLiveLinkStore(tmp("links.json"));
    const env = {
      CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "links",
      CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: kms.keyId,
      CUSTOM_AUTH_MAGIC_LINK_BASE_URL: BASE_URL,
    };
    const signer = kmsLinkSigner(kms.client, kms.keyId);
    const broken = new CustomAuthHarness({
      clientFlows: ["magic-link"],
      env,
      links: { signer, publicKey: kmsPublicKeySource(kms.client, "alias/missing"), store },
    });
    const healthy = new CustomAuthHarness({
      clientFlows: ["magic-link"],
      env,
      links: { signer, publicKey: kmsPublicKeySource(kms.client, kms.keyId), store },
    });
    await requestLink(broken);
    const link = broken.sender.lastLink();

    // Act
    const failed = await useLink(broken, link);
    const after = await useLink(healthy, link);

    // Assess
    expect(failed.result).toEqual({
      kind: "error",
      message: "Something went wrong. Please try again later.",
    });
    expect(after.result).toEqual({ kind: "tokens" });
  });

  it("no log line holds the link or its token", async () => {
    const h = harness();
    await requestLink(h);
    const link = h.sender.lastLink();
    await useLink(h, link);
    await useLink(h, link);

    const text = output.text();
    const [segment = "", signature = ""] = tokenOf(link).split(".");
    expect(text).not.toContain(segment);
    expect(text).not.toContain(signature);
    expect(text).toContain('"verdict":"used-or-replaced"');
  });
});

describe("the method round and the other flows", () => {
  it("a magic-link client signs in with the emailed code after choosing it", async () => {
    const h = harness();
    const signIn = await h.signIn(EMAIL);
    const code = await signIn.answer("-", { clientMetadata: { authFlow: "passwordless" } });
    const result = await signIn.answer(h.sender.lastCode());

    expect(code).toEqual({
      kind: "challenge",
      challengeName: "CUSTOM_CHALLENGE",
      parameters: { email: "j***@e***.com" },
    });
    expect(result).toEqual({ kind: "tokens" });
    expect(signIn.session.map((e) => e.challengeResult)).toEqual([false, true]);
  });

  it("password + code is unchanged for a magic-link client (SRP sessions skip the method round)", async () => {
    const h = harness();
    const signIn = await h.signIn(EMAIL, { srp: true });
    await signIn.password(JANE.password);
    const result = await signIn.answer(h.sender.lastCode());

    expect(result).toEqual({ kind: "tokens" });
  });

  it("clients not allowed magic links keep the code flow without the method round", async () => {
    const h = harness({ clientFlows: ["passwordless"] });
    const signIn = await h.signIn(EMAIL);

    expect(signIn.outcome).toMatchObject({ parameters: { email: "j***@e***.com" } });
    expect(await signIn.answer(h.sender.lastCode())).toEqual({ kind: "tokens" });
  });

  it("a client not allowed magic links cannot choose one", async () => {
    const h = harness({ clientFlows: ["passwordless"] });
    const signIn = await h.signIn(EMAIL);

    const result = await signIn.answer("123456", { clientMetadata: REQUEST });

    expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    expect(h.sender.sent).toHaveLength(1);
  });

  it("a magic-link-only client cannot choose the code", async () => {
    const h = harness({ clientFlows: ["magic-link"] });
    const signIn = await h.signIn(EMAIL);

    const result = await signIn.answer("-", { clientMetadata: { authFlow: "passwordless" } });

    expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    expect(h.sender.sent).toHaveLength(0);
  });

  it.each<[string, Record<string, string> | undefined]>([
    ["no clientMetadata", undefined],
    ["no magicLink action", { authFlow: "magic-link" }],
    ["an unknown action", { authFlow: "magic-link", magicLink: "send" }],
    ["an unknown flow", { authFlow: "magic" }],
  ])("the method round answered with %s fails the sign-in, nothing sent", async (_n, metadata) => {
    const h = harness();
    const signIn = await h.signIn(EMAIL);

    const result = await signIn.answer("-", metadata ? { clientMetadata: metadata } : {});

    expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    expect(h.sender.sent).toHaveLength(0);
  });

  it("the method round's answer is never counted by the lockout", async () => {
    const attempts = localFileAttemptStore(tmp("attempts.json"));
    const h = harness({ attempts, env: { CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts" } });
    await requestLink(h);
    await useLink(h, h.sender.lastLink());

    expect(await attempts.read(`${POOL_ID}#${JANE.attributes.sub}`, h.clock.ms)).toBeUndefined();
  });
});
