/**
 * Where the code email goes: SES v2 `SendEmail` in AWS, a local outbox (file or
 * stderr) in local mode. Both implement {@link CodeSender}.
 *
 * No sender logs or throws the message: a failure is a DependencyError that
 * names the SES error only, so the code cannot leak through an error or a log line.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import {
  awsErrorName,
  type Deadline,
  DeadlineExceededError,
  type SdkClientConfig,
  sdkClientConfig,
} from "../aws/clients";
import { DependencyError } from "../errors";
import type { CreateAuthConfig } from "./config";

/** One plain-text email. */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** Delivers a code email; rejects with a DependencyError when it cannot. */
export interface CodeSender {
  /** Send `message`; a sender that calls AWS stops at `deadline` (the invocation's, when given). */
  send(message: EmailMessage, deadline?: Deadline): Promise<void>;
}

/**
 * SES v2 sender. The client is created once per container with `sdkClientConfig` (bounded
 * timeouts); each send also stops at the invocation's deadline when one is given.
 */
export class SesCodeSender implements CodeSender {
  constructor(
    private readonly client: Pick<SESv2Client, "send">,
    private readonly fromAddress: string,
    private readonly configurationSet?: string,
  ) {}

  async send(message: EmailMessage, deadline?: Deadline): Promise<void> {
    // Throws a DeadlineExceededError (no message content) when too little time is left to try.
    const options = deadline?.callOptions("SES SendEmail");
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.fromAddress,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: "UTF-8" },
              Body: { Text: { Data: message.body, Charset: "UTF-8" } },
            },
          },
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        }),
        options,
      );
    } catch (error) {
      // The cause is dropped on purpose: only its name and status are kept, never the request.
      if (deadline?.expired) {
        throw new DeadlineExceededError("SES SendEmail stopped at the invocation deadline");
      }
      const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata
        ?.httpStatusCode;
      throw new DependencyError(
        `SES SendEmail failed (${awsErrorName(error) ?? "UnknownError"}${status ? `, HTTP ${status}` : ""})`,
      );
    }
  }
}

/**
 * Local-mode sender: the email is written to a new file in `outboxDir`
 * (`<epoch ms>-<random>-custom-auth-<recipient>.txt`, newest last in `ls`), or to stderr when no directory is set.
 * This is the one documented place a code is shown, because it IS the email.
 */
export class LocalCodeSender implements CodeSender {
  constructor(
    private readonly fromAddress: string,
    private readonly outboxDir: string | undefined,
    private readonly writeStderr: (text: string) => void = (text) => {
      process.stderr.write(text);
    },
    private readonly now: () => number = Date.now,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    const text = `From: ${this.fromAddress}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.body}\n`;
    if (this.outboxDir === undefined) {
      this.writeStderr(`----- local email (not sent) -----\n${text}----- end of email -----\n`);
      return;
    }
    try {
      mkdirSync(this.outboxDir, { recursive: true });
      const safeTo = message.to.replace(/[^A-Za-z0-9@._-]/g, "_");
      writeFileSync(
        join(
          this.outboxDir,
          `${this.now()}-${randomBytes(3).toString("hex")}-custom-auth-${safeTo}.txt`,
        ),
        text,
        {
          flag: "wx",
          mode: 0o600,
        },
      );
    } catch (error) {
      throw new DependencyError(
        `local outbox write failed (${(error as NodeJS.ErrnoException)?.code ?? "unknown"})`,
      );
    }
  }
}

/**
 * The sender for a create-auth config: the local outbox in local mode (unless a local
 * SES endpoint is set through the SDK's standard variables), SES v2 otherwise, with a
 * client built once from `sdkClientConfig` (bounded timeouts inside Cognito's 5 s).
 */
export function buildCodeSender(
  config: CreateAuthConfig,
  makeSes: (options: SdkClientConfig) => Pick<SESv2Client, "send"> = (options) =>
    new SESv2Client(options),
): CodeSender {
  if (config.common.localMode && config.sesEndpoint === undefined) {
    return new LocalCodeSender(config.fromAddress, config.common.localOutboxDir);
  }
  return new SesCodeSender(
    makeSes(sdkClientConfig(config.common)),
    config.fromAddress,
    config.configurationSet,
  );
}
