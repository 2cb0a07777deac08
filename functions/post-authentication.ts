/**
 * Post-authentication trigger (opt-in: `postAuthenticationBackstop`): on each sign-in,
 * one GetItem checks the user's profile; a user post-confirmation never provisioned
 * (admin-created users confirmed through the forced password change) gets the same
 * groups and profile record then. See docs/post-confirmation.md.
 */
import type { PostAuthenticationTriggerHandler } from "aws-lambda";
import { createLogger } from "../shared/logger";
import { createPostAuthenticationHandler } from "../shared/post-authentication/handler";
import { createProvisioningAdapters } from "../shared/provisioning/adapters";
import { loadProvisioningConfig } from "../shared/provisioning/config";

// Cold start: the post-confirmation settings and adapters, parsed and created once per container.
const config = loadProvisioningConfig(process.env);
const logger = createLogger("postAuthentication");
const adapters = createProvisioningAdapters(config, logger);
logger.debug("Post-authentication adapters", adapters.describe);

const postAuthentication = createPostAuthenticationHandler({
  config,
  logger,
  groups: adapters.groups,
  profiles: adapters.profiles,
  // One deadline per invocation (AWS_CALL_BUDGET_MS) bounds the lookup and the work together.
  timing: config,
});

/** The Lambda handler Cognito invokes. */
export const handler: PostAuthenticationTriggerHandler = (event, context) =>
  postAuthentication(event, context);
