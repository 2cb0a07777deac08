/**
 * Token verification with aws-jwt-verify, built once per container.
 *
 * Cognito tokens go through `CognitoJwtVerifier` (every configured pool, their
 * client ids, the configured token use). In local mode only, tokens whose `iss` is
 * exactly JWT_LOCAL_ISSUER_URL go through `JwtVerifier` with the same Cognito field
 * checks (cognito-local's pool ids do not pass CognitoJwtVerifier's format check).
 * All verifiers share one JWKS cache: downloads only on an unknown kid, a penalty
 * box against kid floods, a bounded fetcher, and the bundled JWKS preloaded.
 */
import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { type Jwks, SimpleJwksCache, SimplePenaltyBox } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import type { AuthorizerConfig, TokenUse } from "./config";
import { BoundedFetcher } from "./fetcher";

/** Verifies a JWT's signature and claims; resolves to its payload or rejects. */
export interface TokenVerifier {
  /** Verify `token`; rejects on any failed check. */
  verify(token: string): Promise<JwtPayload>;
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
}

function cognitoTokenUse(tokenUse: TokenUse): "access" | "id" | null {
  return tokenUse === "any" ? null : tokenUse;
}

/** The unverified `iss` of a token, only to pick the verifier (the verifier checks it again). */
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

/** The two ways of verifying both aws-jwt-verify verifiers offer. */
interface SyncAndAsync {
  verifySync(token: string): JwtPayload;
  verify(token: string): Promise<JwtPayload>;
}

/**
 * Verify with the JWKS already in the cache (`verifySync`: the warm path, no awaits), and
 * fall back to `verify` only when the JWKS or the token's kid is not cached yet: that path
 * downloads (once per unknown kid, behind the penalty box). Every other failure rejects.
 */
function cachedFirst(verifier: SyncAndAsync, token: string): Promise<JwtPayload> {
  try {
    return Promise.resolve(verifier.verifySync(token));
  } catch (error) {
    if (error instanceof JwksNotAvailableInCacheError || error instanceof KidNotFoundInJwksError) {
      return verifier.verify(token);
    }
    return Promise.reject(error);
  }
}

/** Build the verifier for `config` (at cold start). */
export function createTokenVerifier(
  config: AuthorizerConfig,
  deps: VerifierDeps = {},
): TokenVerifier {
  const fetcher =
    deps.fetcher ??
    new BoundedFetcher({
      timeoutMs: config.jwksFetchTimeoutMs,
      cooldownMs: config.jwksPenaltySeconds * 1000,
    });
  const jwksCache = new SimpleJwksCache({
    fetcher,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: config.jwksPenaltySeconds }),
  });
  const tokenUse = cognitoTokenUse(config.tokenUse);

  // No pool is possible only in local mode with a local issuer (checked by the config).
  const cognito =
    config.userPools.length === 0
      ? undefined
      : CognitoJwtVerifier.create(
          config.userPools.map((pool) => ({
            userPoolId: pool.userPoolId,
            clientId: [...pool.clientIds],
            tokenUse,
          })),
          { jwksCache },
        );
  const toFetch: string[] = [];
  for (const pool of config.userPools) {
    const bundled = config.bundledJwks[pool.userPoolId];
    if (bundled) cognito?.cacheJwks(bundled as unknown as Jwks, pool.userPoolId);
    // In local mode the pools are usually placeholders and AWS unreachable: fetch on first use.
    else if (!config.localMode) {
      toFetch.push(CognitoJwtVerifier.parseUserPoolId(pool.userPoolId).jwksUri);
    }
  }

  const local = config.localIssuer;
  const localVerifier = local
    ? JwtVerifier.create(
        {
          issuer: local.issuer,
          audience: null,
          jwksUri: `${local.issuer}/.well-known/jwks.json`,
          // The Cognito checks: token_use, and client_id (access) or aud (ID).
          customJwtCheck: ({ payload }) =>
            validateCognitoJwtFields(payload, { tokenUse, clientId: [...local.clientIds] }),
        },
        { jwksCache },
      )
    : undefined;
  if (local) {
    const bundled = config.bundledJwks[local.issuer];
    if (bundled) localVerifier?.cacheJwks(bundled as unknown as Jwks);
    else toFetch.push(`${local.issuer}/.well-known/jwks.json`);
  }

  return {
    verify: (token) =>
      localVerifier && local && peekIssuer(token) === local.issuer
        ? cachedFirst(localVerifier, token)
        : cognito
          ? cachedFirst(cognito, token)
          : Promise.reject(new Error("issuer not configured")),
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
