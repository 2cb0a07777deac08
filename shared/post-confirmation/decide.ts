/**
 * The pure half of the post-confirmation trigger: from the event and the config, decide
 * what to do (skip, or provision: see `shared/provisioning/plan.ts`). No I/O here; the
 * handler applies the plan.
 */
import {
  type DecisionConfig,
  type InvalidPlan,
  type ProvisioningInput,
  type ProvisionPlan,
  planProvisioning,
} from "../provisioning/plan";

/** What the trigger does for one event. */
export type PostConfirmationPlan =
  | { readonly kind: "skip"; readonly reason: string }
  | ProvisionPlan;

/** The parts of the post-confirmation event the decision reads (already envelope-checked). */
export interface PostConfirmationInput extends ProvisioningInput {
  readonly triggerSource: string;
}

/**
 * Decide what the trigger does. `PostConfirmation_ConfirmForgotPassword` is skipped;
 * `PostConfirmation_ConfirmSignUp` (native confirmation, or a federated user's first
 * sign-in) provisions groups and a profile ({@link planProvisioning}). An event it cannot
 * act on (no `sub`) gives `invalid` rather than a throw, so the caller picks the error type.
 */
export function planPostConfirmation(
  input: PostConfirmationInput,
  config: DecisionConfig,
  now: Date,
): PostConfirmationPlan | InvalidPlan {
  if (input.triggerSource === "PostConfirmation_ConfirmForgotPassword") {
    return { kind: "skip", reason: "password reset confirmation: nothing to provision" };
  }
  if (input.triggerSource !== "PostConfirmation_ConfirmSignUp") {
    return { kind: "invalid", reason: `unexpected triggerSource ${input.triggerSource}` };
  }
  return planProvisioning(input, config, now);
}
