/**
 * Create auth challenge trigger: issues the one-time code (hashed into the
 * challenge) and emails it: SES v2 in AWS, the local outbox in local mode.
 * See docs/custom-auth.md.
 */
import { loadCreateAuthConfig } from "../shared/custom-auth/config";
import { createCreateAuthChallengeHandler } from "../shared/custom-auth/handlers";
import { buildCodeSender } from "../shared/custom-auth/sender";
import { createLogger } from "../shared/logger";

// Cold start: a bad setting fails here, naming the variable; the SES client is built once.
const config = loadCreateAuthConfig(process.env);
const logger = createLogger("createAuthChallenge");
const sender = buildCodeSender(config);

/** Lambda entry point. */
export const handler = createCreateAuthChallengeHandler({ config, logger, sender });
