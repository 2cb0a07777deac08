/**
 * The shared email sender: SES v2 with one attempt (a 4xx is "refused", anything SES may have
 * accepted is "unknown", never retried), the local outbox, and the choice between them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { Deadline, sdkClientConfig } from "../../shared/aws/clients";
import {
  createEmailSender,
  LocalOutboxSender,
  SendOutcomeUnknownError,
  SendRefusedError,
  SesEmailSender,
  sesClientConfig,
} from "../../shared/messaging/sender";

const ses = mockClient(SESv2Client);
const EMAIL = {
  to: "jane@example.com",
  subject: "Your code",
  text: "Code 123456",
  html: "<p>Code <strong>123456</strong></p>",
  label: "sign-up",
};

afterEach(() => {
  ses.reset();
});

function failure(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} 123456`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });
}

describe("SES v2 sender", () => {
  test("sends text and HTML from the configured address, with the configuration set", async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: "m" });
    const sender = new SesEmailSender(new SESv2Client({}), "no-reply@example.com", "emails");

    // Act
    await sender.send(EMAIL);

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      FromEmailAddress: "no-reply@example.com",
      Destination: { ToAddresses: ["jane@example.com"] },
      ConfigurationSetName: "emails",
      Content: {
        Simple: {
          Subject: { Data: "Your code" },
          Body: { Text: { Data: "Code 123456" }, Html: { Data: EMAIL.html } },
        },
      },
    });
  });

  test.each([
    ["MessageRejected", 400, SendRefusedError],
    ["TooManyRequestsException", 429, SendRefusedError],
    ["InternalFailure", 500, SendOutcomeUnknownError],
    ["TimeoutError", undefined, SendOutcomeUnknownError],
  ])("%s (HTTP %s) is a %p, naming the error and never the message", async (name, status, kind) => {
    // Prepare
    ses.on(SendEmailCommand).rejects(failure(name, status));
    const sender = new SesEmailSender(new SESv2Client({}), "no-reply@example.com");

    // Act
    const outcome = sender.send(EMAIL);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(kind);
    await expect(sender.send(EMAIL)).rejects.toThrow(name);
    await expect(sender.send(EMAIL)).rejects.not.toThrow("123456");
  });

  test("a deadline already passed: refused before any call", async () => {
    // Prepare
    const deadline = new Deadline(0, 1000);
    const sender = new SesEmailSender(new SESv2Client({}), "no-reply@example.com");

    // Act / Assess
    await expect(sender.send(EMAIL, deadline)).rejects.toBeInstanceOf(SendRefusedError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    deadline.dispose();
  });

  test("the SES client makes one attempt (no SDK retry of a send SES may have accepted)", () => {
    // Act
    const options = sesClientConfig(sdkClientConfig({ awsCallTimeoutMs: 1500, awsMaxAttempts: 3 }));

    // Assess
    expect(options.maxAttempts).toBe(1);
    expect(options.requestHandler.requestTimeout).toBe(1500);
  });
});

describe("local outbox and the choice of sender", () => {
  test("the outbox gets one private file per email, with both bodies", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "outbox-"));
    const sender = new LocalOutboxSender("no-reply@example.com", dir);

    // Act
    await sender.send(EMAIL);

    // Assess
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d+-[0-9a-f]{6}-sign-up-jane@example\.com\.txt$/);
    const text = readFileSync(join(dir, files[0] ?? ""), "utf8");
    expect(text).toContain("Subject: Your code");
    expect(text).toContain("Code 123456");
    expect(text).toContain("<strong>123456</strong>");
    rmSync(dir, { recursive: true, force: true });
  });

  test("local mode without an SES endpoint: the outbox; otherwise SES with one attempt", () => {
    // Prepare
    const base = {
      localOutboxDir: undefined,
      fromAddress: "no-reply@example.com",
      configurationSet: undefined,
      sdk: sdkClientConfig({ awsCallTimeoutMs: 1500, awsMaxAttempts: 2 }),
    };
    const made: number[] = [];

    // Act
    const local = createEmailSender({ ...base, localMode: true, sesEndpoint: undefined });
    const aws = createEmailSender({ ...base, localMode: false, sesEndpoint: undefined }, (o) => {
      made.push(o.maxAttempts);
      return new SESv2Client({});
    });

    // Assess
    expect(local).toBeInstanceOf(LocalOutboxSender);
    expect(aws).toBeInstanceOf(SesEmailSender);
    expect(made).toEqual([1]);
  });
});
