/**
 * Pre token generation trigger (event versions 1, 2 and 3): adds claims from
 * user attributes, a roles claim from groups, group-based scopes, and per-client
 * claims and scopes for client-credentials (M2M) tokens.
 * See docs/pre-token-generation.md.
 */
import { createLogger } from "../shared/logger";
import { loadPreTokenConfig } from "../shared/pre-token-generation/config";
import { createPreTokenGenerationHandler } from "../shared/pre-token-generation/handler";

// Cold start: a bad configuration fails here, naming the variable and the entry at fault.
const config = loadPreTokenConfig(process.env);
const logger = createLogger("preTokenGeneration");

/** The Lambda handler Cognito invokes. */
export const handler = createPreTokenGenerationHandler({ config, logger });
