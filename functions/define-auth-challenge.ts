/**
 * Define auth challenge trigger: the custom-auth state machine (passwordless
 * code, or SRP password then code). See docs/custom-auth.md.
 */
import { loadDefineAuthConfig } from "../shared/custom-auth/config";
import { createDefineAuthChallengeHandler } from "../shared/custom-auth/handlers";
import { createLogger } from "../shared/logger";

// Cold start: a bad setting fails here, naming the variable.
const config = loadDefineAuthConfig(process.env);
const logger = createLogger("defineAuthChallenge");

/** Lambda entry point. */
export const handler = createDefineAuthChallengeHandler({ config, logger });
