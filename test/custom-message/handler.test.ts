/**
 * The custom message trigger over the sample events: every `CustomMessage_` source gets its
 * subject, HTML and SMS with Cognito's stand-ins where Cognito needs them; user values are
 * escaped; malformed events and bad templates fail clearly.
 */
import type { CustomMessageTriggerEvent } from "aws-lambda";
import { loadCustomMessageConfig } from "../../shared/custom-message/config";
import { createCustomMessageHandler } from "../../shared/custom-message/handler";
import { CUSTOM_MESSAGE_KINDS } from "../../shared/custom-message/sources";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { createLogger } from "../../shared/logger";
import { TEMPLATE_FILES } from "../../shared/messaging/template-files.generated";
import { LIMITS } from "../../shared/messaging/templates";
import { loadEvent } from "../helpers/events";
import { captureOutput } from "../helpers/logs";

const ENV = { MESSAGES_APP_NAME: "Acme" };

function handler() {
  return createCustomMessageHandler({
    config: loadCustomMessageConfig(ENV),
    logger: createLogger("customMessage"),
  });
}

const EVENTS = Object.values(CUSTOM_MESSAGE_KINDS).map((kind) => `custom-message-${kind}`);

// The handler logs each message it writes; keep the test output readable.
let quiet: ReturnType<typeof captureOutput> | undefined;
beforeEach(() => {
  quiet = captureOutput();
});
afterEach(() => {
  quiet?.restore();
});

describe("custom message trigger", () => {
  test.each(EVENTS)(
    "%s: subject, HTML and SMS within Cognito's limits, the code left to Cognito",
    async (name) => {
      // Prepare
      const event = loadEvent<CustomMessageTriggerEvent>(name);
      const output = captureOutput();

      // Act
      const result = await handler()(event);
      output.restore();

      // Assess
      const { emailSubject, emailMessage, smsMessage } = result.response;
      expect(emailSubject).toContain("Acme");
      expect(emailMessage).toContain("{####}");
      expect(smsMessage).toContain("{####}");
      expect(emailSubject?.length).toBeLessThanOrEqual(LIMITS.subject);
      expect(emailMessage?.length).toBeLessThanOrEqual(LIMITS.email);
      expect(smsMessage?.length).toBeLessThanOrEqual(LIMITS.sms);
      if (event.triggerSource === "CustomMessage_AdminCreateUser") {
        expect(emailMessage).toContain("{username}");
        expect(smsMessage).toContain("{username}");
      }
      // The log says which message, never what it says.
      expect(output.text()).toContain('"message":"Custom message written"');
      expect(output.text()).not.toContain("jane.doe@example.com");
    },
  );

  test("sign-up: the English template greets the user by given name", async () => {
    // Act
    const result = await handler()(loadEvent<CustomMessageTriggerEvent>("custom-message-sign-up"));

    // Assess
    expect(result.response.emailSubject).toBe("Confirm your Acme account");
    expect(result.response.emailMessage).toContain("<p>Hello Jane,</p>");
    expect(result.response.smsMessage).toBe("Acme: your confirmation code is {####}");
  });

  test("forgot-password for a fr-CA user: the French template", async () => {
    // Act
    const result = await handler()(
      loadEvent<CustomMessageTriggerEvent>("custom-message-forgot-password"),
    );

    // Assess
    expect(result.response.emailSubject).toBe("Réinitialisez votre mot de passe Acme");
    expect(result.response.emailMessage).toContain("Bonjour Jeanne,");
  });

  test("a given_name of <script> arrives as text, and cannot add a {####}", async () => {
    // Act
    const result = await handler()(
      loadEvent<CustomMessageTriggerEvent>("custom-message-sign-up-markup-name"),
    );

    // Assess
    const html = result.response.emailMessage ?? "";
    expect(html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;####,");
    expect(html).not.toContain("<script>");
    expect(html.split("{####}")).toHaveLength(2);
  });

  test.each([
    [
      "an unknown source",
      (e: CustomMessageTriggerEvent) => Object.assign(e, { triggerSource: "CustomMessage_Other" }),
    ],
    [
      "no codeParameter",
      (e: CustomMessageTriggerEvent) => Object.assign(e.request, { codeParameter: null }),
    ],
    [
      "AdminCreateUser without usernameParameter",
      (e: CustomMessageTriggerEvent) =>
        Object.assign(e, { triggerSource: "CustomMessage_AdminCreateUser" }),
    ],
  ])("%s: the generic error", async (_name, change) => {
    // Prepare
    const event = change(loadEvent<CustomMessageTriggerEvent>("custom-message-sign-up"));
    const output = captureOutput();

    // Act
    const outcome = handler()(event);

    // Assess
    await expect(outcome).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    output.restore();
  });

  test("null userAttributes: the message still renders, greeting nobody", async () => {
    // Prepare
    const event = loadEvent<CustomMessageTriggerEvent>("custom-message-sign-up");
    Object.assign(event.request, { userAttributes: null });

    // Act
    const result = await handler()(event);

    // Assess
    expect(result.response.emailMessage).toContain("<p>Hello ,</p>");
  });
});

describe("custom message cold start", () => {
  test("a bad template fails the cold start naming the file", () => {
    // Prepare
    const files = { ...TEMPLATE_FILES, "fr/sign-up.sms.txt": "Votre code" };

    // Act / Assess
    expect(() => loadCustomMessageConfig(ENV, files)).toThrow(
      "Invalid configuration: templates/messages/fr/sign-up.sms.txt must contain the code placeholder {####}",
    );
  });

  test("the function module refuses to load without MESSAGES_APP_NAME", () => {
    // Prepare
    const saved = process.env.MESSAGES_APP_NAME;
    delete process.env.MESSAGES_APP_NAME;

    // Act / Assess
    try {
      jest.isolateModules(() => {
        expect(() => require("../../functions/custom-message")).toThrow(/MESSAGES_APP_NAME/);
      });
    } finally {
      if (saved !== undefined) process.env.MESSAGES_APP_NAME = saved;
    }
  });
});
