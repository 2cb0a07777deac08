/**
 * Sending once: Cognito retries a custom sender that errors or times out, and each retry
 * would send the same code again. Powertools Idempotency (DynamoDB persistence) records each
 * (user, source, code) key for the code's lifetime; a retry finds the record and sends nothing.
 *
 * A send SES may have accepted (timeout, 5xx) is recorded as done: a missing email can be
 * asked for again, a duplicate cannot be taken back. A send SES refused is not recorded, so
 * Cognito's retry sends it.
 */

import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { CreateTableCommandInput, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import type { Deadline } from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import { type EmailSender, type OutgoingEmail, SendOutcomeUnknownError } from "../messaging/sender";
import type { SendKey } from "./plan";

/** What happened to one email. */
export type SendResult =
  /** Sent now. */
  | "sent"
  /** Sent now, but SES's answer was lost: recorded as sent, never resent. */
  | "unknown"
  /** An earlier invocation sent it (a retry): nothing sent. */
  | "duplicate"
  /** An earlier invocation is sending it right now: nothing sent. */
  | "in-progress"
  /** The table could not be used: sent without a record (a retry may send it again). */
  | "sent-unrecorded";

/** Send an email at most once per key. */
export type SendOnce = (
  key: SendKey,
  email: OutgoingEmail,
  deadline: Deadline,
  context?: Context,
) => Promise<SendResult>;

/** The Powertools settings. */
export interface OnceSettings {
  readonly tableName: string;
  readonly ttlSeconds: number;
}

/**
 * {@link SendOnce} over `sender`, recorded in the Powertools idempotency table through
 * `client` (built once, with bounded timeouts).
 */
export function powertoolsSendOnce(
  sender: EmailSender,
  client: DynamoDBClient,
  settings: OnceSettings,
): SendOnce {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: settings.tableName,
    awsSdkV3Client: client,
  });
  const config = new IdempotencyConfig({
    expiresAfterSeconds: settings.ttlSeconds,
    // The key is already an HMAC; sha256 keeps the stored digest collision-free.
    hashFunction: "sha256",
  });
  // The data to hash is argument 0 (the key); argument 1 carries the email and the outcome.
  const send = makeIdempotent(
    async (_key: SendKey, job: Job): Promise<"sent" | "unknown"> => {
      job.outcome = await sendReporting(sender, job.email, job.deadline);
      return job.outcome;
    },
    // A fixed prefix: the key does not change when the function is renamed.
    { persistenceStore, config, dataIndexArgument: 0, keyPrefix: "custom-email-sender" },
  );
  return async (key, email, deadline, context) => {
    if (context) config.registerLambdaContext(context);
    const job: Job = { email, deadline, outcome: undefined };
    try {
      const result = await send(key, job);
      return job.outcome === undefined ? "duplicate" : result;
    } catch (error) {
      // Sent, but the record could not be completed: the send stands (the in-progress record
      // still stops retries until it expires).
      if (job.outcome !== undefined) return job.outcome;
      if (error instanceof IdempotencyAlreadyInProgressError) return "in-progress";
      // The table is unusable: a possible duplicate is better than no code at all.
      if (error instanceof IdempotencyPersistenceLayerError) {
        const outcome = await sendReporting(sender, email, deadline);
        return outcome === "sent" ? "sent-unrecorded" : outcome;
      }
      throw error;
    }
  };
}

interface Job {
  readonly email: OutgoingEmail;
  readonly deadline: Deadline;
  outcome: "sent" | "unknown" | undefined;
}

/** Send; an outcome SES may have accepted is "unknown" (not an error: never resent). */
async function sendReporting(
  sender: EmailSender,
  email: OutgoingEmail,
  deadline: Deadline,
): Promise<"sent" | "unknown"> {
  try {
    await sender.send(email, deadline);
    return "sent";
  } catch (error) {
    if (error instanceof SendOutcomeUnknownError) return "unknown";
    throw error;
  }
}

/** The idempotency table as a CreateTable input (Powertools' default key `id`; serverless.yml declares the same). */
export function idempotencyTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyTable(tableName, "id");
}
