/**
 * The cross-sign-in lockout, end to end: whole sign-ins driven through the three handlers as
 * Cognito drives them (harness.ts), with the failure counters in a real DynamoDB engine
 * (dynalite, in-process). Threshold, clearing on success, the window, concurrency, what the
 * caller sees (nothing), what the log says, and what a DynamoDB failure does.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { loadCreateAuthConfig, loadVerifyAuthConfig } from "../../shared/custom-auth/config";
import {
  createIssueAuthChallengeHandler,
  createVerifyAuthChallengeHandler,
} from "../../shared/custom-auth/handlers";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { type AttemptStore, attemptsKey } from "../../shared/lockout/attempt-store";
import { dynamoAttemptStore } from "../../shared/lockout/dynamodb-attempt-store";
import { createLogger } from "../../shared/logger";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { CustomAuthHarness, type HarnessOptions, JANE, POOL_ID } from "./harness";

const EMAIL = "jane.doe@example.com";
const JANE_KEY = attemptsKey(POOL_ID, JANE.attributes.sub as string);
// Every code the harness draws is 444444, so "000000" is always wrong.
const CODE = "444444";
const WRONG = "000000";
const SAME_CHALLENGE = {
  kind: "challenge",
  challengeName: "CUSTOM_CHALLENGE",
  parameters: { email: "j***@e***.com" },
};
const FAILED = { kind: "failed", error: "NotAuthorizedException" };

let dynamo: LocalDynamo;
let output: CapturedOutput;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

/** A harness whose create and verify share a fresh attempts table, as in a deployment. */
async function lockedHarness(
  options: HarnessOptions & { store?: (table: string) => AttemptStore } = {},
): Promise<{ harness: CustomAuthHarness; store: AttemptStore; table: string }> {
  tables += 1;
  const table = `custom-auth-attempts-${tables}`;
  await dynamo.createAttemptsTable(table);
  const store = options.store?.(table) ?? dynamoAttemptStore(dynamo.client, table);
  const harness = new CustomAuthHarness({
    randomInt: () => 4,
    ...options,
    env: { CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: table, ...options.env },
    attempts: store,
  });
  return { harness, store, table };
}

/** One whole sign-in of the attacker: three wrong answers (the per-sign-in limit). */
async function failedSignIn(harness: CustomAuthHarness, username = EMAIL) {
  const signIn = await harness.signIn(username);
  const outcomes = [signIn.outcome];
  for (let i = 0; i < 3; i++) outcomes.push(await signIn.answer(WRONG));
  return outcomes;
}

/** The lockout's log lines (the `lockout` key). */
function lockoutLines() {
  return output.jsonLines().filter((line) => "lockout" in line);
}

