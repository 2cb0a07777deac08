/**
 * Whole sign-ins, driven through the three handlers as Cognito drives them
 * (see harness.ts): both flows, retries, expiry, attempt limit, unknown users.
 */

import { randomUUID } from "node:crypto";
import { FIXED_EMAIL_HINT } from "../../shared/custom-auth/mask";
import { SendRefusedError } from "../../shared/messaging/sender";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { CustomAuthHarness, JANE, type SimUser } from "./harness";

const EMAIL = "jane.doe@example.com";

describe("custom auth sign-in, end to end", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  describe("passwordless", () => {
    it("issues tokens for the correct code, sent once to the user's email", async () => {
      // Prepare
      const harness = new CustomAuthHarness();

      // Act
      const signIn = await harness.signIn(EMAIL);
      const challenge = signIn.outcome;
      const result = await signIn.answer(harness.sender.lastCode());

      // Assess
      expect(challenge).toEqual({
        kind: "challenge",
        challengeName: "CUSTOM_CHALLENGE",
        parameters: { email: "j***@e***.com" },
      });
      expect(result).toEqual({ kind: "tokens" });
      expect(harness.sender.sent).toHaveLength(1);
      expect(harness.sender.sent[0]?.to).toBe(EMAIL);
      expect(signIn.session.map((s) => [s.challengeName, s.challengeResult])).toEqual([
        ["CUSTOM_CHALLENGE", true],
      ]);
    });

    it("accepts the answer with surrounding whitespace", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL);

      const result = await signIn.answer(`  ${harness.sender.lastCode()}\n`);

      expect(result).toEqual({ kind: "tokens" });
    });

    it("wrong then correct: the retry reuses the same code and sends no second email", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL);
      const code = harness.sender.lastCode();
      const wrong = code === "000000" ? "111111" : "000000";

      const afterWrong = await signIn.answer(wrong);
      const afterRight = await signIn.answer(code);

      expect(afterWrong).toMatchObject({ kind: "challenge", challengeName: "CUSTOM_CHALLENGE" });
      expect(afterRight).toEqual({ kind: "tokens" });
      expect(harness.sender.sent).toHaveLength(1);
      expect(signIn.session.map((s) => s.challengeResult)).toEqual([false, true]);
      expect(signIn.session[0]?.challengeMetadata).toBe(signIn.session[1]?.challengeMetadata);
    });

    it("three wrong answers fail the sign-in, and the right code is then useless", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL);
      const code = harness.sender.lastCode();
      const wrong = code === "000000" ? "111111" : "000000";

      await signIn.answer(wrong);
      await signIn.answer(wrong);
      const third = await signIn.answer(wrong);

      expect(third).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(signIn.session).toHaveLength(3);
      await expect(signIn.answer(code)).rejects.toThrow("Invalid session");
    });

    it("each sign-in has its own code: one sign-in's code is wrong in another", async () => {
      // Prepare: the first code drawn is 111111, the second 222222.
      let draws = 0;
      const harness = new CustomAuthHarness({ randomInt: () => Math.floor(draws++ / 6) + 1 });
      const first = await harness.signIn(EMAIL);
      const firstCode = harness.sender.lastCode();
      const second = await harness.signIn(EMAIL);
      const secondCode = harness.sender.lastCode();

      // Act
      const crossed = await second.answer(firstCode);
      const own = await first.answer(firstCode);

      // Assess
      expect([firstCode, secondCode]).toEqual(["111111", "222222"]);
      expect(crossed).toMatchObject({ kind: "challenge" });
      expect(second.session.at(-1)?.challengeResult).toBe(false);
      expect(own).toEqual({ kind: "tokens" });
    });

    it("honours a configured attempt limit", async () => {
      const harness = new CustomAuthHarness({ env: { CUSTOM_AUTH_MAX_ATTEMPTS: "1" } });
      const signIn = await harness.signIn(EMAIL);
      const code = harness.sender.lastCode();

      const result = await signIn.answer(code === "000000" ? "111111" : "000000");

      expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    });

    it("an expired code is refused; the next attempt gets a fresh code by email", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL);
      const first = harness.sender.lastCode();

      harness.clock.advance(181);
      const afterExpired = await signIn.answer(first);
      const second = harness.sender.lastCode();
      const result = await signIn.answer(second);

      expect(afterExpired).toMatchObject({ kind: "challenge", challengeName: "CUSTOM_CHALLENGE" });
      expect(signIn.session[0]?.challengeResult).toBe(false);
      expect(harness.sender.sent).toHaveLength(2);
      expect(result).toEqual({ kind: "tokens" });
    });

    it("a code is still accepted just before it expires", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL);

      harness.clock.advance(179);
      const result = await signIn.answer(harness.sender.lastCode());

      expect(result).toEqual({ kind: "tokens" });
    });
  });

  describe("password then code", () => {
    it("asks for the password, then the emailed code, then issues tokens", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL, { srp: true });
      const first = signIn.outcome;
      const mailboxBeforePassword = harness.sender.sent.length;

      const second = await signIn.password(JANE.password);
      const result = await signIn.answer(harness.sender.lastCode());

      expect(first).toEqual({
        kind: "challenge",
        challengeName: "PASSWORD_VERIFIER",
        parameters: {},
      });
      expect(mailboxBeforePassword).toBe(0);
      expect(second).toMatchObject({ kind: "challenge", challengeName: "CUSTOM_CHALLENGE" });
      expect(result).toEqual({ kind: "tokens" });
      expect(signIn.session.map((s) => s.challengeName)).toEqual([
        "SRP_A",
        "PASSWORD_VERIFIER",
        "CUSTOM_CHALLENGE",
      ]);
    });

    it("a wrong password fails at once and sends no code", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL, { srp: true });

      const result = await signIn.password("wrong password");

      expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(harness.sender.sent).toHaveLength(0);
    });

    it("allows three code attempts after the password", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL, { srp: true });
      await signIn.password(JANE.password);
      const code = harness.sender.lastCode();
      const wrong = code === "000000" ? "111111" : "000000";

      await signIn.answer(wrong);
      await signIn.answer(wrong);
      const result = await signIn.answer(code);

      expect(result).toEqual({ kind: "tokens" });
      expect(signIn.session).toHaveLength(5);
    });
  });

  describe("flow per app client", () => {
    it("by default an unlisted client cannot skip the password: passwordless is opt-in", async () => {
      // Prepare: the client is in neither list and CUSTOM_AUTH_DEFAULT_FLOWS is unset.
      const harness = new CustomAuthHarness({ clientFlows: [] });

      // Act
      const passwordless = await harness.signIn(EMAIL);
      const sentWithoutPassword = harness.sender.sent.length;
      const withPassword = await harness.signIn(EMAIL, { srp: true });
      await withPassword.password(JANE.password);
      const result = await withPassword.answer(harness.sender.lastCode());

      // Assess
      expect(passwordless.outcome).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(sentWithoutPassword).toBe(0);
      expect(result).toEqual({ kind: "tokens" });
    });

    it("an empty CUSTOM_AUTH_DEFAULT_FLOWS (an unset serverless.yml parameter) is the default", async () => {
      const harness = new CustomAuthHarness({
        clientFlows: [],
        env: { CUSTOM_AUTH_DEFAULT_FLOWS: "" },
      });

      const signIn = await harness.signIn(EMAIL);

      expect(signIn.outcome).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    });

    it("a client listed for passwordless may sign in with the code alone", async () => {
      const harness = new CustomAuthHarness({ clientFlows: ["passwordless"] });
      const signIn = await harness.signIn(EMAIL);

      const result = await signIn.answer(harness.sender.lastCode());

      expect(result).toEqual({ kind: "tokens" });
    });

    it("clientMetadata cannot select a flow the client is not allowed", async () => {
      const harness = new CustomAuthHarness({ clientFlows: ["password-code"] });
      const signIn = await harness.signIn(EMAIL, {
        srp: true,
        clientMetadata: { authFlow: "passwordless" },
      });

      const result = await signIn.password(JANE.password);

      expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(harness.sender.sent).toHaveLength(0);
    });

    it("a client listed for password-code only cannot sign in passwordless", async () => {
      const harness = new CustomAuthHarness({
        env: {
          CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: "",
          CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: "testclient0123456789abcdef",
          CUSTOM_AUTH_DEFAULT_FLOWS: "passwordless,password-code",
        },
      });

      const signIn = await harness.signIn(EMAIL);

      expect(signIn.outcome).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(harness.sender.sent).toHaveLength(0);
    });

    it("a client listed for passwordless only cannot start the password flow", async () => {
      const harness = new CustomAuthHarness({
        env: {
          CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: "testclient0123456789abcdef",
          CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: "",
          CUSTOM_AUTH_DEFAULT_FLOWS: "passwordless,password-code",
        },
      });

      const signIn = await harness.signIn(EMAIL, { srp: true });

      expect(signIn.outcome).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    });

    it("clientMetadata.authFlow must agree with the session", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL, { clientMetadata: { authFlow: "password-code" } });

      const result = await signIn.answer(harness.sender.lastCode());

      expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    });

    it("a valid clientMetadata.authFlow that agrees is accepted", async () => {
      const harness = new CustomAuthHarness();
      const signIn = await harness.signIn(EMAIL, { clientMetadata: { authFlow: "passwordless" } });

      const result = await signIn.answer(harness.sender.lastCode());

      expect(result).toEqual({ kind: "tokens" });
    });
  });

  describe("users who must not sign in (no enumeration)", () => {
    const UNCONFIRMED: SimUser = {
      attributes: { ...JANE.attributes, "cognito:user_status": "UNCONFIRMED" },
      password: JANE.password,
    };

    async function transcript(harness: CustomAuthHarness, username: string) {
      const signIn = await harness.signIn(username);
      const outcomes = [signIn.outcome];
      for (let i = 0; i < 3; i++) outcomes.push(await signIn.answer("123456"));
      return outcomes;
    }

    it("an unknown user gets the same challenges and failure as a real user with wrong codes", async () => {
      // Prepare: the real user's code is 999999, so the answers below are wrong for both.
      const real = new CustomAuthHarness({ randomInt: () => 9 });
      const unknown = new CustomAuthHarness({ users: {} });

      // Act
      const realTranscript = await transcript(real, EMAIL);
      const unknownTranscript = await transcript(unknown, EMAIL);

      // Assess
      expect(unknownTranscript).toEqual(realTranscript);
      expect(unknownTranscript.at(-1)).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(real.sender.sent).toHaveLength(1);
      expect(unknown.sender.sent).toHaveLength(0);
      expect(unknown.sleeps).toHaveLength(1);
    });

    // A pool whose usernames are not emails (`alice`), each user with an email attribute.
    const named = (userName: string, email: string): SimUser => ({
      userName,
      attributes: { ...JANE.attributes, sub: randomUUID(), email },
      password: JANE.password,
    });
    const NAMED_POOL = {
      alice: named("alice", "alice@corp.io"),
      bob: named("bob", "bob@gmail.com"),
    };

    it("real and unknown non-email usernames get identical public parameters", async () => {
      const harness = new CustomAuthHarness({ users: NAMED_POOL });

      const outcomes = [];
      for (const name of ["alice", "bob", "carol", "dave", "alicia"]) {
        outcomes.push((await harness.signIn(name)).outcome);
      }

      expect(harness.sender.sent.map((m) => m.to)).toEqual(["alice@corp.io", "bob@gmail.com"]);
      for (const outcome of outcomes) {
        expect(outcome).toEqual({
          kind: "challenge",
          challengeName: "CUSTOM_CHALLENGE",
          parameters: { email: FIXED_EMAIL_HINT },
        });
      }
    });

    it("email usernames give the same mask for real and unknown users", async () => {
      const withJane = new CustomAuthHarness();
      const withoutJane = new CustomAuthHarness({ users: {} });
      const literalEmailPool = new CustomAuthHarness({
        users: { "jane.doe@example.com": { ...JANE, userName: "jane.doe@example.com" } },
      });
      const mask = async (h: CustomAuthHarness, name: string) => (await h.signIn(name)).outcome;

      const real = await mask(withJane, EMAIL);
      const realLiteral = await mask(literalEmailPool, EMAIL);
      const unknown = await mask(withoutJane, "Jane.Doe@Example.com");
      const otherUnknown = await mask(withoutJane, "nobody@example.net");

      expect(withJane.sender.sent).toHaveLength(1);
      expect(real).toEqual({
        kind: "challenge",
        challengeName: "CUSTOM_CHALLENGE",
        parameters: { email: "j***@e***.com" },
      });
      expect(realLiteral).toEqual(real);
      expect(unknown).toEqual(real);
      expect(otherUnknown).toMatchObject({ parameters: { email: "n***@e***.net" } });
    });

    it("CUSTOM_AUTH_EMAIL_HINT=fixed shows the fixed text to everyone", async () => {
      const env = { CUSTOM_AUTH_EMAIL_HINT: "fixed" };
      const real = await new CustomAuthHarness({ env }).signIn(EMAIL);
      const unknown = await new CustomAuthHarness({ env, users: {} }).signIn(EMAIL);

      expect(real.outcome).toMatchObject({ parameters: { email: FIXED_EMAIL_HINT } });
      expect(unknown.outcome).toEqual(real.outcome);
    });

    it("never issues tokens to an unknown user, even for the code the pretend step drew", async () => {
      const harness = new CustomAuthHarness({ users: {}, randomInt: () => 7 });
      const signIn = await harness.signIn("nobody@example.net");

      const results = [await signIn.answer("777777"), await signIn.answer("777777")];

      expect(results).toEqual([
        expect.objectContaining({ kind: "challenge" }),
        expect.objectContaining({ kind: "challenge" }),
      ]);
      expect(await signIn.answer("777777")).toEqual({
        kind: "failed",
        error: "NotAuthorizedException",
      });
    });

    it("an unconfirmed user gets the pretend path: no email, no tokens", async () => {
      const harness = new CustomAuthHarness({ users: { [EMAIL]: UNCONFIRMED } });

      const outcomes = await transcript(harness, EMAIL);

      expect(outcomes[0]).toEqual({
        kind: "challenge",
        challengeName: "CUSTOM_CHALLENGE",
        parameters: { email: "j***@e***.com" },
      });
      expect(outcomes.at(-1)).toEqual({ kind: "failed", error: "NotAuthorizedException" });
      expect(harness.sender.sent).toHaveLength(0);
    });

    it("a user whose email is not verified gets no email (by default)", async () => {
      const unverified: SimUser = {
        attributes: { ...JANE.attributes, email_verified: "false" },
        password: JANE.password,
      };
      const strict = new CustomAuthHarness({ users: { [EMAIL]: unverified } });
      const lenient = new CustomAuthHarness({
        users: { [EMAIL]: unverified },
        env: { CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL: "false" },
      });

      await strict.signIn(EMAIL);
      const allowed = await lenient.signIn(EMAIL);
      const result = await allowed.answer(lenient.sender.lastCode());

      expect(strict.sender.sent).toHaveLength(0);
      expect(result).toEqual({ kind: "tokens" });
    });

    it("an unknown user in the password flow fails like a wrong password", async () => {
      const harness = new CustomAuthHarness({ users: {} });
      const signIn = await harness.signIn("nobody@example.net", { srp: true });

      const result = await signIn.password(JANE.password);

      expect(result).toEqual({ kind: "failed", error: "NotAuthorizedException" });
    });
  });

  describe("failures", () => {
    it("a sender failure still answers with the challenge; the code is never delivered, so every answer is wrong", async () => {
      const harness = new CustomAuthHarness();
      harness.sender.failWith = new SendRefusedError("SES SendEmail failed (MessageRejected)");

      const signIn = await harness.signIn(EMAIL);
      const answers = [await signIn.answer("000000"), await signIn.answer("111111")];

      expect(signIn.outcome).toMatchObject({
        kind: "challenge",
        challengeName: "CUSTOM_CHALLENGE",
        parameters: { email: "j***@e***.com" },
      });
      expect(answers.map((a) => a.kind)).toEqual(["challenge", "challenge"]);
      // One attempt for the sign-in: the retries reuse the code and send nothing.
      expect(harness.sender.attempted).toHaveLength(1);
      expect(harness.sender.sent).toHaveLength(0);
    });
  });
});
