import type { PreSignUpTriggerEvent } from "aws-lambda";
import { callFailure, Deadline, errorLabel } from "../../shared/aws/clients";
import { cognitoTrigger } from "../../shared/cognito-trigger";
import {
  DependencyError,
  GENERIC_ERROR_MESSAGE,
  QUOTE_LIMIT,
  quoteUntrusted,
  UserFacingError,
} from "../../shared/errors";
import { TRIGGER_SOURCES } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { loadPreTokenConfig } from "../../shared/pre-token-generation/config";
import { createPreTokenGenerationHandler } from "../../shared/pre-token-generation/handler";
import { REDACTED, redact, redactString } from "../../shared/redact";
import { captureOutput } from "../helpers/logs";

// A syntactically real JWT (header.payload.signature); its content does not matter here.
const JWT = [
  Buffer.from(JSON.stringify({ alg: "RS256", kid: "k1" })).toString("base64url"),
  Buffer.from(JSON.stringify({ sub: "s", token_use: "access" })).toString("base64url"),
  "c2lnbmF0dXJlLWJ5dGVz",
].join(".");
const CODE = "482913";
const PASSWORD = "Correct-Horse-9";

function signUpEvent(): PreSignUpTriggerEvent {
  return {
    version: "1",
    region: "eu-west-1",
    userPoolId: "eu-west-1_AbCdEf123",
    userName: "jane",
    callerContext: { awsSdkVersion: "aws-sdk-js-3", clientId: "client-123" },
    triggerSource: "PreSignUp_SignUp",
    request: {
      userAttributes: { email: "jane@example.com" },
      validationData: { inviteCode: CODE, password: PASSWORD },
      clientMetadata: { idToken: JWT, code: CODE, note: `pasted ${JWT} by mistake` },
    },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  };
}

describe("logging", () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it("never writes a token, code or password from the event, and carries the event keys", async () => {
    // Prepare: a trigger that logs the whole event, as a careless change might.
    const logger = createLogger("preSignUp");
    const handler = cognitoTrigger<PreSignUpTriggerEvent>(
      logger,
      TRIGGER_SOURCES.preSignUp,
      (event) => {
        logger.info("Handling sign-up", { event });
        logger.warn(`Client sent ${event.request.clientMetadata?.note}`);
        return event;
      },
    );

    // Act
    await handler(signUpEvent());

    // Assess
    const text = output.text();
    const lines = output.jsonLines();
    expect(lines.length).toBe(2);
    expect(text).not.toContain(JWT);
    expect(text).not.toContain(CODE);
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain(REDACTED);
    expect(lines[0]).toMatchObject({
      triggerSource: "PreSignUp_SignUp",
      userPoolId: "eu-west-1_AbCdEf123",
      clientId: "client-123",
      function: "preSignUp",
    });
  });

  it("does not leak the secret in an error's message or cause when a trigger fails", async () => {
    // Prepare
    const logger = createLogger("preSignUp");
    const handler = cognitoTrigger<PreSignUpTriggerEvent>(logger, TRIGGER_SOURCES.preSignUp, () => {
      throw new Error(`upstream rejected token ${JWT}`);
    });

    // Act
    const failure = handler(signUpEvent());

    // Assess: the user sees the generic message; the log has the error, redacted.
    await expect(failure).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(output.text()).toContain("upstream rejected token");
    expect(output.text()).not.toContain(JWT);
  });

  it("passes a UserFacingError's message through unchanged", async () => {
    const logger = createLogger("preSignUp");
    const handler = cognitoTrigger<PreSignUpTriggerEvent>(logger, TRIGGER_SOURCES.preSignUp, () => {
      throw new UserFacingError("Sign-up is by invitation only.");
    });
    await expect(handler(signUpEvent())).rejects.toThrow(/^Sign-up is by invitation only\.$/);
  });

  it("rejects an event of another trigger with the generic message", async () => {
    const logger = createLogger("preSignUp");
    const logic = jest.fn();
    const handler = cognitoTrigger<PreSignUpTriggerEvent>(logger, TRIGGER_SOURCES.preSignUp, logic);
    const event = { ...signUpEvent(), triggerSource: "PostConfirmation_ConfirmSignUp" };
    await expect(handler(event as unknown as PreSignUpTriggerEvent)).rejects.toThrow(
      GENERIC_ERROR_MESSAGE,
    );
    expect(logic).not.toHaveBeenCalled();
  });
});