describe("cross-sign-in lockout (CUSTOM_AUTH_LOCKOUT_THRESHOLD, default 10 in 900 s)", () => {
  it("locks an attacker out after 10 wrong answers over 4 sign-ins: no more codes, no signal", async () => {
    // Prepare: three whole failed sign-ins (9 wrong answers), each emailing the user.
    const { harness, store } = await lockedHarness();
    for (let i = 0; i < 3; i++) await failedSignIn(harness);
    const fourth = await harness.signIn(EMAIL);
    const emailsBeforeLock = harness.sender.sent.length;

    // Act: the 10th wrong answer locks; then a fifth sign-in, answered with the code create
    // would have sent.
    await fourth.answer(WRONG);
    const fifth = await harness.signIn(EMAIL);
    const answers = [await fifth.answer(CODE), await fifth.answer(CODE), await fifth.answer(CODE)];

    // Assess: the same challenge as ever, no email, every answer wrong, the same failure.
    expect(emailsBeforeLock).toBe(4);
    expect(fifth.session).toHaveLength(3);
    expect(harness.sender.sent).toHaveLength(4);
    expect(answers).toEqual([SAME_CHALLENGE, SAME_CHALLENGE, FAILED]);
    expect(harness.sleeps).toHaveLength(1);
    expect(await store.read(JANE_KEY, harness.clock.now())).toMatchObject({ failures: 13 });
  });

  it("the locked sign-in looks exactly like a normal one to the caller", async () => {
    // Prepare
    const open = await lockedHarness();
    const locked = await lockedHarness();
    for (let i = 0; i < 4; i++) await failedSignIn(locked.harness);

    // Act: the same attacker transcript against an open and a locked account.
    const openTranscript = await failedSignIn(open.harness);
    const lockedTranscript = await failedSignIn(locked.harness);

    // Assess
    expect(lockedTranscript).toEqual(openTranscript);
    expect(openTranscript).toEqual([SAME_CHALLENGE, SAME_CHALLENGE, SAME_CHALLENGE, FAILED]);
  });

  it("logs a WARN with the reason when the threshold is reached and when a code is withheld", async () => {
    // Prepare
    const { harness } = await lockedHarness();
    for (let i = 0; i < 4; i++) await failedSignIn(harness);

    // Act
    await harness.signIn(EMAIL);

    // Assess: a counter, the end of the lock and the user's opaque sub; no address, no code.
    const reached = lockoutLines().filter((l) => l.lockout === "threshold-reached");
    const withheld = lockoutLines().filter((l) => l.lockout === "locked");
    expect(reached).toHaveLength(1);
    expect(reached[0]).toMatchObject({
      level: "WARN",
      failures: 10,
      sub: JANE.attributes.sub,
      lockedUntil: new Date(harness.clock.now() + 900_000).toISOString(),
    });
    expect(withheld).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "Custom auth code withheld: too many wrong answers across sign-ins",
        failures: 12,
      }),
    ]);
    expect(output.jsonLines()).toContainEqual(
      expect.objectContaining({ step: "pretend-send", pretendReason: "locked-out" }),
    );
    expect(output.text()).not.toContain(EMAIL);
    expect(output.text()).not.toContain(CODE);
  });

  it("a correct answer clears the counter: the user's own sign-in resets the attacker's count", async () => {
    // Prepare: 8 wrong answers, then the user signs in with one more wrong, then the code.
    const { harness, store } = await lockedHarness();
    for (let i = 0; i < 2; i++) await failedSignIn(harness);
    await (await harness.signIn(EMAIL)).answer(WRONG);
    const user = await harness.signIn(EMAIL);
    await user.answer(WRONG);

    // Act
    const result = await user.answer(CODE);
    const afterSuccess = await store.read(JANE_KEY, harness.clock.now());
    for (let i = 0; i < 3; i++) await failedSignIn(harness);
    const nextSignIn = await harness.signIn(EMAIL);

    // Assess: cleared, so 9 more wrong answers do not lock, and the next sign-in gets a code.
    expect(result).toEqual({ kind: "tokens" });
    expect(afterSuccess).toBeUndefined();
    expect(nextSignIn.outcome).toEqual(SAME_CHALLENGE);
    expect(await nextSignIn.answer(harness.sender.lastCode())).toEqual({ kind: "tokens" });
  });

  it("the lock ends with the window, counted from the first failure", async () => {
    // Prepare: 12 wrong answers over 100 s.
    const { harness } = await lockedHarness();
    for (let i = 0; i < 4; i++) {
      await failedSignIn(harness);
      harness.clock.advance(25);
    }
    const sentWhenLocked = harness.sender.sent.length;

    // Act
    harness.clock.advance(799); // 899 s after the first failure
    const stillLocked = await harness.signIn(EMAIL);
    harness.clock.advance(1); // 900 s
    const unlocked = await harness.signIn(EMAIL);

    // Assess
    expect(stillLocked.outcome).toEqual(SAME_CHALLENGE);
    expect(harness.sender.sent).toHaveLength(sentWhenLocked + 1);
    expect(await unlocked.answer(CODE)).toEqual({ kind: "tokens" });
  });

  it("honours a configured threshold and window", async () => {
    const { harness } = await lockedHarness({
      env: { CUSTOM_AUTH_LOCKOUT_THRESHOLD: "3", CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: "60" },
    });
    await failedSignIn(harness);

    const locked = await harness.signIn(EMAIL);
    harness.clock.advance(60);
    const open = await harness.signIn(EMAIL);

    expect(harness.sender.sent).toHaveLength(2);
    expect(await locked.answer(CODE)).toEqual(SAME_CHALLENGE);
    expect(await open.answer(CODE)).toEqual({ kind: "tokens" });
  });

  it("counts concurrent wrong answers atomically: 12 parallel sign-ins lock the account", async () => {
    // Prepare: 12 sign-ins opened before any answer (each gets a code).
    const { harness, store } = await lockedHarness();
    const signIns = [];
    for (let i = 0; i < 12; i++) signIns.push(await harness.signIn(EMAIL));

    // Act: one wrong answer in each, all at once.
    await Promise.all(signIns.map((s) => s.answer(WRONG)));
    const next = await harness.signIn(EMAIL);

    // Assess
    expect(await store.read(JANE_KEY, harness.clock.now())).toMatchObject({ failures: 12 });
    expect(lockoutLines().filter((l) => l.lockout === "threshold-reached")).toHaveLength(1);
    expect(next.outcome).toEqual(SAME_CHALLENGE);
    expect(harness.sender.sent).toHaveLength(12);
  });

  it("refuses the right code in a sign-in opened before the lock (pre-opened sessions gain nothing)", async () => {
    // Prepare: the attacker opens sign-ins first, then spends 10 answers in other ones.
    const { harness } = await lockedHarness();
    const early = await harness.signIn(EMAIL);
    for (let i = 0; i < 4; i++) await failedSignIn(harness);

    // Act: the code of the early sign-in (all codes are 444444 here) is right but refused.
    const result = await early.answer(CODE);

    // Assess
    expect(result).toEqual(SAME_CHALLENGE);
    expect(early.session.at(-1)?.challengeResult).toBe(false);
    expect(lockoutLines()).toContainEqual(
      expect.objectContaining({
        level: "WARN",
        lockout: "locked",
        message: "Custom auth correct answer refused: locked out across sign-ins",
      }),
    );
  });

  it("counts the password-code flow's code answers too", async () => {
    const { harness } = await lockedHarness();
    for (let i = 0; i < 4; i++) {
      const signIn = await harness.signIn(EMAIL, { srp: true });
      await signIn.password(JANE.password);
      for (let a = 0; a < 3; a++) await signIn.answer(WRONG);
    }
    const sent = harness.sender.sent.length;

    const signIn = await harness.signIn(EMAIL, { srp: true });
    await signIn.password(JANE.password);

    expect(harness.sender.sent).toHaveLength(sent);
    expect(await signIn.answer(CODE)).toEqual(SAME_CHALLENGE);
  });

  it("reads and counts for unknown users too, so the steps cost the same for everyone", async () => {
    // Prepare
    const { harness, store, table } = await lockedHarness({ users: {} });
    const calls: string[] = [];
    const spied: AttemptStore = {
      read: (...args) => {
        calls.push("read");
        return store.read(...args);
      },
      recordFailure: (...args) => {
        calls.push("recordFailure");
        return store.recordFailure(...args);
      },
      clearUnlessLocked: (...args) => {
        calls.push("clearUnlessLocked");
        return store.clearUnlessLocked(...args);
      },
    };
    const unknown = new CustomAuthHarness({
      users: {},
      env: { CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: table },
      attempts: spied,
    });

    // Act
    const transcript = await failedSignIn(unknown, "nobody@example.net");

    // Assess: one read at create, one count per answer, keyed by what was typed.
    expect(calls).toEqual(["read", "recordFailure", "recordFailure", "recordFailure"]);
    expect(transcript.at(-1)).toEqual(FAILED);
    expect(
      await store.read(attemptsKey(POOL_ID, "nobody@example.net"), unknown.clock.now()),
    ).toMatchObject({ failures: 3 });
    expect(harness.sender.sent).toHaveLength(0);
  });

  it("reuses a live code on retry without reading the counter (only new codes are checked)", async () => {
    const calls: string[] = [];
    const { harness } = await lockedHarness({
      store: (table) => {
        const store = dynamoAttemptStore(dynamo.client, table);
        return {
          ...store,
          read: (...args) => {
            calls.push("read");
            return store.read(...args);
          },
        };
      },
    });

    await failedSignIn(harness);

    expect(calls).toEqual(["read"]);
  });
});

