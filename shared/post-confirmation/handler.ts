/**
 * The post-confirmation handler, built from injected config, logger and adapters
 * so tests (and the local stack) choose their own stores and clients.
 */
import type { Context } from "aws-lambda";
import { DEFAULT_CALL_TIMING, type Deadline } from "../aws/clients";
import { cognitoTrigger } from "../cognito-trigger";
import { InvalidEventError } from "../errors";
import type { PostConfirmationTriggerEvent } from "../events";
import { TRIGGER_SOURCES } from "../events";
import { applyProvisioning, type ProvisioningDeps } from "../provisioning/apply";
import { planPostConfirmation } from "./decide";

/** What the handler needs: the provisioning dependencies. */
export type PostConfirmationDeps = ProvisioningDeps;

/**
 * Build the post-confirmation handler.
 *
 * The group calls run concurrently, then the profile put (only when they all succeeded:
 * a profile record means "fully provisioned", see provision.ts), each bounded by the
 * invocation's one {@link Deadline} (AWS_CALL_BUDGET_MS from the start, 4 s by
 * default, or less when the Lambda has less time left): its abort signal stops
 * every call and SDK retry when it passes, inside Cognito's 5 s. Every step is
 * idempotent, so when one fails the whole invocation fails with the generic
 * message and a retry repeats all steps safely.
 */
export function createPostConfirmationHandler(
  deps: PostConfirmationDeps,
): (
  event: PostConfirmationTriggerEvent,
  context?: Context,
) => Promise<PostConfirmationTriggerEvent> {
  const { config, logger, groups, profiles } = deps;
  const now = deps.now ?? (() => new Date());
  const timing = deps.timing ?? DEFAULT_CALL_TIMING;

  async function provision(
    event: PostConfirmationTriggerEvent,
    _context: Context | undefined,
    deadline: Deadline,
  ): Promise<PostConfirmationTriggerEvent> {
    const plan = planPostConfirmation(
      {
        triggerSource: event.triggerSource,
        userName: event.userName,
        userPoolId: event.userPoolId,
        userAttributes: event.request.userAttributes,
      },
      config,
      now(),
    );
    if (plan.kind === "invalid") throw new InvalidEventError(plan.reason);
    if (plan.kind === "skip") {
      logger.info("Post-confirmation skipped", { reason: plan.reason });
      return event;
    }

    const { profile } = plan;
    const outcome = await applyProvisioning(
      plan,
      { userPoolId: event.userPoolId, username: event.userName },
      { groups, profiles },
      deadline,
      logger,
      { label: "Post-confirmation" },
    );

    logger.info("Post-confirmation done", {
      sub: profile.sub,
      source: profile.source,
      provider: profile.provider,
      groups: plan.groupReasons,
      profile: outcome,
    });
    return event;
  }

  return cognitoTrigger<PostConfirmationTriggerEvent>(
    logger,
    TRIGGER_SOURCES.postConfirmation,
    provision,
    { timing },
  );
}