describe("redact", () => {
  it("masks secret keys at any depth and JWTs inside strings", () => {
    const redacted = redact({
      headers: { Authorization: `Bearer ${JWT}` },
      nested: [{ refresh_token: "opaque-refresh" }],
      message: `token=${JWT}`,
      harmless: "hello",
    });
    expect(redacted).toEqual({
      headers: { Authorization: REDACTED },
      nested: [{ refresh_token: REDACTED }],
      message: `token=${REDACTED}`,
      harmless: "hello",
    });
    expect(redactString("no secrets here")).toBe("no secrets here");
  });

  it("masks custom auth's code state and Cognito's session token", () => {
    const redacted = redact({
      request: {
        session: [{ challengeName: "CUSTOM_CHALLENGE", challengeMetadata: "OTP1.hash.salt" }],
      },
      response: { challengeMetadata: "OTP1.hash.salt" },
      Session: "AYABeO-opaque-session",
      salt: "c2FsdA",
      sessionLength: 1,
    });
    expect(redacted).toEqual({
      request: { session: REDACTED },
      response: { challengeMetadata: REDACTED },
      Session: REDACTED,
      salt: REDACTED,
      sessionLength: 1,
    });
  });
});

/** A network failure as Node raises it (the SDK passes it through with the name "Error"). */
function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:4566`), { code, syscall: "connect" });
}

describe("logging: redaction by origin, network codes readable", () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it("names the network error code in the message and keeps it readable in the logged cause", async () => {
    // Prepare
    const logger = createLogger("preSignUp");
    const deadline = new Deadline(5000, 1000);
    const failures = [
      deadline.failure("ListUsers", networkError("ECONNREFUSED")),
      callFailure("GetItem", Object.assign(networkError("ETIMEDOUT"), { name: "TimeoutError" })),
    ];
    deadline.dispose();
    const handler = cognitoTrigger<PreSignUpTriggerEvent>(logger, TRIGGER_SOURCES.preSignUp, () => {
      throw failures[0];
    });

    // Act
    await handler(signUpEvent()).catch(() => undefined);

    // Assess
    expect(failures.map((f) => f.message)).toEqual([
      "ListUsers failed (ECONNREFUSED)",
      "GetItem failed: TimeoutError, ETIMEDOUT",
    ]);
    const line = output.jsonLines().find((l) => l.level === "ERROR");
    expect(line).toMatchObject({
      errorType: "DependencyError",
      error: expect.objectContaining({
        message: "ListUsers failed (ECONNREFUSED)",
        cause: expect.objectContaining({ code: "ECONNREFUSED", syscall: "connect" }),
      }),
    });
    expect(output.text()).not.toContain(REDACTED);
  });

  it("labels errors by SDK name, network code, or both", () => {
    expect(errorLabel(Object.assign(new Error("x"), { name: "MessageRejected" }))).toBe(
      "MessageRejected",
    );
    expect(errorLabel(networkError("ECONNRESET"))).toBe("ECONNRESET");
    expect(
      errorLabel(Object.assign(new Error("t"), { name: "TimeoutError", code: "ETIMEDOUT" })),
    ).toBe("TimeoutError, ETIMEDOUT");
    // The SDK's wrapper of an error from another realm keeps only the message.
    expect(
      errorLabel(new Error("AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1")),
    ).toBe("ECONNREFUSED");
    // A `code` that is not a network code (an HTTP library's, an app's) is not used.
    expect(errorLabel(Object.assign(new Error("x"), { code: "482913" }))).toBe("Error");
  });

  it("redacts a logged event's secret-bearing fields whatever their names, and only those", () => {
    const logger = createLogger("customEmailSender");
    const event = {
      triggerSource: "CustomEmailSender_SignUp",
      userPoolId: "eu-west-1_AbCdEf123",
      userName: "jane",
      request: {
        type: "customEmailSenderRequestV1",
        code: "AYADeEncryptedCodeBlob",
        clientMetadata: { note: "anything" },
        userAttributes: { email: "jane@example.com" },
      },
      response: {},
    };
    const createEvent = {
      triggerSource: "CreateAuthChallenge_Authentication",
      userPoolId: "eu-west-1_AbCdEf123",
      request: { challengeName: "CUSTOM_CHALLENGE", session: [{ challengeMetadata: "OTP1.x" }] },
      response: {
        publicChallengeParameters: { email: "j***@e***.com" },
        privateChallengeParameters: { codeHash: "h", salt: "s" },
        challengeMetadata: "OTP1.1.6.salt.hash",
      },
    };
    const verifyEvent = {
      triggerSource: "VerifyAuthChallengeResponse_Authentication",
      request: { challengeAnswer: CODE, privateChallengeParameters: { codeHash: "h" } },
    };

    logger.info("events", { event, createEvent, verifyEvent });

    const [line] = output.jsonLines() as [Record<string, Record<string, Record<string, unknown>>>];
    expect(line.event?.request).toEqual({
      type: "customEmailSenderRequestV1",
      code: REDACTED,
      clientMetadata: REDACTED,
      userAttributes: { email: "jane@example.com" },
    });
    expect(line.createEvent?.request).toEqual({
      challengeName: "CUSTOM_CHALLENGE",
      session: REDACTED,
    });
    expect(line.createEvent?.response).toEqual({
      publicChallengeParameters: REDACTED,
      privateChallengeParameters: REDACTED,
      challengeMetadata: REDACTED,
    });
    expect(line.verifyEvent?.request).toEqual({
      challengeAnswer: REDACTED,
      privateChallengeParameters: REDACTED,
    });
    expect(output.text()).not.toContain("AYADeEncryptedCodeBlob");
    expect(output.text()).not.toContain(CODE);
  });

  it("keeps masking JWTs inside any string, a network code's message included", () => {
    const logger = createLogger("authorizer");
    logger.error("failed", { error: new DependencyError(`rejected ${JWT} (ECONNRESET)`) });
    expect(output.text()).not.toContain(JWT);
    expect(output.text()).toContain("(ECONNRESET)");
  });
});

describe("untrusted values in error messages", () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it("quotes strings cut to the limit and names other types without printing them", () => {
    expect(quoteUntrusted("PreSignUp_Bogus")).toBe('"PreSignUp_Bogus"');
    expect(quoteUntrusted("x".repeat(1_000_000))).toBe(
      `"${"x".repeat(QUOTE_LIMIT)}"... (1000000 characters)`,
    );
    expect(quoteUntrusted({ password: PASSWORD })).toBe("(an object)");
    expect(quoteUntrusted(["a"])).toBe("(an array)");
    expect(quoteUntrusted(42)).toBe("(a number)");
    expect(quoteUntrusted(null)).toBe("null");
    expect(quoteUntrusted(undefined)).toBe("undefined");
  });

  it.each([
    [
      "a 1 MB triggerSource",
      "x".repeat(1_000_000),
      /unexpected triggerSource "x{64}"\.\.\. \(1000000 characters\)/,
    ],
    [
      "an object triggerSource",
      { password: PASSWORD, token: JWT },
      /unexpected triggerSource \(an object\)/,
    ],
  ])("%s gives a short log line without the value", async (_name, triggerSource, message) => {
    const handler = cognitoTrigger<PreSignUpTriggerEvent>(
      createLogger("preSignUp"),
      TRIGGER_SOURCES.preSignUp,
      () => undefined,
    );
    const event = { ...signUpEvent(), triggerSource } as unknown as PreSignUpTriggerEvent;

    await expect(handler(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);

    const text = output.text();
    const line = output.jsonLines().find((l) => l.level === "ERROR") as {
      error?: { message?: string };
    };
    expect(line.error?.message).toMatch(message);
    expect(text.length).toBeLessThan(20_000);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(JWT);
  });

  it("a malformed pre-token version is quoted, cut, never printed whole", async () => {
    const handler = createPreTokenGenerationHandler({
      config: loadPreTokenConfig({}),
      logger: createLogger("preTokenGeneration"),
    });
    const event = {
      version: { secret: PASSWORD, padding: "y".repeat(500_000) },
      triggerSource: "TokenGeneration_Authentication",
      region: "eu-west-1",
      userPoolId: "eu-west-1_AbCdEf123",
      userName: "jane",
      callerContext: { awsSdkVersion: "x", clientId: "c" },
      request: { userAttributes: {}, groupConfiguration: {} },
      response: {},
    };
    const long = { ...event, version: "2".repeat(100_000) };

    await expect(handler(event as never)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    await expect(handler(long as never)).rejects.toThrow(GENERIC_ERROR_MESSAGE);

    const text = output.text();
    const messages = output
      .jsonLines()
      .filter((l) => l.level === "ERROR")
      .map((l) => (l.error as { message?: string }).message);
    expect(messages).toEqual([
      "unsupported event version (an object)",
      expect.stringMatching(/^unsupported event version "2{64}"\.\.\. \(100000 characters\)$/),
    ]);
    expect(text).not.toContain(PASSWORD);
    expect(text.length).toBeLessThan(20_000);
  });
});
