/**
 * Fault injection on the JWKS download, over real loopback servers: one that never answers,
 * one that drips bytes forever, one that streams an endless body, and one that answers 200
 * with something that is not a JWKS. Each ends in a bounded time, within the byte cap, with
 * the cool-down started, and the token refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { BoundedFetcher, JwksFetchError } from "../../shared/authorizer/fetcher";
import { createAuthorizerHandler } from "../../shared/authorizer/handler";
import { createAuthorizerLogger as createLogger } from "../../shared/authorizer/log";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import { captureOutput } from "../helpers/logs";
import { accessClaims, generateKey, signJwt, testConfig, tokenEvent } from "./tokens";

const key = generateKey();

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

interface Loopback {
  url: string;
  requests: number;
  close(): Promise<void>;
}

async function loopback(behaviour: Behaviour): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    behaviour(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  (server as unknown as { timers: Set<NodeJS.Timeout> }).timers = timers;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get requests() {
      return state.requests;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Write `chunk` every `everyMs` until the client goes away. */
function drip(res: ServerResponse, chunk: Buffer | string, everyMs: number): void {
  res.writeHead(200, { "content-type": "application/json" });
  const write = () => {
    if (res.destroyed || res.writableEnded) return;
    if (everyMs === 0) {
      // As fast as the socket takes it.
      while (res.write(chunk)) {
        if (res.destroyed) return;
      }
      res.once("drain", write);
    } else {
      res.write(chunk);
      setTimeout(write, everyMs).unref();
    }
  };
  res.on("error", () => undefined);
  write();
}

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(behaviour: Behaviour): Promise<Loopback> {
  const server = await loopback(behaviour);
  servers.push(server);
  return server;
}

const fetcherFor = (timeoutMs = 300, maxBytes = 64 * 1024) =>
  new BoundedFetcher({ timeoutMs, cooldownMs: 60_000, maxBytes });

async function timed<T>(work: Promise<T>): Promise<{ ms: number; result: T | Error }> {
  const started = performance.now();
  const result = await work.catch((e: Error) => e);
  return { ms: performance.now() - started, result };
}

describe("BoundedFetcher against misbehaving loopback servers", () => {
  it("a server that accepts and never answers: the deadline ends it", async () => {
    const server = await start(() => undefined);
    const { ms, result } = await timed(fetcherFor(300).fetch(server.url));
    expect(result).toBeInstanceOf(JwksFetchError);
    expect((result as Error).message).toMatch(/TimeoutError/);
    expect(ms).toBeLessThan(5000);
  });

  it("a slow drip (headers at once, a byte every 50 ms): the one deadline covers the body", async () => {
    const server = await start((_req, res) => drip(res, " ", 50));
    const { ms, result } = await timed(fetcherFor(400).fetch(server.url));
    expect(result).toBeInstanceOf(JwksFetchError);
    expect((result as Error).message).toMatch(/TimeoutError/);
    expect(ms).toBeLessThan(5000);
  });

  it("an endless body: abandoned past the byte cap, without buffering it", async () => {
    const server = await start((_req, res) => drip(res, Buffer.alloc(16 * 1024, 0x20), 0));
    const before = process.memoryUsage().rss;
    const { ms, result } = await timed(fetcherFor(5000, 64 * 1024).fetch(server.url));
    expect(result).toBeInstanceOf(JwksFetchError);
    expect((result as Error).message).toMatch(/too large/);
    expect(ms).toBeLessThan(5000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("a declared Content-Length over the cap is refused before the body is read", async () => {
    const server = await start((_req, res) => {
      res.writeHead(200, { "content-length": String(10 * 1024 * 1024) });
      res.write("{");
    });
    const result = await fetcherFor(2000, 1024)
      .fetch(server.url)
      .catch((e: Error) => e);
    expect((result as Error).message).toMatch(/too large/);
  });

  it.each([
    ["an HTML error page", "<html><body>Service Unavailable</body></html>"],
    ["keys that are not a list", '{"keys":"none"}'],
    ["an empty key set", '{"keys":[]}'],
    ["JSON null", "null"],
  ])("a 200 with %s is a failed download, and starts the cool-down", async (_name, body) => {
    const server = await start((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(body);
    });
    const fetcher = fetcherFor();
    await expect(fetcher.fetch(server.url)).rejects.toThrow(/not a JWKS/);
    await expect(fetcher.fetch(server.url)).rejects.toThrow(/cooling down/);
    expect(server.requests).toBe(1);
  });
});

describe("the authorizer while the JWKS endpoint misbehaves", () => {
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /** A local-issuer config (http allowed) whose JWKS is downloaded from `server`. */
  const localHandler = (server: Loopback, timeoutMs = 300) => {
    const issuer = server.url.replace("/jwks.json", "/local_1Q5EIHIH");
    const config = testConfig(key, {
      localMode: true,
      localIssuer: { issuer, clientIds: ["localclient"] },
      jwksFetchTimeoutMs: timeoutMs,
      jwksPenaltySeconds: 60,
    });
    const verifier = createTokenVerifier(config);
    const handler = createAuthorizerHandler({
      config,
      verifier,
      logger: createLogger("authorizer"),
    });
    const token = signJwt(key, accessClaims({ iss: issuer, client_id: "localclient" }));
    return { handler, token };
  };

  it("200 with junk: 50 requests with attacker-chosen kids make one download, all 401", async () => {
    const server = await start((_req, res) => {
      res.writeHead(200);
      res.end("<html>oops</html>");
    });
    const { handler, token } = localHandler(server);
    const [head, payload] = token.split(".");
    const results = [];
    for (let i = 0; i < 50; i++) {
      const forgedKid = Buffer.from(JSON.stringify({ alg: "RS256", kid: `kid-${i}` })).toString(
        "base64url",
      );
      const t = i === 0 ? token : `${forgedKid}.${payload}.${token.split(".")[2]}`;
      results.push(await handler(tokenEvent(`Bearer ${t}`)).catch((e: Error) => e));
    }
    expect(head).toBeDefined();
    expect(results.every((r) => r instanceof Error && r.message === "Unauthorized")).toBe(true);
    expect(server.requests).toBe(1);
  });

  it.each([
    ["never answers", (() => undefined) as Behaviour],
    ["drips forever", ((_req, res) => drip(res, " ", 30)) as Behaviour],
    ["streams forever", ((_req, res) => drip(res, Buffer.alloc(16 * 1024, 0x20), 0)) as Behaviour],
  ])("a JWKS endpoint that %s: 401 within the deadline, one download", async (_name, behaviour) => {
    const server = await start(behaviour);
    const { handler, token } = localHandler(server, 300);
    const first = await timed(handler(tokenEvent(`Bearer ${token}`)));
    const second = await timed(handler(tokenEvent(`Bearer ${token}`)));
    expect((first.result as Error).message).toBe("Unauthorized");
    expect((second.result as Error).message).toBe("Unauthorized");
    expect(first.ms).toBeLessThan(5000);
    expect(server.requests).toBe(1);
  });
});
