/**
 * The post-authentication backstop: provisions, on sign-in, the users post-confirmation
 * never saw (admin-created users who confirm through the forced password change,
 * aws-amplify/amplify-cli#13127) or failed for. Built from injected config, logger and
 * adapters, like the post-confirmation handler, and reusing its plan and adapters.
 *
 * Hot path (the profile exists): one GetItem, no write. Otherwise exactly the
 * post-confirmation work (default group, rule-chosen group, conditional profile put),
 * idempotent, under the same per-invocation deadline.
 *
 * A failed lookup or provisioning does NOT fail the sign-in: the password was verified
 * already, groups added now reach the tokens only at the next sign-in anyway, and the
 * profile is still missing on the next sign-in, so the work is simply retried then. It is
 * logged at ERROR (`Post-authentication backstop failed`) with its cause. A malformed
 * event still fails with the generic message (it is not a transient failure).
 */
import type { Context } from "aws-lambda";
import { DEFAULT_CALL_TIMING } from "../aws/clients";
import { cognitoTrigger } from "../cognito-trigger";
import { InvalidEventError } from "../errors";
import { type PostAuthenticationTriggerEvent, TRIGGER_SOURCES } from "../events";
import { applyProvisioning, type ProvisioningDeps } from "../provisioning/apply";
import { planProvisioning } from "../provisioning/plan";
import type { ProfileLookup, ProfileStore } from "../provisioning/profiles";

/** What the handler needs: the provisioning dependencies, with a profile store that can also look up. */
export interface PostAuthenticationDeps extends Omit<ProvisioningDeps, "profiles"> {
  readonly profiles: ProfileStore & ProfileLookup;
}

/** Build the post-authentication handler (see the module comment for its behaviour). */
export function createPostAuthenticationHandler(
  deps: PostAuthenticationDeps,
): (
  event: PostAuthenticationTriggerEvent,
  context?: Context,
) => Promise<PostAuthenticationTriggerEvent> {
  const { config, logger, groups, profiles } = deps;
  const now = deps.now ?? (() => new Date());
  const timing = deps.timing ?? DEFAULT_CALL_TIMING;

  return cognitoTrigger<PostAuthenticationTriggerEvent>(
    logger,
    TRIGGER_SOURCES.postAuthentication,
    async (event, _context, deadline) => {
      // Pure and cheap (microseconds): validates the event before any call.
      const plan = planProvisioning(
        {
          userName: event.userName,
          userPoolId: event.userPoolId,
          userAttributes: event.request.userAttributes,
        },
        config,
        now(),
        { provisionedBy: "post-authentication" },
      );
      if (plan.kind === "invalid") throw new InvalidEventError(plan.reason);
      const { sub } = plan.profile;

      try {
        if (await profiles.exists(sub, deadline)) {
          logger.debug("Post-authentication: profile exists", { sub });
          return event;
        }
        const outcome = await applyProvisioning(
          plan,
          { userPoolId: event.userPoolId, username: event.userName },
          { groups, profiles },
          deadline,
          logger,
          { label: "Post-authentication" },
        );
        logger.info("Post-authentication backstop provisioned", {
          sub,
          source: plan.profile.source,
          provider: plan.profile.provider,
          groups: plan.groupReasons,
          profile: outcome,
        });
      } catch (error) {
        // Let the sign-in through (module comment); the next sign-in retries the work.
        logger.error("Post-authentication backstop failed; sign-in allowed, retried next sign-in", {
          sub,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
      return event;
    },
    { timing },
  );
}
