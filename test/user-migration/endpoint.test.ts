/**
 * User migration through the old system's endpoint, served by a loopback HTTP server: the
 * protocol (action, bearer token), refusals, failures and timeouts within the deadline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UserMigrationTriggerEvent } from "aws-lambda";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { createLogger } from "../../shared/logger";
import { loadUserMigrationConfig } from "../../shared/user-migration/config";
import { endpointLegacyStore } from "../../shared/user-migration/endpoint-store";
import {
  createUserMigrationHandler,
  MIGRATION_REFUSED_MESSAGE,
} from "../../shared/user-migration/handler";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

const PASSWORD = "legacy-Passw0rd!";
const TOKEN = "endpoint-test-token";

type Reply = (body: Record<string, unknown>, res: ServerResponse) => void;
let server: Server;
let url: string;
let reply: Reply;
const requests: { body: Record<string, unknown>; authorization?: string }[] = [];
let output: CapturedOutput;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

// The old system as the docs describe it.
const legacy: Reply = (body, res) => {
  if (body.username !== "jane.doe@example.com") return json(res, 404, { error: "not found" });
  if (body.action === "authenticate" && body.password !== PASSWORD) {
    return json(res, 401, { error: "bad password" });
  }
  json(res, 200, {
    user: {
      email: "Jane.Doe@Example.com",
      given_name: "Jane",
      emailVerified: "true",
      role: "admin",
    },
  });
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      requests.push({ body, authorization: req.headers.authorization });
      reply(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/migrate`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  reply = legacy;
  requests.length = 0;
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

function handler(env: Record<string, string> = {}) {
  const config = loadUserMigrationConfig({
    LOCAL_MODE: "true",
    USER_MIGRATION_SOURCE: "endpoint",
    USER_MIGRATION_ENDPOINT_URL: url,
    USER_MIGRATION_ENDPOINT_TOKEN: TOKEN,
    USER_MIGRATION_ENDPOINT_TIMEOUT_MS: "300",
    ...env,
  });
  const store = endpointLegacyStore(
    config.endpoint as NonNullable<typeof config.endpoint>,
    config.emailVerifiedField,
  );
  return createUserMigrationHandler({
    config,
    logger: createLogger("userMigration"),
    store,
    attempts: undefined,
  });
}

function event(name: string, password?: string): UserMigrationTriggerEvent {
  const e = loadEvent<UserMigrationTriggerEvent>(name);
  if (password !== undefined) e.request.password = password;
  return e;
}

describe("user migration from the old system's endpoint", () => {
  test("sign-in: one authenticate call with the bearer token; the user migrated", async () => {
    // Act
    const result = await handler()(event("user-migration-authentication"));

    // Assess
    expect(requests).toEqual([
      {
        body: { action: "authenticate", username: "jane.doe@example.com", password: PASSWORD },
        authorization: `Bearer ${TOKEN}`,
      },
    ]);
    expect(result.response).toMatchObject({
      userAttributes: { email: "jane.doe@example.com", email_verified: "true", given_name: "Jane" },
      finalUserStatus: "CONFIRMED",
      messageAction: "SUPPRESS",
    });
    expect(result.response.userAttributes).not.toHaveProperty("role");
    expect(output.text()).not.toContain(PASSWORD);
    expect(output.text()).not.toContain(TOKEN);
  });

  test.each([
    ["wrong password (401)", "user-migration-authentication-wrong-password"],
    ["unknown user (404)", "user-migration-authentication-unknown-user"],
  ])("%s: the one refusal text", async (_name, file) => {
    await expect(handler()(event(file))).rejects.toThrow(MIGRATION_REFUSED_MESSAGE);
  });

  test("forgot password: a lookup without a password", async () => {
    // Act
    const result = await handler()(event("user-migration-forgot-password"));

    // Assess
    expect(requests[0]?.body).toEqual({ action: "lookup", username: "jane.doe@example.com" });
    expect(result.response.finalUserStatus).toBe("CONFIRMED");
  });

  test.each<[string, Reply]>([
    ["a 500", (_b, res) => json(res, 500, {})],
    ["invalid JSON", (_b, res) => res.end("<html>")],
    ["no user object", (_b, res) => json(res, 200, { ok: true })],
    [
      "a 302",
      (_b, res) => {
        res.writeHead(302, { location: "https://example.com/" });
        res.end();
      },
    ],
  ])("%s gives the generic error (the user may retry), not a refusal", async (_name, answer) => {
    // Prepare
    reply = answer;

    // Act / Assess
    await expect(handler()(event("user-migration-authentication"))).rejects.toThrow(
      GENERIC_ERROR_MESSAGE,
    );
  });

  test("a hanging endpoint is cut at its timeout, well inside the invocation", async () => {
    // Prepare: never answer.
    reply = () => undefined;
    const started = Date.now();

    // Act
    const error = await handler()(event("user-migration-authentication"), {
      getRemainingTimeInMillis: () => 5000,
    } as never).catch((e: Error) => e);

    // Assess: the timeout is 300 ms; the bound here is loose on purpose (a shared machine).
    expect((error as Error).message).toBe(GENERIC_ERROR_MESSAGE);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test("http is refused outside local mode, and to a non-loopback host", () => {
    expect(() => handler({ LOCAL_MODE: "false" })).toThrow(/USER_MIGRATION_ENDPOINT_URL/);
    expect(() => handler({ USER_MIGRATION_ENDPOINT_URL: "http://legacy.example.com/x" })).toThrow(
      /USER_MIGRATION_ENDPOINT_URL/,
    );
  });
});
