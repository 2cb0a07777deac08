/**
 * Verify auth challenge response trigger: checks the one-time code in constant
 * time, with expiry, and counts wrong answers across sign-ins (the lockout); with
 * magic links on, checks a link's signature in memory and uses it once.
 * See docs/custom-auth.md.
 */
import { loadVerifyAuthConfig } from "../shared/custom-auth/config";
import { createVerifyAuthChallengeHandler } from "../shared/custom-auth/handlers";
import {
  createLiveLinkStore,
  createPublicKeySource,
} from "../shared/custom-auth/magic-link/adapters";
import { createAttemptStore } from "../shared/lockout/adapters";
import { createLogger } from "../shared/logger";

// Cold start: a bad setting fails here, naming the variable; the DynamoDB client is built once.
// It loads here, not on first use: every answer, of a known user or not, counts or clears, and
// a client loaded by the first call would time that answer against the ones after it.
const config = loadVerifyAuthConfig(process.env);
const logger = createLogger("verifyAuthChallenge");
const attempts = config.lockout && createAttemptStore(config.lockout, config.common);
logger.debug("Custom auth attempts store", { attempts: attempts?.label ?? "off" });
// Magic links: the public key (configured, or one kms:GetPublicKey on first use, then kept)
// and the live-links table.
const links = config.magicLink && {
  publicKey: createPublicKeySource(config.magicLink, config.common),
  store: createLiveLinkStore(config.magicLink, config.common).store,
};

/** Lambda entry point. */
export const handler = createVerifyAuthChallengeHandler({
  config,
  logger,
  ...(attempts ? { attempts: attempts.store } : {}),
  ...(links ? { links } : {}),
});
