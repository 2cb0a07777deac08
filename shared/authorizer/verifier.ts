/**
 * Token verification with aws-jwt-verify, built once per container: one `JwtVerifier` over
 * the exact issuers configured (each pool's classic issuer, the global one only for
 * replicated pools, the local issuer in local mode), the Cognito field checks, our
 * `iat`/`exp` rules, one shared JWKS cache and a bounded cache of verified tokens.
 */

import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import {
  JwksNotAvailableInCacheError,
  JwtInvalidClaimError,
  KidNotFoundInJwksError,
} from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { type Jwks, SimpleJwksCache, SimplePenaltyBox } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import { type AuthorizerConfig, MAX_TOKEN_LIFETIME_SECONDS, type TokenUse } from "./config";
import { BoundedFetcher } from "./fetcher";
import { createRs256Path, DEFER } from "./jws";
import { VerifiedTokenCache } from "./token-cache";

/** Verifies a JWT's signature and claims; resolves to its payload or rejects. */
export interface TokenVerifier {
  /** Verify `token`; rejects on any failed check. */
  verify(token: string): Promise<JwtPayload>;
  /**
   * {@link verify}, answering the payload itself when it is known at once (a verified-token
   * cache hit, or the warm path with the JWKS cached), so the caller need not wait a tick;
   * a failure is always a rejected promise.
   */
  verifyNow(token: string): JwtPayload | Promise<JwtPayload>;
  /**
   * Download the JWKS of every issuer that has no bundled one (call at cold start). A
   * failure leaves no cool-down behind: the JWKS is downloaded again on first use.
   */
  hydrate(): Promise<void>;
}

/** Seams for tests and the bench. */
export interface VerifierDeps {
  /** Defaults to a {@link BoundedFetcher} from the config. */
  readonly fetcher?: Fetcher;
  /** Seam for tests: ms since the epoch, for the verified-token cache. */
  readonly now?: () => number;
}

/** A token whose `iat`/`exp` break the rules Cognito's own tokens always meet. */
export class TokenTimeError extends JwtInvalidClaimError {
  override name = "TokenTimeError";
}

/**
 * Cognito always sets `exp` and `iat`, never issues a token valid for more than a day, and
 * never dates one in the future. Throws {@link TokenTimeError} for a token that breaks any
 * of that (aws-jwt-verify itself accepts a token without `exp`).
 */
export function assertCognitoTimes(
  payload: JwtPayload,
  nowSeconds: number,
  clockSkewSeconds: number,
  maxLifetimeSeconds = MAX_TOKEN_LIFETIME_SECONDS,
): void {
  const { exp, iat } = payload;
  if (typeof exp !== "number" || !Number.isFinite(exp)) {
    throw new TokenTimeError("exp is missing", exp, undefined);
  }
  if (typeof iat !== "number" || !Number.isFinite(iat)) {
    throw new TokenTimeError("iat is missing", iat, undefined);
  }
  if (iat > nowSeconds + clockSkewSeconds) {
    throw new TokenTimeError("iat is in the future", iat, undefined);
  }
  if (exp <= iat || exp - iat > maxLifetimeSeconds) {
    throw new TokenTimeError("lifetime exp - iat is out of range", exp - iat, undefined);
  }
}

/**
 * aws-jwt-verify's `validateCognitoJwtFields` (no groups): `token_use` "id" or "access" (and
 * `tokenUse` unless null); the client among `clientIds`: `aud` of an ID token, `client_id` of an
 * access token, a non-empty string. What it accepts is decided here without the arrays and Set
 * it builds per call; anything else is handed to it, so a refusal is its own error and message.
 * `clients` is `clientIds` as a Set, built once.
 */
export function assertCognitoFields(
  payload: JwtPayload,
  tokenUse: "access" | "id" | null,
  clientIds: string[],
  clients: ReadonlySet<string>,
): void {
  const use = payload.token_use;
  const id = use === "id" ? payload.aud : payload.client_id;
  const accepted =
    (use === "access" || use === "id") &&
    (tokenUse === null || use === tokenUse) &&
    typeof id === "string" &&
    id !== "" &&
    clients.has(id);
  if (!accepted) validateCognitoJwtFields(payload, { tokenUse, clientId: clientIds });
}

