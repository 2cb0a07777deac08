/**
 * Post-confirmation trigger: puts a newly confirmed user (native confirmation or a
 * federated user's first sign-in) in the default group and any rule-chosen group,
 * and writes their profile record once. Password-reset confirmations are skipped.
 * Idempotent under Cognito's retries. See docs/post-confirmation.md.
 */
import type { PostConfirmationTriggerHandler } from "aws-lambda";
import { createLogger } from "../shared/logger";
import { createPostConfirmationHandler } from "../shared/post-confirmation/handler";
import { createProvisioningAdapters } from "../shared/provisioning/adapters";
import { loadProvisioningConfig } from "../shared/provisioning/config";

// Cold start: config parsed and clients created once per container.
const config = loadProvisioningConfig(process.env);
const logger = createLogger("postConfirmation");
const adapters = createProvisioningAdapters(config, logger);
logger.debug("Post-confirmation adapters", adapters.describe);

const postConfirmation = createPostConfirmationHandler({
  config,
  logger,
  groups: adapters.groups,
  profiles: adapters.profiles,
  // One deadline per invocation (AWS_CALL_BUDGET_MS) bounds every AWS call together.
  timing: config,
});

/** The Lambda handler Cognito invokes. */
export const handler: PostConfirmationTriggerHandler = (event, context) =>
  postConfirmation(event, context);
