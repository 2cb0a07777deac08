/**
 * The invocation deadline against a slow Cognito stand-in (a real HTTP server on a
 * loopback port, the real SDK client with the production bounds): the linking path
 * ends inside Cognito's 5 s, and no request starts after the deadline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { sdkClientConfig } from "../../shared/aws/clients";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type { PreSignUpTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { CognitoUserDirectory } from "../../shared/pre-signup/cognito-directory";
import { createPreSignUpHandler } from "../../shared/pre-signup/handler";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { configFrom } from "./helpers";

/** A stand-in that answers ListUsers after `listDelayMs` and never answers AdminLinkProviderForUser. */
async function slowCognito(listDelayMs: number) {
  const arrivals: { target: string; atMs: number }[] = [];
  const open: ServerResponse[] = [];
  let t0 = Date.now();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers["x-amz-target"]).split(".")[1] ?? "";
    arrivals.push({ target, atMs: Date.now() - t0 });
    req.resume();
    open.push(res);
    if (target === "AdminLinkProviderForUser") return; // hangs
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          Users: [
            {
              Username: "native-1",
              UserStatus: "CONFIRMED",
              Enabled: true,
              Attributes: [
                { Name: "email", Value: "jane.doe@example.com" },
                { Name: "email_verified", Value: "true" },
              ],
            },
          ],
        }),
      );
    }, listDelayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arrivals,
    start: () => {
      t0 = Date.now();
    },
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function runLinking(env: Record<string, string>, listDelayMs: number) {
  const cognito = await slowCognito(listDelayMs);
  try {
    const config = configFrom(env);
    const client = new CognitoIdentityProviderClient({
      ...sdkClientConfig(config.common),
      endpoint: cognito.endpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const handler = createPreSignUpHandler({
      config,
      directory: new CognitoUserDirectory(client),
      logger: createLogger("preSignUp"),
      timing: config.common,
    });
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider");
    cognito.start();
    const started = Date.now();
    const outcome = await handler(event).then(
      () => "ok",
      (error: Error) => error.message,
    );
    return { outcome, elapsedMs: Date.now() - started, arrivals: [...cognito.arrivals] };
  } finally {
    await cognito.close();
  }
}

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

describe("pre-signup: one deadline for all the invocation's Cognito calls", () => {
  it("with the default settings, ends the reviewer's slow linking path inside Cognito's 5 s", async () => {
    // Act: ListUsers takes 1.4 s (under the 1.5 s per-attempt timeout), the link hangs.
    const { outcome, elapsedMs, arrivals } = await runLinking({}, 1400);
    // Assess: the generic error at the 4 s deadline (it took 5.9 s before), logged as such.
    expect(outcome).toBe(GENERIC_ERROR_MESSAGE);
    expect(elapsedMs).toBeLessThan(4400);
    expect(elapsedMs).toBeGreaterThanOrEqual(3900);
    // The two spellings of the email were searched at once, not one after the other.
    const lists = arrivals.filter((a) => a.target === "ListUsers");
    expect(lists).toHaveLength(2);
    expect(Math.abs((lists[0]?.atMs ?? 0) - (lists[1]?.atMs ?? 0))).toBeLessThan(200);
    for (const arrival of arrivals) expect(arrival.atMs).toBeLessThan(4000);
    const failed = output.jsonLines().find((l) => l.message === "Trigger failed");
    expect(failed?.errorType).toBe("DeadlineExceededError");
  }, 15_000);

  it("caps the retry at the time left and starts nothing after the deadline", async () => {
    // Prepare: 1 s for everything, 2 attempts of 500 ms; ListUsers takes 300 ms.
    const env = {
      AWS_CALL_BUDGET_MS: "1000",
      AWS_CALL_TIMEOUT_MS: "500",
      AWS_MAX_ATTEMPTS: "2",
    };
    // Act
    const { outcome, elapsedMs, arrivals } = await runLinking(env, 300);
    // Assess: without the deadline, the link's two attempts alone would take 1 s more.
    expect(outcome).toBe(GENERIC_ERROR_MESSAGE);
    expect(elapsedMs).toBeLessThan(1250);
    const links = arrivals.filter((a) => a.target === "AdminLinkProviderForUser");
    expect(links.length).toBeGreaterThanOrEqual(1);
    expect(links.length).toBeLessThanOrEqual(2);
    for (const arrival of arrivals) expect(arrival.atMs).toBeLessThan(1000);
  }, 15_000);
});
