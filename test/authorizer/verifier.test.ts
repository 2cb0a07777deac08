/**
 * The verifier on its own: each bad token fails for its own reason (not by accident),
 * the local issuer path, and the bounded JWKS fetcher.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BoundedFetcher, JwksFetchError } from "../../shared/authorizer/fetcher";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import {
  accessClaims,
  countingFetcher,
  generateKey,
  idClaims,
  signHs256WithPublicKey,
  signJwt,
  testConfig,
  unsignedJwt,
} from "./tokens";

const key = generateKey();
const other = generateKey("other-key");
const now = (): number => Math.floor(Date.now() / 1000);

describe("each check rejects for its own reason", () => {
  const verifier = createTokenVerifier(testConfig(key), { fetcher: countingFetcher() });
  it.each([
    ["expired", () => signJwt(key, accessClaims({ exp: now() - 10 })), "JwtExpiredError"],
    [
      "nbf in the future",
      () => signJwt(key, accessClaims({ nbf: now() + 600 })),
      "JwtNotBeforeError",
    ],
    [
      "wrong issuer",
      () =>
        signJwt(
          key,
          accessClaims({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Evil" }),
        ),
      "JwtInvalidIssuerError",
    ],
    [
      "wrong client",
      () => signJwt(key, accessClaims({ client_id: "x" })),
      "CognitoJwtInvalidClientIdError",
    ],
    [
      "wrong token_use",
      () => signJwt(key, accessClaims({ token_use: "refresh" })),
      "CognitoJwtInvalidTokenUseError",
    ],
    ["ID token", () => signJwt(key, idClaims()), "CognitoJwtInvalidTokenUseError"],
    [
      "unknown kid (bundled JWKS: never downloaded)",
      () => signJwt(other, accessClaims()),
      "KidNotFoundInJwksError",
    ],
    [
      "wrong key for the kid",
      () => signJwt({ ...other, kid: key.kid }, accessClaims()),
      "JwtInvalidSignatureError",
    ],
    [
      "alg none",
      () => `${unsignedJwt(key, accessClaims())}c2ln`,
      "JwtInvalidSignatureAlgorithmError",
    ],
    [
      "HS256 with the public key",
      () => signHs256WithPublicKey(key, accessClaims()),
      "JwtInvalidSignatureAlgorithmError",
    ],
  ])("%s", async (_name, make, errorName) => {
    const error = await verifier.verify(make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor.name).toBe(errorName);
  });
});

describe("local issuer (cognito-local)", () => {
  let server: Server;
  let issuer: string;
  let served = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/local_1Q5EIHIH/.well-known/jwks.json") {
        served++;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [key.jwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/local_1Q5EIHIH`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const localConfig = (localMode: boolean) =>
    testConfig(key, {
      localMode,
      localIssuer: localMode ? { issuer, clientIds: ["localclient"] } : undefined,
    });

  it("verifies a local access token (client_id) and ID token (aud) with the JWKS fetched over http", async () => {
    // Prepare: claims as cognito-local 5.3.0 issues them
    const verifier = createTokenVerifier(localConfig(true));
    const access = signJwt(key, {
      ...accessClaims({
        iss: issuer,
        client_id: "localclient",
        scope: "aws.cognito.signin.user.admin",
      }),
    });

    // Act
    await verifier.hydrate();
    const payload = await verifier.verify(access);

    // Assess
    expect(payload).toMatchObject({ iss: issuer, client_id: "localclient" });
    expect(served).toBe(1);
    await expect(
      createTokenVerifier({ ...localConfig(true), tokenUse: "id" }).verify(
        signJwt(key, idClaims({ iss: issuer, aud: "localclient" })),
      ),
    ).resolves.toMatchObject({ aud: "localclient" });
  });

  it("checks the client and token use of local tokens as for Cognito", async () => {
    const verifier = createTokenVerifier(localConfig(true));
    await expect(
      verifier.verify(signJwt(key, accessClaims({ iss: issuer, client_id: "otherclient" }))),
    ).rejects.toThrow(/Client ID not allowed/);
    await expect(
      verifier.verify(signJwt(key, idClaims({ iss: issuer, aud: "localclient" }))),
    ).rejects.toThrow(/Token use not allowed/);
  });

  it("is not honoured outside local mode", async () => {
    const verifier = createTokenVerifier(localConfig(false), { fetcher: countingFetcher() });
    await expect(
      verifier.verify(signJwt(key, accessClaims({ iss: issuer, client_id: "localclient" }))),
    ).rejects.toThrow(/Issuer not allowed/);
  });

  it("uses a bundled JWKS keyed by the issuer URL without fetching", async () => {
    const fetcher = countingFetcher();
    const config = { ...localConfig(true), bundledJwks: { [issuer]: { keys: [key.jwk] } } };
    const verifier = createTokenVerifier(config, { fetcher });
    await verifier.hydrate();
    await verifier.verify(signJwt(key, accessClaims({ iss: issuer, client_id: "localclient" })));
    expect(fetcher.calls).toEqual([]);
  });
});

describe("BoundedFetcher", () => {
  const ok = () => new Response(JSON.stringify({ keys: [{ kty: "RSA" }] }), { status: 200 });

  it("returns the body of a 200", async () => {
    const fetcher = new BoundedFetcher({
      timeoutMs: 100,
      cooldownMs: 1000,
      fetchImpl: async () => ok(),
    });
    const body = await fetcher.fetch("https://example.test/jwks.json");
    expect(JSON.parse(new TextDecoder().decode(body))).toEqual({ keys: [{ kty: "RSA" }] });
  });

  it("cools down after a failure: no second request until the cool-down ends", async () => {
    // Prepare
    let clock = 0;
    let calls = 0;
    const fetcher = new BoundedFetcher({
      timeoutMs: 100,
      cooldownMs: 10_000,
      now: () => clock,
      fetchImpl: async () => {
        calls++;
        if (calls === 1) throw new TypeError("fetch failed");
        return ok();
      },
    });

    // Act + Assess
    await expect(fetcher.fetch("https://example.test/a")).rejects.toBeInstanceOf(JwksFetchError);
    await expect(fetcher.fetch("https://example.test/a")).rejects.toThrow(/cooling down/);
    expect(calls).toBe(1);
    clock = 10_001;
    await expect(fetcher.fetch("https://example.test/a")).resolves.toBeInstanceOf(ArrayBuffer);
    expect(calls).toBe(2);
  });

  it("refuses non-200 answers and oversized bodies", async () => {
    const notFound = new BoundedFetcher({
      timeoutMs: 100,
      cooldownMs: 1,
      fetchImpl: async () => new Response("", { status: 404 }),
    });
    const huge = new BoundedFetcher({
      timeoutMs: 100,
      cooldownMs: 1,
      maxBytes: 10,
      fetchImpl: async () => ok(),
    });
    await expect(notFound.fetch("https://example.test/x")).rejects.toThrow(/HTTP 404/);
    await expect(huge.fetch("https://example.test/x")).rejects.toThrow(/too large/);
  });

  it("aborts a download that takes longer than the timeout", async () => {
    const fetcher = new BoundedFetcher({
      timeoutMs: 50,
      cooldownMs: 1,
      fetchImpl: (_uri, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    });
    await expect(fetcher.fetch("https://example.test/slow")).rejects.toThrow(/TimeoutError/);
  });
});
