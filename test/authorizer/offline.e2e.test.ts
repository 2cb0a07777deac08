/**
 * End to end with serverless-offline (v13 on serverless 3): GET /hello behind the
 * authorizer, as API Gateway runs it. The authorizer gets a config naming a test pool
 * and that pool's JWKS bundled (AUTHORIZER_JWKS), so the tokens signed here verify
 * with no network. Ports are free loopback ports; the server is stopped in afterAll.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { generateKey, signJwt } from "./tokens";

const ROOT = join(__dirname, "..", "..");
const POOL = "eu-west-1_E2ePool1";
const CLIENT = "e2eclient";
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const key = generateKey("e2e-key");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function token(scope: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(key, {
    sub: "e2e-sub-1",
    iss: ISSUER,
    client_id: CLIENT,
    token_use: "access",
    scope,
    username: "e2e-user",
    iat: now,
    exp: now + 600,
  });
}

let child: ChildProcess | undefined;
let baseUrl = "";
let output = "";

beforeAll(async () => {
  const [httpPort, lambdaPort, websocketPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = {
    userPools: [{ userPoolId: POOL, clientIds: [CLIENT] }],
    routes: [{ route: "GET /hello", scopes: ["hello/read"] }],
  };
  const jwks = { [POOL]: { keys: [key.jwk] } };
  child = spawn(
    join(ROOT, "node_modules", ".bin", "serverless"),
    [
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--httpPort",
      String(httpPort),
      "--lambdaPort",
      String(lambdaPort),
      "--websocketPort",
      String(websocketPort),
      `--param=authorizerConfig=${JSON.stringify(config)}`,
      `--param=authorizerJwks=${JSON.stringify(jwks)}`,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: "1",
        SLS_NOTIFICATIONS_MODE: "off",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  baseUrl = `http://127.0.0.1:${httpPort}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serverless offline did not start:\n${output}`)),
      50_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Server ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child?.stdout?.on("data", onData);
    child?.stderr?.on("data", onData);
    child?.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited with ${code}:\n${output}`));
    });
  });
}, 55_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child?.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child?.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
});

async function get(authorization?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}/hello`, {
    headers: authorization ? { Authorization: authorization } : {},
  });
  return { status: response.status, body: await response.text() };
}

describe("GET /hello behind the authorizer (serverless-offline)", () => {
  it("answers 401 without a token", async () => {
    expect((await get()).status).toBe(401);
  });

  it("answers 401 for a forged token (the authorizer threw Unauthorized)", async () => {
    // Same kid, another key: the signature does not verify.
    const forged = signJwt(
      { ...generateKey("e2e-key") },
      JSON.parse(Buffer.from(token("hello/read").split(".")[1] ?? "", "base64url").toString()),
    );
    expect((await get(`Bearer ${forged}`)).status).toBe(401);
  });

  it("answers 200 with the authorizer's context for a valid token", async () => {
    const { status, body } = await get(`Bearer ${token("hello/read")}`);
    expect(status).toBe(200);
    // (`scopes` is not asserted: serverless-offline overwrites requestContext.authorizer.scopes
    // with the token's own scope claim, which API Gateway does not do.)
    expect(JSON.parse(body)).toMatchObject({
      principalId: "e2e-sub-1",
      sub: "e2e-sub-1",
      username: "e2e-user",
    });
  });

  it("answers 403 for a valid token lacking the scope", async () => {
    expect((await get(`Bearer ${token("other/read")}`)).status).toBe(403);
  });
});
