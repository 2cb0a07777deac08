/**
 * Create auth challenge trigger: issues the one-time code (hashed into the
 * challenge) and emails it: SES v2 in AWS, the local outbox in local mode.
 * Withholds it (pretend path) from a user locked out across sign-ins. With magic
 * links on, also the method round and the signed single-use link emails.
 * See docs/custom-auth.md.
 */
import { loadCreateAuthConfig } from "../shared/custom-auth/config";
import { createIssueAuthChallengeHandler } from "../shared/custom-auth/handlers";
import { createLinkSigner, createLiveLinkStore } from "../shared/custom-auth/magic-link/adapters";
import { createCodeSender } from "../shared/custom-auth/sender";
import { createAttemptStore } from "../shared/lockout/adapters";
import { createLogger } from "../shared/logger";

// Cold start: a bad setting fails here, naming the variable; the SES and DynamoDB clients
// are built once. Both load here, not on first use: only a real account's challenge sends (an
// unknown or locked-out one takes the pretend path), so an SES client loaded by the first send
// would make a real account's first challenge on a container ~100 ms slower than an unknown
// one's. The lockout read runs for every challenge and loads with the rest.
const config = loadCreateAuthConfig(process.env);
const logger = createLogger("createAuthChallenge");
const sender = createCodeSender(config);
const attempts = config.lockout && createAttemptStore(config.lockout, config.common);
logger.debug("Custom auth attempts store", { attempts: attempts?.label ?? "off" });
// Magic links: the KMS (or local-file) signer and the live-links table, also built once.
const links = config.magicLink && {
  signer: createLinkSigner(config.magicLink, config.common),
  store: createLiveLinkStore(config.magicLink, config.common).store,
};

/** Lambda entry point. */
export const handler = createIssueAuthChallengeHandler({
  config,
  logger,
  sender,
  ...(attempts ? { attempts: attempts.store } : {}),
  ...(links ? { links } : {}),
});
