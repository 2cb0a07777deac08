/**
 * The invocation deadline the `cognitoTrigger` wrapper owns, for the triggers that moved onto
 * it: against an AWS endpoint that accepts every request and never answers (a real HTTP server
 * on a loopback port, the real SDK clients), each trigger ends at the deadline with the
 * failure its docs promise, before the Lambda's own time runs out, and leaves no call running.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { Context, UserMigrationTriggerEvent } from "aws-lambda";
import { localEngineOptions, sdkClientConfig } from "../../shared/aws/clients";
import { loadCreateAuthConfig, loadVerifyAuthConfig } from "../../shared/custom-auth/config";
import {
  createIssueAuthChallengeHandler,
  createVerifyAuthChallengeHandler,
} from "../../shared/custom-auth/handlers";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type {
  CreateAuthChallengeTriggerEvent,
  PreSignUpTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from "../../shared/events";
import { dynamoAttemptStore } from "../../shared/lockout/dynamodb-attempt-store";
import { createLogger } from "../../shared/logger";
import { SesEmailSender, sesClientConfig } from "../../shared/messaging/sender";
import { CognitoUserDirectory } from "../../shared/pre-signup/cognito-directory";
import { createPreSignUpHandler } from "../../shared/pre-signup/handler";
import { loadUserMigrationConfig } from "../../shared/user-migration/config";
import { dynamoLegacyStore } from "../../shared/user-migration/dynamo-store";
import { createUserMigrationHandler } from "../../shared/user-migration/handler";
import { parseLegacyHash, verifyPassword } from "../../shared/user-migration/hashes";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { configFrom } from "../pre-signup/helpers";

/** What the Lambda context says is left: the deadline is this minus the 250 ms reserve. */
const LAMBDA_LEFT_MS = 1500;
/** The shared settings, as deployed (4 s budget, 1.5 s per attempt, 2 attempts). */
const ENV = { LOCAL_MODE: "false" };

/** An AWS endpoint that takes every request and never answers; it records each and its end. */
interface HangingEndpoint {
  readonly url: string;
  /** Requests received: the operation (JSON `x-amz-target`, or the REST path) and whether the caller gave up. */
  readonly requests: { operation: string; closed: boolean }[];
  close(): Promise<void>;
}