describe("when DynamoDB fails", () => {
  /** A store whose every call fails with an SDK-style error called `name`. */
  function failingStore(name: string) {
    return (table: string) =>
      dynamoAttemptStore(
        {
          send: async () => {
            throw Object.assign(new Error(`${name} talking to ${table}`), { name });
          },
        } as never,
        table,
      );
  }

  it("a passing failure (throttling, 5xx, timeout) fails open: sign-ins go on, logged at ERROR", async () => {
    // Prepare
    const { harness } = await lockedHarness({ store: failingStore("ThrottlingException") });

    // Act: 15 wrong answers (over the threshold), then a sign-in with the right code.
    for (let i = 0; i < 5; i++) await failedSignIn(harness);
    const signIn = await harness.signIn(EMAIL);
    const result = await signIn.answer(harness.sender.lastCode());

    // Assess: the per-sign-in limit still held (every sign-in failed after 3 answers), the code
    // was sent each time, the right one accepted; every store failure is an ERROR line.
    expect(harness.sender.sent).toHaveLength(6);
    expect(result).toEqual({ kind: "tokens" });
    const failOpen = lockoutLines().filter((l) => l.lockout === "fail-open");
    expect(failOpen.every((l) => l.level === "ERROR")).toBe(true);
    expect(new Set(failOpen.map((l) => l.operation))).toEqual(
      new Set(["read", "record-failure", "clear"]),
    );
    expect(failOpen).toHaveLength(6 + 15 + 1);
    expect(output.text()).toContain("ThrottlingException");
    expect(output.text()).not.toContain(CODE);
  });

  it("an unreachable DynamoDB fails open (the endpoint of a stopped engine)", async () => {
    // Prepare
    const client = new DynamoDBClient({
      endpoint: "http://127.0.0.1:9",
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const { harness } = await lockedHarness({
      store: (table) => dynamoAttemptStore(client, table),
    });

    // Act
    const signIn = await harness.signIn(EMAIL);
    const result = await signIn.answer(CODE);
    client.destroy();

    // Assess
    expect(result).toEqual({ kind: "tokens" });
    expect(lockoutLines().filter((l) => l.lockout === "fail-open")).toHaveLength(2);
  });

  it("a hanging DynamoDB gets half the time left at create: it fails open and the send still runs", async () => {
    // Prepare: DynamoDB never answers; a call gives up only when its abort signal fires.
    const hanging = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          options?.abortSignal?.addEventListener("abort", () => {
            reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
          });
        }),
    };
    const sendsLeft: number[] = [];
    const handler = createIssueAuthChallengeHandler({
      config: loadCreateAuthConfig({
        LOCAL_MODE: "false",
        CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
        CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts",
        AWS_CALL_BUDGET_MS: "600",
        AWS_CALL_TIMEOUT_MS: "500",
        AWS_MAX_ATTEMPTS: "1",
      }),
      logger: createLogger("createAuthChallenge"),
      sender: {
        send: async (_message, deadline) => {
          sendsLeft.push(deadline?.remainingMs() ?? -1);
        },
      },
      attempts: dynamoAttemptStore(hanging as never, "attempts"),
    });
    const started = Date.now();

    // Act
    await handler(loadEvent("custom-auth-create-first"));

    // Assess: the read stopped at about 300 ms, leaving the send about 300 ms.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(sendsLeft).toHaveLength(1);
    expect(sendsLeft[0]).toBeGreaterThan(200);
    expect(lockoutLines()).toContainEqual(
      expect.objectContaining({ lockout: "fail-open", operation: "read", level: "ERROR" }),
    );
  });

  it("a misconfiguration (no such table) fails closed: the step fails with the generic error", async () => {
    // Prepare: the handlers are pointed at a table that does not exist.
    const { harness } = await lockedHarness({
      store: () => dynamoAttemptStore(dynamo.client, "no-such-table"),
    });
    const verifyOnly = await lockedHarness({
      store: () => {
        const real = dynamoAttemptStore(dynamo.client, `custom-auth-attempts-${tables}`);
        const missing = dynamoAttemptStore(dynamo.client, "no-such-table");
        return { ...missing, read: real.read };
      },
    });

    // Act
    const create = await harness.signIn(EMAIL);
    const verifySignIn = await verifyOnly.harness.signIn(EMAIL);
    const verify = await verifySignIn.answer(CODE);

    // Assess: nothing sent by the failed create, no tokens from the failed verify.
    expect(create.outcome).toEqual({ kind: "error", message: GENERIC_ERROR_MESSAGE });
    expect(harness.sender.sent).toHaveLength(0);
    expect(verify).toEqual({ kind: "error", message: GENERIC_ERROR_MESSAGE });
    const failures = output.jsonLines().filter((l) => l.message === "Trigger failed");
    expect(failures.map((l) => l.errorType)).toEqual([
      "AttemptStoreMisconfiguredError",
      "AttemptStoreMisconfiguredError",
    ]);
  });

  it("verify stops at the invocation deadline (capped by the Lambda's time) and fails open", async () => {
    // The verify step makes one store call under the invocation deadline (capped by the
    // Lambda's remaining time): with 300 ms left there are 50 ms, too little to start.
    const calls: unknown[] = [];
    const handler = createVerifyAuthChallengeHandler({
      config: loadVerifyAuthConfig({ CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts" }),
      logger: createLogger("verifyAuthChallenge"),
      attempts: dynamoAttemptStore(
        {
          send: async (...args: unknown[]) => {
            calls.push(args);
            return {};
          },
        } as never,
        "attempts",
      ),
    });

    const result = await handler(loadEvent("custom-auth-verify-wrong"), {
      getRemainingTimeInMillis: () => 300,
    } as unknown as Context);

    expect(result.response).toEqual({ answerCorrect: false });
    expect(calls).toHaveLength(0);
    expect(lockoutLines()).toContainEqual(
      expect.objectContaining({ lockout: "fail-open", operation: "record-failure" }),
    );
  });
});

describe("when the lockout is off (CUSTOM_AUTH_ATTEMPTS_TABLE_NAME unset)", () => {
  it("nothing is counted and nothing locks; a deployed function says so at cold start", async () => {
    // Prepare
    const harness = new CustomAuthHarness({ randomInt: () => 4 });

    // Act
    for (let i = 0; i < 5; i++) await failedSignIn(harness);
    const signIn = await harness.signIn(EMAIL);

    // Assess
    expect(harness.createConfig.lockout).toBeUndefined();
    expect(await signIn.answer(CODE)).toEqual({ kind: "tokens" });
    expect(
      output
        .jsonLines()
        .filter(
          (l) =>
            l.level === "WARN" &&
            l.message === "Cross-sign-in lockout is off: CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset",
        ),
    ).toHaveLength(2);
  });

  it("a config with the lockout on but no store is a wiring mistake, refused when built", () => {
    const env = { LOCAL_MODE: "false", CUSTOM_AUTH_FROM_ADDRESS: "a@example.com" };
    const withTable = { ...env, CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts" };
    const logger = createLogger("test");

    expect(() =>
      createIssueAuthChallengeHandler({
        config: loadCreateAuthConfig(withTable),
        logger,
        sender: { send: async () => undefined },
      }),
    ).toThrow("no attempts store");
    expect(() =>
      createVerifyAuthChallengeHandler({ config: loadVerifyAuthConfig(withTable), logger }),
    ).toThrow("no attempts store");
  });
});
