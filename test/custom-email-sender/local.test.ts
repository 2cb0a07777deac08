/**
 * The custom email sender in local mode, through its function module as `npm run invoke` runs
 * it: the sample events' codes decrypt under the published local key, the email lands in the
 * outbox, and "sent once" holds in memory.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CustomEmailSenderTriggerEvent } from "aws-lambda";
import { loadEvent } from "../helpers/events";
import { captureOutput } from "../helpers/logs";

type Handler = (event: CustomEmailSenderTriggerEvent) => Promise<CustomEmailSenderTriggerEvent>;

describe("custom email sender, local mode", () => {
  const saved = { ...process.env };
  let outbox: string;
  let handler: Handler;

  beforeAll(() => {
    outbox = mkdtempSync(join(tmpdir(), "ces-outbox-"));
    Object.assign(process.env, {
      IS_LOCAL: "true",
      LOCAL_OUTBOX_DIR: outbox,
      MESSAGES_APP_NAME: "Acme",
      CUSTOM_EMAIL_SENDER_FROM_ADDRESS: "no-reply@example.com",
      CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME: "local-idempotency",
    });
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    delete process.env.CUSTOM_EMAIL_SENDER_KMS_KEY_ARN;
    jest.isolateModules(() => {
      handler = (require("../../functions/custom-email-sender") as { handler: Handler }).handler;
    });
  });

  afterAll(() => {
    process.env = saved;
    rmSync(outbox, { recursive: true, force: true });
  });

  test("the sample sign-up decrypts to 123456 and is written to the outbox once", async () => {
    // Prepare
    const output = captureOutput();
    const event = loadEvent<CustomEmailSenderTriggerEvent>("custom-email-sender-sign-up");

    // Act
    await handler(structuredClone(event));
    await handler(structuredClone(event));
    output.restore();

    // Assess
    const files = readdirSync(outbox);
    expect(files).toHaveLength(1);
    const email = readFileSync(join(outbox, files[0] ?? ""), "utf8");
    expect(email).toContain("Subject: Confirm your Acme account");
    expect(email).toContain("Your confirmation code is 123456.");
    expect(output.text()).toContain('"result":"duplicate"');
  });

  test("the sample invitation carries the temporary password and the user name", async () => {
    // Prepare
    const output = captureOutput();
    const event = loadEvent<CustomEmailSenderTriggerEvent>("custom-email-sender-admin-create-user");

    // Act
    await handler(event);
    output.restore();

    // Assess
    const email = readdirSync(outbox)
      .filter((f) => f.includes("admin-create-user"))
      .map((f) => readFileSync(join(outbox, f), "utf8"))[0];
    expect(email).toContain("Temporary password: Tmp-Passw0rd!");
    expect(email).toContain(`Username: ${event.userName}`);
  });
});