/** The classic issuer of a pool: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
export function classicIssuer(userPoolId: string): string {
  return `https://cognito-idp.${userPoolId.split("_")[0]}.amazonaws.com/${userPoolId}`;
}

/** The multi-Region (global) issuer: `https://issuer-cognito-idp.<region>.amazonaws.com/<poolId>`. */
export function globalIssuer(userPoolId: string): string {
  return `https://issuer-cognito-idp.${userPoolId.split("_")[0]}.amazonaws.com/${userPoolId}`;
}

const jwksUriOf = (issuer: string): string => `${issuer}/.well-known/jwks.json`;

/** The unverified `iss` of a token, only to tell whether its issuer's JWKS is bundled. */
function peekIssuer(token: string): unknown {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: unknown })
      ?.iss;
  } catch {
    return undefined;
  }
}

interface Issuer {
  readonly issuer: string;
  /** Longest `exp - iat` accepted: a day for Cognito, unbounded for the local issuer. */
  readonly maxLifetime: number;
  readonly clientIds: readonly string[];
  /** The JWKS to preload; such an issuer is never downloaded. */
  readonly bundled: Jwks | undefined;
}

function issuersOf(config: AuthorizerConfig): Issuer[] {
  const bundled = (key: string): Jwks | undefined =>
    config.bundledJwks[key] as unknown as Jwks | undefined;
  const issuers: Issuer[] = [];
  for (const pool of config.userPools) {
    const classic = classicIssuer(pool.userPoolId);
    const poolJwks = bundled(pool.userPoolId) ?? bundled(classic);
    issuers.push({
      issuer: classic,
      maxLifetime: MAX_TOKEN_LIFETIME_SECONDS,
      clientIds: pool.clientIds,
      bundled: poolJwks,
    });
    if (pool.replicated) {
      const global = globalIssuer(pool.userPoolId);
      // Bundled under the global issuer URL, or else the pool's bundle (a bundled pool is
      // never downloaded, whichever issuer its tokens name).
      issuers.push({
        issuer: global,
        maxLifetime: MAX_TOKEN_LIFETIME_SECONDS,
        clientIds: pool.clientIds,
        bundled: bundled(global) ?? poolJwks,
      });
    }
  }
  const local = config.localIssuer;
  if (local) {
    // Local mode only: the sample events carry tokens valid until 2100, so no lifetime cap.
    issuers.push({
      issuer: local.issuer,
      maxLifetime: Number.POSITIVE_INFINITY,
      clientIds: local.clientIds,
      bundled: bundled(local.issuer),
    });
  }
  return issuers;
}

function cognitoTokenUse(tokenUse: TokenUse): "access" | "id" | null {
  return tokenUse === "any" ? null : tokenUse;
}

