/**
 * Create and verify handlers in detail: what reaches the client, what is kept
 * private, retries, pretend timing, failures, and that the code never reaches a
 * log line, an error or publicChallengeParameters.
 */
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { loadCreateAuthConfig, loadVerifyAuthConfig } from "../../shared/custom-auth/config";
import {
  createIssueAuthChallengeHandler,
  createVerifyAuthChallengeHandler,
} from "../../shared/custom-auth/handlers";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type {
  CreateAuthChallengeTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { SesEmailSender } from "../../shared/messaging/sender";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { CustomAuthHarness, MemorySender, TestClock } from "./harness";

const ses = mockClient(SESv2Client);
const ENV = { LOCAL_MODE: "false", CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com" };

describe("create and verify handlers", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    ses.reset();
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  function createHandler(sender = new MemorySender(), clock = new TestClock(), env = {}) {
    const sleeps: number[] = [];
    const handler = createIssueAuthChallengeHandler({
      config: loadCreateAuthConfig({ ...ENV, ...env }),
      logger: createLogger("createAuthChallenge"),
      sender,
      now: clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    return { handler, sender, clock, sleeps };
  }

  it("puts only the masked email in publicChallengeParameters and the hash in private ones", async () => {
    const { handler, sender, clock } = createHandler();
    const event = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");

    const result = await handler(event);
    const code = sender.lastCode();

    expect(result.response.publicChallengeParameters).toEqual({ email: "j***@e***.com" });
    expect(Object.keys(result.response.privateChallengeParameters).sort()).toEqual([
      "codeHash",
      "codeLength",
      "expiresAt",
      "salt",
    ]);
    expect(result.response.privateChallengeParameters.expiresAt).toBe(String(clock.ms + 180_000));
    expect(JSON.stringify(result.response)).not.toContain(code);
    expect(result.response.challengeMetadata).toMatch(/^OTP1\./);
  });

  it("renders the configured templates with {code} and {minutes}", async () => {
    const { handler, sender } = createHandler(undefined, undefined, {
      CUSTOM_AUTH_EMAIL_SUBJECT: "Code for Example ({minutes} min)",
      CUSTOM_AUTH_EMAIL_BODY: "Use {code}.\\nValid {minutes} minutes.",
      CUSTOM_AUTH_CODE_TTL_SECONDS: "300",
      CUSTOM_AUTH_CODE_LENGTH: "8",
    });

    await handler(loadEvent("custom-auth-create-first"));

    expect(sender.sent[0]?.subject).toBe("Code for Example (5 min)");
    expect(sender.sent[0]?.text).toMatch(/^Use \d{8}\.\nValid 5 minutes\.$/);
  });

  it("puts no user attribute in the email: a crafted name cannot add headers or text", async () => {
    const { handler, sender } = createHandler();
    const event = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");
    event.request.userAttributes.name = "{code}\r\nBcc: attacker@evil.example\r\n\r\nClick";
    event.request.userAttributes.given_name = "{minutes}";

    await handler(event);

    const message = sender.sent[0];
    expect(message?.to).toBe("jane.doe@example.com");
    expect(message?.subject).toBe("Your sign-in code");
    expect(`${message?.subject}${message?.text}`).not.toMatch(/attacker|Bcc|Click|[\r\u2028]/);
    expect(message?.subject).not.toMatch(/\n/);
  });

  it("reuses the code carried in challengeMetadata on a retry, sending nothing", async () => {
    const { handler, sender, clock } = createHandler();
    const first = await handler(loadEvent("custom-auth-create-first"));
    const retry = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");
    retry.request.session = [
      {
        challengeName: "CUSTOM_CHALLENGE",
        challengeResult: false,
        challengeMetadata: first.response.challengeMetadata,
      },
    ];
    clock.advance(60);

    const second = await handler(retry);

    expect(sender.sent).toHaveLength(1);
    expect(second.response.privateChallengeParameters).toEqual(
      first.response.privateChallengeParameters,
    );
    expect(second.response.challengeMetadata).toBe(first.response.challengeMetadata);
  });

  it("sends a new code on a retry when the carried one has expired or is not ours", async () => {
    const { handler, sender, clock } = createHandler();
    const first = await handler(loadEvent("custom-auth-create-first"));
    const expiredRetry = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");
    expiredRetry.request.session = [
      {
        challengeName: "CUSTOM_CHALLENGE",
        challengeResult: false,
        challengeMetadata: first.response.challengeMetadata,
      },
    ];
    const foreignRetry = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");
    foreignRetry.request.session = [
      {
        challengeName: "CUSTOM_CHALLENGE",
        challengeResult: false,
        challengeMetadata: "CODE-123456",
      },
    ];
    clock.advance(180);

    const afterExpiry = await handler(expiredRetry);
    await handler(foreignRetry);

    expect(sender.sent).toHaveLength(3);
    expect(afterExpiry.response.challengeMetadata).not.toBe(first.response.challengeMetadata);
  });

  it("pretends for an unknown user: same shape, no email, a send-like delay", async () => {
    const { handler, sender, sleeps } = createHandler(undefined, undefined, {
      CUSTOM_AUTH_PRETEND_DELAY_MS: "200",
    });

    const result = await handler(loadEvent("custom-auth-create-user-not-found"));

    expect(sender.sent).toHaveLength(0);
    expect(result.response.publicChallengeParameters).toEqual({ email: "n***@e***.net" });
    expect(Object.keys(result.response.privateChallengeParameters).sort()).toEqual([
      "codeHash",
      "codeLength",
      "expiresAt",
      "salt",
    ]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(150);
    expect(sleeps[0]).toBeLessThanOrEqual(250);
  });

  it("never waits on the pretend path longer than a real send may take (AWS_CALL_BUDGET_MS)", async () => {
    // Prepare: real sends that each take 3.9 s (SES slow, within the 4 s default budget)
    // pull the running estimate up to 3.9 s; its +25% jitter would then pass Cognito's 5 s.
    const clock = new TestClock();
    const slow = new MemorySender();
    const send = slow.send.bind(slow);
    slow.send = async (message) => {
      clock.advance(3.9);
      await send(message);
    };
    const { handler, sleeps } = createHandler(slow, clock, {
      CUSTOM_AUTH_PRETEND_DELAY_MS: "2000",
    });
    for (let i = 0; i < 30; i++) await handler(loadEvent("custom-auth-create-first"));
    const realSendMs = 3900;

    // Act
    for (let i = 0; i < 50; i++) await handler(loadEvent("custom-auth-create-user-not-found"));

    // Assess: about as long as a real send, never longer than the AWS budget of a send.
    expect(Math.min(...sleeps)).toBeGreaterThanOrEqual(realSendMs * 0.7);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(4000);
  });

  it("never waits on the pretend path past the Lambda's remaining time", async () => {
    const { handler, sleeps } = createHandler(undefined, undefined, {
      CUSTOM_AUTH_PRETEND_DELAY_MS: "2000",
    });
    const context = { getRemainingTimeInMillis: () => 1000 } as unknown as Context;

    await handler(loadEvent("custom-auth-create-user-not-found"), context);

    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(1000 - 250);
  });

  it("refuses a non-custom challenge with the generic message", async () => {
    const { handler, sender } = createHandler();
    const event = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");
    event.request.challengeName = "PASSWORD_VERIFIER";

    await expect(handler(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(sender.sent).toHaveLength(0);
  });

  it("answers with the challenge when SES rejects the email, logging the failure at ERROR without the code", async () => {
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error("Email address is not verified."), {
        name: "MessageRejected",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const sender = new SesEmailSender(
      new SESv2Client({ region: "eu-west-1" }),
      "no-reply@example.com",
    );
    const sesHandler = createIssueAuthChallengeHandler({
      config: loadCreateAuthConfig(ENV),
      logger: createLogger("createAuthChallenge"),
      sender,
      randomInt: () => 3,
      sleep: async () => undefined,
    });

    const result = await sesHandler(loadEvent("custom-auth-create-first"));

    expect(result.response.publicChallengeParameters).toEqual({ email: "j***@e***.com" });
    expect(result.response.challengeMetadata).toMatch(/^OTP1\./);
    const failure = output.jsonLines().find((l) => l.level === "ERROR");
    expect(failure).toMatchObject({
      delivery: "not-sent",
      errorType: "SendRefusedError",
      error: expect.objectContaining({
        message: "SES SendEmail failed (MessageRejected, HTTP 400)",
      }),
    });
    const text = output.text();
    expect(text).not.toContain("333333");
    expect(text).not.toContain("Your sign-in code is");
  });

  it("stops a hanging SES call at the invocation deadline (AWS_CALL_BUDGET_MS) and answers with the challenge", async () => {
    // Prepare: SES never answers; it only gives up when the call's abort signal fires.
    const calls: { abortSignal?: AbortSignal; requestTimeout?: number }[] = [];
    const hanging = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal; requestTimeout?: number }) =>
        new Promise<never>((_resolve, reject) => {
          calls.push(options ?? {});
          options?.abortSignal?.addEventListener("abort", () => {
            reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
          });
        }),
    };
    const config = loadCreateAuthConfig({
      ...ENV,
      AWS_CALL_BUDGET_MS: "300",
      AWS_CALL_TIMEOUT_MS: "250",
      AWS_MAX_ATTEMPTS: "1",
    });
    const handler = createIssueAuthChallengeHandler({
      config,
      logger: createLogger("createAuthChallenge"),
      sender: new SesEmailSender(hanging as never, "no-reply@example.com"),
      randomInt: () => 3,
    });
    const started = Date.now();

    // Act
    const result = await handler(loadEvent("custom-auth-create-first"));

    // Assess: one attempt, stopped at the deadline; the outcome is unknown, so the challenge
    // carries that code (SES may deliver it yet).
    expect(result.response.challengeMetadata).toMatch(/^OTP1\./);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.requestTimeout).toBeLessThanOrEqual(250);
    expect(output.jsonLines().find((l) => l.level === "ERROR")).toMatchObject({
      delivery: "unknown",
      errorType: "SendOutcomeUnknownError",
      error: expect.objectContaining({
        message: "SES SendEmail stopped at the invocation deadline",
      }),
    });
    expect(output.text()).not.toContain("333333");
  });

  it("the code appears in no log line, error or public parameter across whole sign-ins", async () => {
    const harness = new CustomAuthHarness();
    const signIn = await harness.signIn("jane.doe@example.com");
    const code = harness.sender.lastCode();
    const wrong = code === "000000" ? "111111" : "000000";
    const results = [signIn.outcome, await signIn.answer(wrong), await signIn.answer(code)];

    const logged = output.text();
    expect(output.jsonLines().length).toBeGreaterThanOrEqual(5);
    expect(logged).not.toContain(code);
    expect(JSON.stringify(results)).not.toContain(code);
    expect(results.at(-1)).toEqual({ kind: "tokens" });
  });

  it("the SES sender sends exactly one plain-text email from the configured address", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
    const sender = new SesEmailSender(
      new SESv2Client({ region: "eu-west-1" }),
      "no-reply@example.com",
      "auth-emails",
    );

    await sender.send({
      to: "jane.doe@example.com",
      subject: "S",
      text: "B 123456",
      label: "custom-auth",
    });

    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      FromEmailAddress: "no-reply@example.com",
      Destination: { ToAddresses: ["jane.doe@example.com"] },
      Content: {
        Simple: {
          Subject: { Data: "S", Charset: "UTF-8" },
          Body: { Text: { Data: "B 123456", Charset: "UTF-8" } },
        },
      },
      ConfigurationSetName: "auth-emails",
    });
  });

  it("the SES sender's failure names the SES error only", async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error("throttled 123456"), { name: "TooManyRequestsException" }));
    const sender = new SesEmailSender(
      new SESv2Client({ region: "eu-west-1" }),
      "no-reply@example.com",
    );

    const error = await sender
      .send({ to: "a@b.c", subject: "S", text: "123456", label: "custom-auth" })
      .catch((e: Error) => e);

    // No HTTP status: SES may have taken it, so the outcome is unknown (never resent).
    expect(error).toMatchObject({
      name: "SendOutcomeUnknownError",
      message: "SES SendEmail failed (TooManyRequestsException)",
    });
    expect((error as Error).cause).toBeUndefined();
  });

  describe("verify", () => {
    const verify = (now = Date.UTC(2026, 10, 22)) =>
      createVerifyAuthChallengeHandler({
        config: loadVerifyAuthConfig({}),
        logger: createLogger("verifyAuthChallenge"),
        now: () => now,
      });

    it.each([
      ["custom-auth-verify-correct", true],
      ["custom-auth-verify-wrong", false],
      ["custom-auth-verify-expired", false],
      ["custom-auth-verify-malformed", false],
      ["custom-auth-verify-user-not-found", false],
    ])("%s -> answerCorrect %s", async (name, expected) => {
      const result = await verify()(loadEvent<VerifyAuthChallengeResponseTriggerEvent>(name));

      expect(result.response).toEqual({ answerCorrect: expected });
    });

    it("refuses the right code of an unconfirmed user", async () => {
      const event = loadEvent<VerifyAuthChallengeResponseTriggerEvent>(
        "custom-auth-verify-correct",
      );
      event.request.userAttributes["cognito:user_status"] = "UNCONFIRMED";

      const result = await verify()(event);

      expect(result.response.answerCorrect).toBe(false);
    });

    it("answers false, without error, for missing private parameters or a null answer", async () => {
      const event = loadEvent<VerifyAuthChallengeResponseTriggerEvent>(
        "custom-auth-verify-correct",
      );
      const noState = { ...event, request: { ...event.request, privateChallengeParameters: null } };
      const nullAnswer = { ...event, request: { ...event.request, challengeAnswer: null } };

      const results = [await verify()(noState as never), await verify()(nullAnswer as never)];

      expect(results.map((r) => r.response.answerCorrect)).toEqual([false, false]);
    });

    it("logs the verdict but never the answer", async () => {
      await verify()(loadEvent("custom-auth-verify-wrong"));

      const lines = output.jsonLines();
      expect(lines.some((l) => l.verdict === "incorrect")).toBe(true);
      expect(output.text()).not.toContain("654321");
    });
  });
});
