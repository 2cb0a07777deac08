/**
 * Create-auth-challenge against SES failing the way it does in the field, through the real SES
 * v2 client pointed (AWS_ENDPOINT_URL_SESV2) at loopback stand-ins: refusing (MessageRejected),
 * down (closed port), never answering, and accepting after the client's timeout.
 *
 * Under each fault a real user and an unknown user who typed the same email must get the same
 * answer, and the step must take them the same time. Time is compared on a virtual clock: the
 * pretend path's wait and the handler's own waits advance it, and so does the real duration of
 * each SES call, so the figures are exact and no assertion depends on this machine's speed.
 */
import type { CreateAuthChallengeTriggerEvent } from "aws-lambda";
import { loadCreateAuthConfig, loadVerifyAuthConfig } from "../../shared/custom-auth/config";
import {
  createIssueAuthChallengeHandler,
  createVerifyAuthChallengeHandler,
} from "../../shared/custom-auth/handlers";
import { createCodeSender } from "../../shared/custom-auth/sender";
import type { VerifyAuthChallengeResponseTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import type { EmailSender } from "../../shared/messaging/sender";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import {
  closedPortEndpoint,
  type SesBehaviour,
  type SesServer,
  startSesServer,
} from "../helpers/ses-server";

const EMAIL = "jane.doe@example.com";
const CLIENT_TIMEOUT_MS = 300;

/** A clock that only moves when the handler waits or when an SES call really takes time. */
class VirtualTime {
  ms = Date.UTC(2026, 10, 22, 12, 0, 0);
  readonly now = (): number => this.ms;
  readonly sleep = async (ms: number): Promise<void> => {
    this.ms += ms;
  };
  /** `sender` whose calls advance this clock by their real duration. */
  timed(sender: EmailSender): EmailSender {
    return {
      send: async (message, deadline) => {
        const started = Date.now();
        try {
          await sender.send(message, deadline);
        } finally {
          this.ms += Date.now() - started;
        }
      },
    };
  }
}

/** The real user's first create (a pool whose usernames are generated: she typed her email). */
function realEvent(): CreateAuthChallengeTriggerEvent {
  return loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-first");
}

/** An unknown user who typed the same email (PreventUserExistenceErrors). */
function unknownEvent(): CreateAuthChallengeTriggerEvent {
  const event = loadEvent<CreateAuthChallengeTriggerEvent>("custom-auth-create-user-not-found");
  event.userName = EMAIL;
  return event;
}

/** What the caller can tell from a create response, with the random parts abstracted. */
function shape(response: CreateAuthChallengeTriggerEvent["response"], startedAt: number) {
  const priv = response.privateChallengeParameters;
  return {
    public: response.publicChallengeParameters,
    privateKeys: Object.keys(priv).sort(),
    codeLength: priv.codeLength,
    ttlMs: Number(priv.expiresAt) - startedAt,
    metadata: response.challengeMetadata
      ?.replace(/\d{13}/, "<expiresAt>")
      .replace(/[A-Za-z0-9_-]{16,}/g, "<b64>"),
  };
}

interface Run {
  readonly kind: "real" | "unknown";
  readonly ms: number;
  readonly shape: ReturnType<typeof shape>;
  readonly response: CreateAuthChallengeTriggerEvent["response"];
}

function setUp(endpoint: string, env: Record<string, string> = {}) {
  const config = loadCreateAuthConfig({
    LOCAL_MODE: "true",
    AWS_ENDPOINT_URL_SESV2: endpoint,
    AWS_REGION: "eu-west-1",
    CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
    AWS_CALL_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
    // Two attempts allowed for every other AWS call: the SES client must still make one.
    AWS_MAX_ATTEMPTS: "2",
    AWS_CALL_BUDGET_MS: "1500",
    ...env,
  });
  const time = new VirtualTime();
  const handler = createIssueAuthChallengeHandler({
    config,
    logger: createLogger("createAuthChallenge"),
    sender: time.timed(createCodeSender(config)),
    now: time.now,
    sleep: time.sleep,
    // The middle of the +-25% jitter: the wait is exactly the current estimate.
    random: () => 0.5,
  });
  const run = async (kind: Run["kind"]): Promise<Run> => {
    const startedAt = time.ms;
    const result = await handler(kind === "real" ? realEvent() : unknownEvent());
    return {
      kind,
      ms: time.ms - startedAt,
      shape: shape(result.response, startedAt),
      response: result.response,
    };
  };
  return { run, time };
}

describe("create-auth-challenge while SES fails (real SES v2 client, loopback faults)", () => {
  let output: CapturedOutput;
  let server: SesServer | undefined;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await server?.close();
    server = undefined;
  });

  const errorLines = () => output.jsonLines().filter((line) => line.level === "ERROR");

  it("SES healthy: the real user receives the code, and both answers have the same shape", async () => {
    server = await startSesServer({ kind: "accept" });
    const { run } = setUp(server.endpoint);

    const [real, unknown] = [await run("real"), await run("unknown")];

    expect(real.shape).toEqual(unknown.shape);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.to).toEqual([EMAIL]);
    expect(errorLines()).toHaveLength(0);
    expect(output.jsonLines().find((l) => l.step === "send-code")).toMatchObject({
      delivery: "sent",
    });
  });

  // Quick failures: the real path waits out the rest of the slot the pretend path waits.
  it.each<[string, () => Promise<{ endpoint: string; server?: SesServer }>, string]>([
    [
      "rejecting (MessageRejected, HTTP 400)",
      async () => {
        const started = await startSesServer({ kind: "reject" });
        return { endpoint: started.endpoint, server: started };
      },
      "SES SendEmail failed (MessageRejected, HTTP 400)",
    ],
    [
      "down (closed port)",
      async () => ({ endpoint: await closedPortEndpoint() }),
      "SES SendEmail failed (ECONNREFUSED)",
    ],
  ])(
    "SES %s: same answer, same time, ERROR logged, nothing resent",
    async (_name, start, message) => {
      // Prepare: an estimate well above a loopback failure, so the padding is what is measured.
      const fault = await start();
      server = fault.server;
      const { run } = setUp(fault.endpoint, { CUSTOM_AUTH_PRETEND_DELAY_MS: "600" });

      // Act: interleaved, as an attacker would probe.
      const runs = [
        await run("real"),
        await run("unknown"),
        await run("real"),
        await run("unknown"),
      ];

      // Assess: outcome exactly the same; time exactly the pretend wait on both paths.
      for (const r of runs) expect(r.shape).toEqual(runs[1]?.shape);
      expect(runs.map((r) => r.ms)).toEqual([600, 600, 600, 600]);
      expect(errorLines()).toEqual([
        expect.objectContaining({
          delivery: "not-sent",
          errorType: "SendRefusedError",
          error: expect.objectContaining({ message }),
        }),
        expect.objectContaining({ delivery: "not-sent" }),
      ]);
      // One request per real create, none for the unknown user, no SDK retry.
      expect(fault.server?.received.length ?? 0).toBe(fault.server ? 2 : 0);
      expect(output.text()).not.toContain("Your sign-in code is");
    },
  );

  // Slow failures: the real path takes as long as the client's timeout; the estimate takes
  // that duration at once, so the next pretend wait is as long as the failed send was.
  it.each<[string, SesBehaviour]>([
    ["never answering", { kind: "hang" }],
    [
      "accepting after the client's timeout",
      { kind: "accept-late", afterMs: CLIENT_TIMEOUT_MS + 200 },
    ],
  ])(
    "SES %s: same answer; the pretend wait follows the failed send's time; one attempt",
    async (_name, behaviour) => {
      server = await startSesServer(behaviour);
      const { run } = setUp(server.endpoint);

      const runs = [
        await run("real"),
        await run("unknown"),
        await run("real"),
        await run("unknown"),
      ];

      for (const r of runs) expect(r.shape).toEqual(runs[1]?.shape);
      const [real1, unknown1, real2, unknown2] = runs.map((r) => r.ms) as [
        number,
        number,
        number,
        number,
      ];
      // The real sends ran into the client's timeout (a lower bound, not a speed assertion).
      expect(real1).toBeGreaterThanOrEqual(CLIENT_TIMEOUT_MS);
      expect(unknown1).toBe(real1);
      expect(unknown2).toBe(Math.max(real1, real2));
      expect(errorLines()).toEqual([
        expect.objectContaining({
          delivery: "unknown",
          errorType: "SendOutcomeUnknownError",
          error: expect.objectContaining({
            message: "SES SendEmail failed (TimeoutError, ETIMEDOUT)",
          }),
        }),
        expect.objectContaining({ delivery: "unknown" }),
      ]);
      // Exactly one request per real create although AWS_MAX_ATTEMPTS is 2.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(server.received).toHaveLength(2);
    },
  );

  it("SES accepting after the timeout: the code it delivered stays the one verify accepts, and a retry sends nothing", async () => {
    // Prepare
    server = await startSesServer({ kind: "accept-late", afterMs: CLIENT_TIMEOUT_MS + 100 });
    const { run, time } = setUp(server.endpoint);
    const verify = createVerifyAuthChallengeHandler({
      config: loadVerifyAuthConfig({ LOCAL_MODE: "true" }),
      logger: createLogger("verifyAuthChallenge"),
      now: time.now,
    });

    // Act: the first challenge (send timed out, SES delivered anyway), then the retry Cognito
    // makes after a wrong answer, carrying the first challenge's metadata.
    const first = await run("real");
    await server.waitForRequests(1);
    const delivered = /\d{6}/.exec(server.received[0]?.text ?? "")?.[0] ?? "";
    const retryEvent = realEvent();
    retryEvent.request.session = [
      {
        challengeName: "CUSTOM_CHALLENGE",
        challengeResult: false,
        challengeMetadata: first.response.challengeMetadata,
      },
    ];
    const retry = await createIssueAuthChallengeHandler({
      config: loadCreateAuthConfig({
        LOCAL_MODE: "true",
        AWS_ENDPOINT_URL_SESV2: server.endpoint,
        AWS_REGION: "eu-west-1",
      }),
      logger: createLogger("createAuthChallenge"),
      sender: createCodeSender(
        loadCreateAuthConfig({ LOCAL_MODE: "true", AWS_ENDPOINT_URL_SESV2: server.endpoint }),
      ),
      now: time.now,
    })(retryEvent);
    const verifyEvent = loadEvent<VerifyAuthChallengeResponseTriggerEvent>(
      "custom-auth-verify-correct",
    );
    verifyEvent.request.privateChallengeParameters = retry.response.privateChallengeParameters;
    verifyEvent.request.challengeAnswer = delivered;
    const verdict = await verify(verifyEvent);

    // Assess
    expect(delivered).toMatch(/^\d{6}$/);
    expect(retry.response.challengeMetadata).toBe(first.response.challengeMetadata);
    expect(verdict.response.answerCorrect).toBe(true);
    expect(server.received).toHaveLength(1);
    expect(output.text()).not.toContain(delivered);
  });
});