/** Build the verifier for `config` (at cold start). */
export function createTokenVerifier(
  config: AuthorizerConfig,
  deps: VerifierDeps = {},
): TokenVerifier {
  const issuers = issuersOf(config);
  const neverDownload = new Set(issuers.filter((i) => i.bundled).map((i) => jwksUriOf(i.issuer)));
  const bundledIssuers = new Set(issuers.filter((i) => i.bundled).map((i) => i.issuer));
  const fetcher =
    deps.fetcher ??
    new BoundedFetcher({
      timeoutMs: config.jwksFetchTimeoutMs,
      cooldownMs: config.jwksPenaltySeconds * 1000,
      neverDownload,
    });
  const jwksCache = new SimpleJwksCache({
    // A bundled JWKS is never replaced by a download, whatever fetcher is given.
    fetcher: {
      fetch: (uri, ...rest) =>
        neverDownload.has(uri)
          ? Promise.reject(new KidNotFoundInJwksError("JWKS is bundled: never downloaded"))
          : fetcher.fetch(uri, ...rest),
    },
    penaltyBox: new SimplePenaltyBox({ waitSeconds: config.jwksPenaltySeconds }),
  });
  const tokenUse = cognitoTokenUse(config.tokenUse);
  const skew = config.clockSkewSeconds;

  // The Cognito checks (token_use; client_id for access, aud for ID tokens), then ours.
  const checks = issuers.map(({ issuer, clientIds, maxLifetime }) => {
    const clientId = [...clientIds];
    const clients = new Set(clientId);
    const check = (payload: JwtPayload, nowSeconds: number): void => {
      assertCognitoFields(payload, tokenUse, clientId, clients);
      assertCognitoTimes(payload, nowSeconds, skew, maxLifetime);
    };
    return { issuer, jwksUri: jwksUriOf(issuer), check };
  });
  type Library = {
    verifySync(token: string): JwtPayload;
    verify(token: string): Promise<JwtPayload>;
  };
  // aws-jwt-verify's verifier over the same JWKS cache and checks: what the RS256 path defers,
  // and every download, go through it. Built at its first use: the warm path of a bundled
  // JWKS never needs it, and a cold start is shorter without it.
  let library: Library | undefined;
  const lib = (): Library => {
    // No issuer at all cannot happen: the config requires a pool or a local issuer.
    library ??= JwtVerifier.create(
      checks.map(({ issuer, jwksUri, check }) => ({
        issuer,
        audience: null,
        jwksUri,
        customJwtCheck: ({ payload }: { payload: JwtPayload }) => check(payload, Date.now() / 1000),
      })) as unknown as Parameters<typeof JwtVerifier.create>[0],
      { jwksCache },
    ) as unknown as Library;
    return library;
  };
  const toFetch: string[] = [];
  for (const { issuer, bundled } of issuers) {
    // What the library's cacheJwks does (its key cache is empty at this point anyway).
    if (bundled) jwksCache.addJwks(jwksUriOf(issuer), bundled);
    // In local mode the pools are usually placeholders and AWS unreachable: fetch on first use.
    else if (!config.localMode || issuer === config.localIssuer?.issuer) {
      toFetch.push(jwksUriOf(issuer));
    }
  }

  // The same checks on the warm path of RS256 tokens, without the library's per-token overhead.
  const rs256 = createRs256Path(
    jwksCache,
    new Map(checks.map(({ issuer, jwksUri, check }) => [issuer, { jwksUri, check }])),
  );

  const cache = new VerifiedTokenCache({
    maxEntries: config.tokenCacheSize,
    // About 2 MB of token text whatever the token sizes (payload objects are smaller).
    maxChars: 1_000_000,
    now: deps.now,
  });

  /**
   * The warm path first: the RS256 path (or the library's `verifySync` for what it defers)
   * with the JWKS in the cache, no awaits. Only an unknown
   * kid or JWKS of an issuer that is not bundled falls back to `verify`, which downloads
   * (once per unknown kid, behind the penalty box and the fetcher's cool-down).
   */
  const verifyFresh = (token: string): JwtPayload | Promise<JwtPayload> => {
    let payload: JwtPayload;
    try {
      const fast = rs256(token);
      payload = fast === DEFER ? lib().verifySync(token) : fast;
    } catch (error) {
      const missing =
        error instanceof JwksNotAvailableInCacheError || error instanceof KidNotFoundInJwksError;
      if (!missing) return Promise.reject(error);
      const iss = peekIssuer(token);
      if (typeof iss === "string" && bundledIssuers.has(iss)) return Promise.reject(error);
      return lib()
        .verify(token)
        .then((verified) => {
          cache.set(token, verified);
          return verified;
        });
    }
    cache.set(token, payload);
    return payload;
  };
  const verifyNow = (token: string): JwtPayload | Promise<JwtPayload> =>
    cache.get(token) ?? verifyFresh(token);

  return {
    verify: (token) => Promise.resolve(verifyNow(token)),
    verifyNow,
    hydrate: async () => {
      await Promise.all(
        toFetch.map((uri) =>
          jwksCache.getJwks(uri).catch((error: unknown) => {
            // A failed cold-start download starts no cool-down: the first request that needs
            // the JWKS downloads it again (and a failure then does start the cool-down).
            if (fetcher instanceof BoundedFetcher) fetcher.clearCooldown(uri);
            throw error;
          }),
        ),
      );
    },
  };
}
