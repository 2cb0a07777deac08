/**
 * The custom email sender end to end but for KMS and SES: codes encrypted with the AWS
 * Encryption SDK under a raw AES keyring (the message format Cognito's KMS keyring writes)
 * and decrypted by the real decryption code; Powertools Idempotency against dynalite; SES v2
 * through aws-sdk-client-mock (no local engine serves it).
 */
import { randomBytes } from "node:crypto";
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from "@aws-crypto/client-node";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import type { CustomEmailSenderTriggerEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { loadCustomEmailSenderConfig } from "../../shared/custom-email-sender/config";
import { createCodeDecrypter } from "../../shared/custom-email-sender/decrypt";
import { createCustomEmailSenderHandler } from "../../shared/custom-email-sender/handler";
import {
  idempotencyTableDefinition,
  powertoolsSendOnce,
} from "../../shared/custom-email-sender/once";
import { CUSTOM_EMAIL_SENDER_KINDS } from "../../shared/custom-email-sender/sources";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { createLogger } from "../../shared/logger";
import { SesEmailSender } from "../../shared/messaging/sender";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { loadEvent } from "../helpers/events";
import { captureOutput } from "../helpers/logs";

const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const HASH_KEY = "k".repeat(40);
const ses = mockClient(SESv2Client);
let dynamo: LocalDynamo;

function aesKeyring(key: Buffer = AES_KEY): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: "cognito-stand-in",
    keyNamespace: "tests",
    // An isolated copy: the keyring takes ownership of (and may zero) the buffer it is given.
    unencryptedMasterKey: Uint8Array.from(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}
const AES_KEY = randomBytes(32);
const { encrypt } = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);

/** `code` encrypted as Cognito does (an Encryption SDK message, base64), under `key`. */
async function encryptCode(code: string, key: Buffer = AES_KEY): Promise<string> {
  const { result } = await encrypt(aesKeyring(key), code, {
    encryptionContext: { "userpool-id": "eu-west-1_AbCdEf123" },
  });
  return result.toString("base64");
}

async function eventFor(kind: string, code: string | null): Promise<CustomEmailSenderTriggerEvent> {
  const event = loadEvent<CustomEmailSenderTriggerEvent>(`custom-email-sender-${kind}`);
  event.request.code = code === null ? null : await encryptCode(code);
  return event;
}

async function setUp(options: { tableName?: string; createTable?: boolean } = {}) {
  const tableName = options.tableName ?? `idem-${randomBytes(4).toString("hex")}`;
  if (options.createTable !== false)
    await dynamo.createTable(idempotencyTableDefinition(tableName));
  const config = loadCustomEmailSenderConfig({
    MESSAGES_APP_NAME: "Acme",
    CUSTOM_EMAIL_SENDER_KMS_KEY_ARN: KEY_ARN,
    CUSTOM_EMAIL_SENDER_FROM_ADDRESS: "no-reply@example.com",
    CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME: tableName,
    CUSTOM_EMAIL_SENDER_CODE_HASH_KEY: HASH_KEY,
  });
  const sender = new SesEmailSender(new SESv2Client({ region: "eu-west-1" }), config.fromAddress);
  const handler = createCustomEmailSenderHandler({
    catalog: config.catalog,
    codeHashKey: config.codeHashKey,
    timing: config.common,
    logger: createLogger("customEmailSender"),
    decrypt: createCodeDecrypter(aesKeyring()),
    sendOnce: powertoolsSendOnce(sender, dynamo.client, { tableName, ttlSeconds: 86_400 }),
  });
  return { handler, tableName };
}

function sent(): SendEmailCommandInput[] {
  return ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
}

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

describe("custom email sender: every source", () => {
  test.each(Object.values(CUSTOM_EMAIL_SENDER_KINDS))(
    "%s: decrypted, rendered, sent once through SES v2",
    async (kind) => {
      // Prepare
      const { handler } = await setUp();
      const notification = kind === "account-take-over-notification";
      const event = await eventFor(kind, notification ? null : "482913");

      // Act
      await handler(event);

      // Assess
      const [input] = sent();
      expect(sent()).toHaveLength(1);
      expect(input?.FromEmailAddress).toBe("no-reply@example.com");
      expect(input?.Destination?.ToAddresses).toEqual(["jane.doe@example.com"]);
      const html = input?.Content?.Simple?.Body?.Html?.Data ?? "";
      const text = input?.Content?.Simple?.Body?.Text?.Data ?? "";
      expect(input?.Content?.Simple?.Subject?.Data).toContain("Acme");
      if (!notification) {
        expect(html).toContain("482913");
        expect(text).toContain("482913");
      }
      expect(html).not.toContain("{####}");
      if (kind === "admin-create-user") expect(text).toContain(`Username: ${event.userName}`);
      // The code never reaches a log line.
      expect(output.text()).not.toContain("482913");
      expect(output.text()).toContain('"message":"Custom email handled"');
    },
  );

  test("forgot-password for a fr-FR user: the French template", async () => {
    // Prepare
    const { handler } = await setUp();

    // Act
    await handler(await eventFor("forgot-password", "111222"));

    // Assess
    expect(sent()[0]?.Content?.Simple?.Subject?.Data).toBe("Réinitialisez votre mot de passe Acme");
  });

  test("a temporary password with markup is escaped in the HTML and plain in the text", async () => {
    // Prepare
    const { handler } = await setUp();

    // Act
    await handler(await eventFor("admin-create-user", "Tmp<b>&1"));

    // Assess
    const body = sent()[0]?.Content?.Simple?.Body;
    expect(body?.Html?.Data).toContain("<strong>Tmp&lt;b&gt;&amp;1</strong>");
    expect(body?.Text?.Data).toContain("Temporary password: Tmp<b>&1");
  });
});

