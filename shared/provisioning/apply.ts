/**
 * Apply a provisioning plan under the invocation's one deadline: the group calls
 * concurrently, then -- only once every one succeeded -- the conditional profile put.
 * Shared by post-confirmation and the post-authentication backstop, so both do exactly the
 * same, idempotent, work, and a profile record always means "fully provisioned": the
 * backstop takes an existing profile as done, so a put that ran beside a failed group call
 * would leave that group missing for good (Cognito does not always retry post-confirmation:
 * the user is confirmed even when the trigger fails).
 */
import type { CallTiming, Deadline } from "../aws/clients";
import { DependencyError } from "../errors";
import type { Logger } from "../logger";
import type { GroupMembership } from "./groups";
import type { DecisionConfig, ProvisionPlan } from "./plan";
import type { ProfileStore, PutOutcome } from "./profiles";

/** The adapters a provisioning run writes through. */
export interface ProvisioningAdapters {
  readonly groups: GroupMembership;
  readonly profiles: ProfileStore;
}

/** What a provisioning handler (post-confirmation, the post-authentication backstop) needs. */
export interface ProvisioningDeps {
  readonly config: DecisionConfig;
  readonly logger: Logger;
  readonly groups: GroupMembership;
  readonly profiles: ProfileStore;
  /** The clock for `createdAt`; defaults to the system clock. */
  readonly now?: () => Date;
  /** The invocation budget and per-attempt timeout (the parsed config); the shared defaults when absent. */
  readonly timing?: CallTiming;
}

/** How {@link applyProvisioning} labels its logs and errors. */
export interface ProvisioningOptions {
  /** The log and error label, e.g. `Post-confirmation`. */
  readonly label: string;
}

/**
 * Run every step of `plan` for the user (`userPoolId`, `username`), bounded by `deadline`.
 * A failed group call does not stop the other group calls, but it does stop the put; each
 * failed step is logged as `<label> step failed` with its error, then one
 * DependencyError (cause: the first failure) is thrown. Resolves with the profile put's
 * outcome (`created` / `exists`).
 */
export async function applyProvisioning(
  plan: ProvisionPlan,
  user: { readonly userPoolId: string; readonly username: string },
  adapters: ProvisioningAdapters,
  deadline: Deadline,
  logger: Logger,
  { label }: ProvisioningOptions,
): Promise<PutOutcome> {
  const { groups, profiles } = adapters;
  const steps: { name: string; run: () => Promise<unknown> }[] = plan.groups.map((group) => ({
    name: `AdminAddUserToGroup(${group})`,
    run: () => groups.addUserToGroup(user.userPoolId, user.username, group, deadline),
  }));
  const put = { name: "PutItem(profile)", run: () => profiles.putIfAbsent(plan.profile, deadline) };
  let results = await Promise.allSettled(steps.map((step) => step.run()));
  if (results.every((result) => result.status === "fulfilled")) {
    steps.push(put);
    results = [...results, ...(await Promise.allSettled([put.run()]))];
  }

  const failures = results.flatMap((result, i) =>
    result.status === "rejected" ? [{ step: steps[i]?.name, error: result.reason }] : [],
  );
  for (const failure of failures) {
    logger.error(`${label} step failed`, {
      step: failure.step,
      error: failure.error instanceof Error ? failure.error : new Error(String(failure.error)),
    });
  }
  if (failures.length > 0) {
    const total = plan.groups.length + 1;
    throw new DependencyError(
      `${failures.length} of ${total} ${label.toLowerCase()} steps failed: ${failures
        .map((f) => f.step)
        .join(", ")}`,
      { cause: failures[0]?.error },
    );
  }
  const last = results[results.length - 1];
  return last?.status === "fulfilled" ? (last.value as PutOutcome) : "created";
}
