/**
 * Event models shared by the triggers: the `@types/aws-lambda` unions,
 * narrowed on `triggerSource`, plus guards for the parts that arrive untrusted.
 *
 * Real events carry `null` where the typings say object or string
 * (`validationData: null`, `clientMetadata` absent), and admin-originated
 * events carry `callerContext.clientId: "CLIENT_ID_NOT_APPLICABLE"`.
 * The guards accept exactly what Cognito sends and nothing looser.
 */
import type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
  PreSignUpTriggerEvent,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  PreTokenGenerationV3TriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from "aws-lambda";
import { InvalidEventError, quoteUntrusted } from "./errors";
import { isRecord } from "./guards";

export type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
  PreSignUpTriggerEvent,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  PreTokenGenerationV3TriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
};

/** `callerContext.clientId` of events that an admin API call caused. */
export const CLIENT_ID_NOT_APPLICABLE = "CLIENT_ID_NOT_APPLICABLE";

/** Every trigger source of each trigger, as literal tuples (the runtime half of the unions). */
export const TRIGGER_SOURCES = {
  preSignUp: [
    "PreSignUp_SignUp",
    "PreSignUp_AdminCreateUser",
    "PreSignUp_ExternalProvider",
  ] as const satisfies readonly PreSignUpTriggerEvent["triggerSource"][],
  postConfirmation: [
    "PostConfirmation_ConfirmSignUp",
    "PostConfirmation_ConfirmForgotPassword",
  ] as const satisfies readonly PostConfirmationTriggerEvent["triggerSource"][],
  postAuthentication: [
    "PostAuthentication_Authentication",
  ] as const satisfies readonly PostAuthenticationTriggerEvent["triggerSource"][],
  preTokenGeneration: [
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
    "TokenGeneration_ClientCredentials",
  ] as const,
  defineAuthChallenge: [
    "DefineAuthChallenge_Authentication",
  ] as const satisfies readonly DefineAuthChallengeTriggerEvent["triggerSource"][],
  createAuthChallenge: [
    "CreateAuthChallenge_Authentication",
  ] as const satisfies readonly CreateAuthChallengeTriggerEvent["triggerSource"][],
  verifyAuthChallenge: [
    "VerifyAuthChallengeResponse_Authentication",
  ] as const satisfies readonly VerifyAuthChallengeResponseTriggerEvent["triggerSource"][],
} as const;

/**
 * Assert that `event` is a Cognito trigger event with one of `sources` as its
 * `triggerSource`. Checks the envelope only; the parts a trigger reads from
 * `request` are guarded where they are read.
 */
export function assertTriggerEvent<E extends { triggerSource: string }>(
  event: unknown,
  sources: readonly E["triggerSource"][],
): asserts event is E {
  if (!isRecord(event)) throw new InvalidEventError("event is not an object");
  const { triggerSource, userPoolId, userName, request, response } = event;
  if (typeof triggerSource !== "string" || !sources.includes(triggerSource)) {
    throw new InvalidEventError(`unexpected triggerSource ${quoteUntrusted(triggerSource)}`);
  }
  if (typeof userPoolId !== "string" || userPoolId === "") {
    throw new InvalidEventError("userPoolId is missing");
  }
  // Client-credentials (M2M) token events have no user; every other trigger has one.
  if (triggerSource !== "TokenGeneration_ClientCredentials" && typeof userName !== "string") {
    throw new InvalidEventError("userName is missing");
  }
  if (!isRecord(request)) throw new InvalidEventError("request is missing");
  // Cognito always sends `response`; a hand-written event may omit it, so create it.
  if (response === undefined || response === null) event.response = {};
  else if (!isRecord(response)) throw new InvalidEventError("response is not an object");
}

/**
 * Read an untrusted string map (`clientMetadata`, `validationData`,
 * `userAttributes`): `null`/absent give `{}`, non-string values are dropped,
 * and keys are own properties only (no prototype keys).
 */
export function readStringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === "string") out[key] = item;
  }
  return out;
}

/**
 * Normalise an email for comparison: trimmed and lower-cased. Plus-addressing
 * is kept (it is a different mailbox to Cognito), but domain rules look only at
 * the domain so it cannot bypass them.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The domain part of an email (after the last `@`), lower-cased, or undefined when malformed. */
export function emailDomain(email: string): string | undefined {
  const normalised = normaliseEmail(email);
  const at = normalised.lastIndexOf("@");
  if (at <= 0 || at === normalised.length - 1) return undefined;
  return normalised.slice(at + 1).replace(/\.$/, "");
}

/** True when the user pool attribute value is the string "true" (Cognito sends booleans as strings). */
export function attributeIsTrue(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === "true";
}