describe("sent once", () => {
  test("Cognito's retries of one event send one email", async () => {
    // Prepare
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");

    // Act
    await handler(structuredClone(event));
    await handler(structuredClone(event));
    await handler(structuredClone(event));

    // Assess
    expect(sent()).toHaveLength(1);
  });

  test("the same code encrypted again (a fresh ciphertext) is still the same email", async () => {
    // Prepare
    const { handler } = await setUp();

    // Act
    await handler(await eventFor("sign-up", "123456"));
    await handler(await eventFor("sign-up", "123456"));

    // Assess
    expect(sent()).toHaveLength(1);
  });

  test("a new code, or the same code for another source, is a new email", async () => {
    // Prepare
    const { handler } = await setUp();

    // Act
    await handler(await eventFor("sign-up", "123456"));
    await handler(await eventFor("resend-code", "123456"));
    await handler(await eventFor("resend-code", "654321"));

    // Assess
    expect(sent()).toHaveLength(3);
  });

  test("the table holds no code and no digest a code could be guessed from", async () => {
    // Prepare
    const { handler, tableName } = await setUp();
    await handler(await eventFor("forgot-password", "987654"));

    // Act
    const items = await dynamo.client.send(new ScanCommand({ TableName: tableName }));

    // Assess
    expect(items.Items).toHaveLength(1);
    const stored = JSON.stringify(items.Items);
    expect(stored).not.toContain("987654");
    expect(stored).not.toContain("jane.doe@example.com");
    expect(items.Items?.[0]?.status?.S).toBe("COMPLETED");
  });

  test("SES refuses (4xx): the trigger fails, nothing is recorded, Cognito's retry sends", async () => {
    // Prepare
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");
    ses.on(SendEmailCommand).rejectsOnce(
      Object.assign(new Error("Email address is not verified."), {
        name: "MessageRejected",
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const first = handler(structuredClone(event));
    await expect(first).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    await handler(structuredClone(event));

    // Assess
    expect(sent()).toHaveLength(2);
    expect(output.text()).toContain("MessageRejected");
  });

  test("SES outcome unknown (5xx/timeout): recorded as sent, logged at ERROR, not resent", async () => {
    // Prepare
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error("timeout"), { name: "TimeoutError" }));

    // Act
    await handler(structuredClone(event));
    await handler(structuredClone(event));

    // Assess
    expect(sent()).toHaveLength(1);
    expect(output.text()).toContain("SES outcome unknown");
  });

  test("a retry while the first invocation is still sending: nothing sent twice", async () => {
    // Prepare: SES answers slowly, so the second invocation finds the record in progress.
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");
    ses.on(SendEmailCommand).callsFake(async () => {
      await new Promise((ok) => setTimeout(ok, 300));
      return { MessageId: "slow" };
    });

    // Act
    await Promise.all([handler(structuredClone(event)), handler(structuredClone(event))]);

    // Assess
    expect(sent()).toHaveLength(1);
    expect(output.text()).toContain('"result":"in-progress"');
  });

  test("an unusable idempotency table: the email is sent anyway, logged at ERROR", async () => {
    // Prepare
    const { handler } = await setUp({ createTable: false });

    // Act
    await handler(await eventFor("sign-up", "123456"));

    // Assess
    expect(sent()).toHaveLength(1);
    expect(output.text()).toContain("without an idempotency record");
  });
});

describe("bad codes and events", () => {
  test("a code encrypted under another key: the generic error, nothing sent", async () => {
    // Prepare
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");
    event.request.code = await encryptCode("123456", randomBytes(32));

    // Act / Assess
    await expect(handler(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(sent()).toHaveLength(0);
  });

  test.each([
    ["not base64", "%%%"],
    ["no code", null],
    ["base64 that is no Encryption SDK message", Buffer.from("hello").toString("base64")],
  ])("%s: the generic error, nothing sent", async (_name, code) => {
    // Prepare
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");
    event.request.code = code;

    // Act / Assess
    await expect(handler(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(sent()).toHaveLength(0);
  });

  test("an email attribute holding a list: not sent, logged, the trigger succeeds", async () => {
    // Prepare
    const { handler } = await setUp();
    const event = await eventFor("sign-up", "123456");
    Object.assign(event.request.userAttributes, { email: "a@example.com, b@example.com" });

    // Act
    await handler(event);

    // Assess
    expect(sent()).toHaveLength(0);
    expect(output.text()).toContain("not one bare address");
  });
});

describe("custom email sender config", () => {
  const base = {
    MESSAGES_APP_NAME: "Acme",
    CUSTOM_EMAIL_SENDER_KMS_KEY_ARN: KEY_ARN,
    CUSTOM_EMAIL_SENDER_FROM_ADDRESS: "no-reply@example.com",
    CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME: "idem",
    CUSTOM_EMAIL_SENDER_CODE_HASH_KEY: HASH_KEY,
  };
  test.each([
    ["CUSTOM_EMAIL_SENDER_KMS_KEY_ARN", "alias/cognito"],
    ["CUSTOM_EMAIL_SENDER_FROM_ADDRESS", "Acme <no-reply@example.com>"],
    ["CUSTOM_EMAIL_SENDER_CODE_HASH_KEY", "short"],
    ["CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME", ""],
    ["CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TTL_SECONDS", "10"],
  ])("a bad %s fails naming it", (name, value) => {
    expect(() => loadCustomEmailSenderConfig({ ...base, [name]: value })).toThrow(name);
  });
});
