import type { PreSignUpTriggerEvent } from "aws-lambda";
import { GENERIC_ERROR_MESSAGE, UserFacingError } from "../../shared/errors";
import { TRIGGER_SOURCES } from "../../shared/events";
import { cognitoTrigger } from "../../shared/handler";
import { createLogger } from "../../shared/logger";
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