async function hangingEndpoint(): Promise<HangingEndpoint> {
  const requests: { operation: string; closed: boolean }[] = [];
  const open: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const target = req.headers["x-amz-target"];
    const entry = {
      operation: typeof target === "string" ? (target.split(".")[1] ?? target) : `${req.url}`,
      closed: false,
    };
    requests.push(entry);
    req.resume();
    open.push(res);
    res.on("close", () => {
      entry.closed = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A Lambda context with {@link LAMBDA_LEFT_MS} left when the invocation starts. */
function lambdaContext(): Context {
  const end = Date.now() + LAMBDA_LEFT_MS;
  return { getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
}

/** Run `invoke` with a fresh context; how it ended, and how long it took. */
async function timed<T>(invoke: (context: Context) => Promise<T>) {
  const started = Date.now();
  const outcome = await invoke(lambdaContext()).then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, message: error.message }),
  );
  return { outcome, elapsedMs: Date.now() - started };
}

let endpoint: HangingEndpoint;
let output: CapturedOutput;
beforeEach(async () => {
  endpoint = await hangingEndpoint();
  output = captureOutput();
});
afterEach(async () => {
  output.restore();
  await endpoint.close();
});

function clientOptions() {
  return {
    ...sdkClientConfig(configFrom().common),
    ...localEngineOptions(endpoint.url, undefined),
  };
}

/** The invocation ended at its deadline, inside the Lambda's time, with no call left running. */
function expectEndedAtTheDeadline(elapsedMs: number): void {
  // The deadline is LAMBDA_LEFT_MS - 250 ms: well past any early failure, before the Lambda's end.
  expect(elapsedMs).toBeGreaterThanOrEqual(LAMBDA_LEFT_MS - 250 - 100);
  expect(elapsedMs).toBeLessThan(LAMBDA_LEFT_MS);
  expect(endpoint.requests.length).toBeGreaterThan(0);
}

async function expectNoCallLeftRunning(): Promise<void> {
  // The wrapper's dispose aborts whatever is still open; the server sees the close at once.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(endpoint.requests.filter((r) => !r.closed)).toEqual([]);
}

describe("a hung AWS call ends at the invocation deadline the wrapper owns", () => {
  it("preSignUp: a federated sign-in whose ListUsers hangs fails with the generic error", async () => {
    // Prepare
    const config = configFrom(ENV);
    const handler = createPreSignUpHandler({
      config,
      directory: new CognitoUserDirectory(new CognitoIdentityProviderClient(clientOptions())),
      logger: createLogger("preSignUp"),
      timing: config.common,
    });
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider");

    // Act
    const { outcome, elapsedMs } = await timed((context) => handler(event, context));

    // Assess
    expect(outcome).toEqual({ ok: false, message: GENERIC_ERROR_MESSAGE });
    expectEndedAtTheDeadline(elapsedMs);
    expect(endpoint.requests.every((r) => r.operation === "ListUsers")).toBe(true);
    const failed = output.jsonLines().find((l) => l.message === "Trigger failed");
    expect(failed?.errorType).toBe("DeadlineExceededError");
    await expectNoCallLeftRunning();
  });

  it("createAuthChallenge: a hung lockout read fails open, a hung send still answers with the challenge", async () => {
    // Prepare: the lockout on, its table and SES at the hanging endpoint.
    const config = loadCreateAuthConfig({
      ...ENV,
      CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
      CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts",
    });
    const handler = createIssueAuthChallengeHandler({
      config,
      logger: createLogger("createAuthChallenge"),
      sender: new SesEmailSender(
        new SESv2Client(sesClientConfig(clientOptions()) as never),
        "no-reply@example.com",
      ),
      attempts: dynamoAttemptStore(new DynamoDBClient(clientOptions()), "attempts"),
      randomInt: () => 3,
    });
    const event = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");

    // Act
    const { outcome, elapsedMs } = await timed((context) => handler(event, context));

    // Assess: docs/custom-auth.md, "When DynamoDB fails" and "When the send fails".
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.value.response.challengeMetadata).toMatch(/^OTP1\./);
    expectEndedAtTheDeadline(elapsedMs);
    expect(endpoint.requests.map((r) => r.operation)).toEqual([
      "GetItem",
      "/v2/email/outbound-emails",
    ]);
    const lines = output.jsonLines();
    expect(lines).toContainEqual(
      expect.objectContaining({ lockout: "fail-open", operation: "read", level: "ERROR" }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ delivery: "unknown", errorType: "SendOutcomeUnknownError" }),
    );
    expect(output.text()).not.toContain("333333");
    await expectNoCallLeftRunning();
  });

  it("verifyAuthChallenge: a hung lockout clear fails open and the correct answer is accepted", async () => {
    // Prepare
    const config = loadVerifyAuthConfig({ ...ENV, CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts" });
    const handler = createVerifyAuthChallengeHandler({
      config,
      logger: createLogger("verifyAuthChallenge"),
      attempts: dynamoAttemptStore(new DynamoDBClient(clientOptions()), "attempts"),
    });
    const event = loadEvent<VerifyAuthChallengeResponseTriggerEvent>("custom-auth-verify-correct");

    // Act
    const { outcome, elapsedMs } = await timed((context) => handler(event, context));

    // Assess
    expect(outcome.ok && outcome.value.response.answerCorrect).toBe(true);
    expectEndedAtTheDeadline(elapsedMs);
    expect(output.jsonLines()).toContainEqual(
      expect.objectContaining({ lockout: "fail-open", operation: "clear", level: "ERROR" }),
    );
    await expectNoCallLeftRunning();
  });

  it("userMigration: a hung legacy table read fails with the generic error (the user may retry)", async () => {
    // Prepare: no lockout, so the legacy read is the only call.
    const config = loadUserMigrationConfig({
      ...ENV,
      USER_MIGRATION_SOURCE: "dynamodb",
      USER_MIGRATION_TABLE_NAME: "legacy-users",
    });
    const handler = createUserMigrationHandler({
      config,
      logger: createLogger("userMigration"),
      store: dynamoLegacyStore(
        new DynamoDBClient(clientOptions()),
        {
          ...(config.table as NonNullable<typeof config.table>),
          emailVerifiedField: config.emailVerifiedField,
        },
        { parse: parseLegacyHash, verify: verifyPassword, dummy: config.dummyHash },
      ),
      attempts: undefined,
    });
    const event = loadEvent<UserMigrationTriggerEvent>("user-migration-authentication");

    // Act
    const { outcome, elapsedMs } = await timed((context) => handler(event, context));

    // Assess: docs/user-migration.md: a store that cannot answer is not a refusal.
    expect(outcome).toEqual({ ok: false, message: GENERIC_ERROR_MESSAGE });
    expectEndedAtTheDeadline(elapsedMs);
    expect(endpoint.requests.every((r) => r.operation === "GetItem")).toBe(true);
    await expectNoCallLeftRunning();
  });
});
