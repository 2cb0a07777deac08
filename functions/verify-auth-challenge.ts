/**
 * Verify auth challenge response trigger: checks the one-time code in constant
 * time, with expiry. See docs/custom-auth.md.
 */
import { loadVerifyAuthConfig } from "../shared/custom-auth/config";
import { createVerifyAuthChallengeHandler } from "../shared/custom-auth/handlers";
import { createLogger } from "../shared/logger";

// Cold start: a bad setting fails here, naming the variable.
const config = loadVerifyAuthConfig(process.env);
const logger = createLogger("verifyAuthChallenge");

/** Lambda entry point. */
export const handler = createVerifyAuthChallengeHandler({ config, logger });
