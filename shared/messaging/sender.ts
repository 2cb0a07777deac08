/**
 * Where messages go: SES v2 `SendEmail` in AWS, the local outbox (a file per email, or
 * stderr) in local mode. Both implement {@link EmailSender}; {@link createEmailSender} picks
 * one in one place.
 *
 * No sender logs or throws the message: a failure names the SES error only, so a code in the
 * message cannot leak through an error or a log line. A send that may have been accepted
 * (timed out, aborted, a 5xx) is a {@link SendOutcomeUnknownError}, never retried here: SES
 * could deliver it twice.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import {
  awsCall,
  type Deadline,
  errorLabel,
  networkErrorCode,
  type SdkClientConfig,
} from "../aws/clients";
import {
  type EmailSender,
  type OutgoingEmail,
  SendOutcomeUnknownError,
  SendRefusedError,
} from "./email";

// The contract (message, sender, outcomes) lives in ./email, free of the SDK, so code that
// only sends through a given sender does not load the SES client.
export {
  type EmailSender,
  type OutgoingEmail,
  SendOutcomeUnknownError,
  SendRefusedError,
} from "./email";

// Network errors raised before a connection existed: the request cannot have reached SES.
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** SES v2 sender. Build its client with {@link sesClientConfig} (one attempt). */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: Pick<SESv2Client, "send">,
    private readonly fromAddress: string,
    private readonly configurationSet?: string,
  ) {}

  async send(message: OutgoingEmail, deadline?: Deadline): Promise<void> {
    await awsCall(
      "SES SendEmail",
      deadline,
      (options) =>
        this.client.send(
          new SendEmailCommand({
            FromEmailAddress: this.fromAddress,
            Destination: { ToAddresses: [message.to] },
            Content: {
              Simple: {
                Subject: { Data: message.subject, Charset: "UTF-8" },
                Body: {
                  Text: { Data: message.text, Charset: "UTF-8" },
                  ...(message.html !== undefined
                    ? { Html: { Data: message.html, Charset: "UTF-8" } }
                    : {}),
                },
              },
            },
            ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
          }),
          options,
        ),
      { fail: sendFailure, notStarted: (error) => new SendRefusedError(error.message) },
    );
  }
}

/**
 * What a failed SendEmail means for the email. The cause is dropped on purpose: only its name
 * and status are kept, never the request (which holds the message).
 */
function sendFailure(_operation: string, error: unknown, deadline: Deadline | undefined): Error {
  const label = errorLabel(error) ?? "UnknownError";
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const detail = `SES SendEmail failed (${label}${status ? `, HTTP ${status}` : ""})`;
  // Only a 4xx answer, or a connection that was never made, proves SES did not take the email.
  const notReached = NOT_CONNECTED.has(networkErrorCode(error) ?? "");
  if (
    (notReached || (status !== undefined && status >= 400 && status < 500)) &&
    !deadline?.expired
  ) {
    return new SendRefusedError(detail);
  }
  return new SendOutcomeUnknownError(
    deadline?.expired ? "SES SendEmail stopped at the invocation deadline" : detail,
  );
}

/**
 * SES client options: the shared timeouts with ONE attempt. An SDK retry after a timeout
 * would send again an email SES may already have accepted.
 */
export function sesClientConfig(base: SdkClientConfig): SdkClientConfig {
  return { ...base, maxAttempts: 1 };
}

/**
 * Local-mode sender: each email becomes a new file in `outboxDir`
 * (`<epoch ms>-<random>-<label>-<recipient>.txt`, newest last in `ls`), or goes to stderr when
 * no directory is set. The one documented place a code is shown, because it IS the email.
 */
export class LocalOutboxSender implements EmailSender {
  constructor(
    private readonly fromAddress: string,
    private readonly outboxDir: string | undefined,
    private readonly writeStderr: (text: string) => void = (text) => {
      process.stderr.write(text);
    },
    private readonly now: () => number = Date.now,
  ) {}

  async send(message: OutgoingEmail): Promise<void> {
    const html = message.html === undefined ? "" : `\n----- HTML -----\n${message.html}\n`;
    const text = `From: ${this.fromAddress}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n${html}`;
    if (this.outboxDir === undefined) {
      this.writeStderr(`----- local email (not sent) -----\n${text}----- end of email -----\n`);
      return;
    }
    try {
      mkdirSync(this.outboxDir, { recursive: true });
      const safeTo = message.to.replace(/[^A-Za-z0-9@._-]/g, "_");
      const safeLabel = message.label.replace(/[^A-Za-z0-9-]/g, "_");
      writeFileSync(
        join(
          this.outboxDir,
          `${this.now()}-${randomBytes(3).toString("hex")}-${safeLabel}-${safeTo}.txt`,
        ),
        text,
        { flag: "wx", mode: 0o600 },
      );
    } catch (error) {
      throw new SendRefusedError(
        `local outbox write failed (${(error as NodeJS.ErrnoException)?.code ?? "unknown"})`,
      );
    }
  }
}

/** What {@link createEmailSender} needs. */
export interface EmailSenderSettings {
  readonly localMode: boolean;
  readonly localOutboxDir: string | undefined;
  /** AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL: a local SES stand-in, used instead of the outbox. */
  readonly sesEndpoint: string | undefined;
  readonly fromAddress: string;
  readonly configurationSet: string | undefined;
  readonly sdk: SdkClientConfig;
}

/**
 * The sender: the local outbox in local mode (unless a local SES endpoint is set), SES v2
 * otherwise, with a client built once with {@link sesClientConfig}.
 */
export function createEmailSender(
  settings: EmailSenderSettings,
  makeSes: (options: SdkClientConfig) => Pick<SESv2Client, "send"> = (options) =>
    new SESv2Client(options),
): EmailSender {
  if (settings.localMode && settings.sesEndpoint === undefined) {
    return new LocalOutboxSender(settings.fromAddress, settings.localOutboxDir);
  }
  return new SesEmailSender(
    makeSes(sesClientConfig(settings.sdk)),
    settings.fromAddress,
    settings.configurationSet,
  );
}
