/**
 * API Gateway Lambda authorizer (REST TOKEN/REQUEST and HTTP API 2.0): verifies
 * Cognito JWTs and returns a policy that stays right under the authorizer cache.
 * See docs/authorizer.md.
 */
import { loadAuthorizerConfig } from "../shared/authorizer/config";
import { createAuthorizerHandler, UNAUTHORIZED } from "../shared/authorizer/handler";
import { createAuthorizerLogger } from "../shared/authorizer/log";
import { createRevocationCheck, type RevocationStore } from "../shared/authorizer/revocation";
import { createTokenVerifier } from "../shared/authorizer/verifier";

const logger = createAuthorizerLogger("authorizer");

function build() {
  // Cold start: config and verifier once per container.
  const config = loadAuthorizerConfig(process.env);
  const verifier = createTokenVerifier(config);
  // Hydrate the JWKS during init; a failure is retried on first use (failing closed meanwhile).
  verifier.hydrate().catch((error: unknown) => {
    logger.warn("JWKS download at cold start failed", { error: (error as Error)?.name });
  });
  const revocation = config.revocation;
  return createAuthorizerHandler({
    config,
    verifier,
    logger,
    revocation:
      revocation &&
      createRevocationCheck({
        store: lazyDynamoStore(revocation.tableName, config),
        failureMode: revocation.failureMode,
        maxAgeMs: revocation.cacheSeconds * 1000,
        maxEntries: 10_000,
        onStoreError: (error) =>
          logger.error(`Revocation table unreadable: failing ${revocation.failureMode}`, {
            error: (error as Error)?.name,
          }),
      }),
  });
}

/**
 * The DynamoDB store, its module (and the SDK) loaded at the first read: with revocation off
 * nothing of it runs, and with it on the cold start does not pay for it before a token needs it.
 */
function lazyDynamoStore(
  tableName: string,
  bounds: { awsCallTimeoutMs: number; awsMaxAttempts: number },
): RevocationStore {
  let store: Promise<RevocationStore> | undefined;
  return {
    revokedAt: (sub) => {
      store ??= import("../shared/revocation/reader").then((reader) =>
        reader.createDynamoRevocationReader(tableName, bounds),
      );
      return store.then((s) => s.revokedAt(sub));
    },
  };
}

function failClosed(error: unknown) {
  // A broken config must not turn into API Gateway 500s: log it loudly, answer 401.
  logger.error("Authorizer configuration is invalid; every request is refused", {
    error: error as Error,
  });
  return async (): Promise<never> => {
    throw new Error(UNAUTHORIZED);
  };
}

let built: ReturnType<typeof build> | ReturnType<typeof failClosed>;
try {
  built = build();
} catch (error) {
  built = failClosed(error);
}

export const handler = built;
