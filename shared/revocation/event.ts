/**
 * The CloudTrail events EventBridge delivers for Cognito user pool calls, narrowed to what the
 * revocation writer needs: whose tokens to revoke and as of when. Pure: the handler applies the
 * decision. What each event carries, and what it cannot: docs/authorizer.md#revocation-writer.
 */
import { InvalidEventError } from "../errors";
import { isRecord } from "../guards";
import type { RevocationTarget } from "./writer";

/** The Cognito API calls after which a user's tokens are revoked. */
export const REVOCATION_EVENT_NAMES = [
  "AdminUserGlobalSignOut",
  "GlobalSignOut",
  "AdminDisableUser",
  "AdminDeleteUser",
  "RevokeToken",
] as const;

/** One of {@link REVOCATION_EVENT_NAMES}. */
export type RevocationEventName = (typeof REVOCATION_EVENT_NAMES)[number];

/** EventBridge's `detail-type` for API calls recorded by CloudTrail. */
export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";
/** EventBridge's `source` of Cognito user pool events. */
export const COGNITO_EVENT_SOURCE = "aws.cognito-idp";

/** The value CloudTrail writes in place of a field it does not record. */
export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

/** What the writer does with one event. */
export type RevocationDecision =
  | {
      readonly kind: "revoke";
      readonly eventName: RevocationEventName;
      readonly eventId: string;
      /** The call's time (CloudTrail `eventTime`), epoch seconds: tokens issued up to it are revoked. */
      readonly revokedAt: number;
      readonly userPoolId: string | undefined;
      readonly target: RevocationTarget;
    }
  /** Not a revocation: the call failed, another pool's, or an event the writer does not handle. */
  | { readonly kind: "ignore"; readonly reason: string; readonly eventName?: string }
  /** A revocation whose user the event does not identify (logged at ERROR, not retried). */
  | {
      readonly kind: "unresolvable";
      readonly reason: string;
      readonly eventName: RevocationEventName;
      readonly eventId: string;
      readonly userPoolId: string | undefined;
    };

// Identifiers as Cognito shapes them; anything else (a redaction marker, junk) is not one.
const POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+$/;
const IDENTIFIER = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** A string field, or the single string of a one-element list (hosted UI events use lists). */
function text(value: unknown): string | undefined {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof v !== "string" || v === HIDDEN || !IDENTIFIER.test(v)) return undefined;
  return v;
}

function isRevocationEvent(name: unknown): name is RevocationEventName {
  return (REVOCATION_EVENT_NAMES as readonly unknown[]).includes(name);
}

/**
 * Decide what one EventBridge event asks for. `userPoolIds`: the pools whose revocations are
 * written (undefined: any pool, local mode only). Throws {@link InvalidEventError} for an event
 * that is not an EventBridge CloudTrail event at all (a misconfigured rule).
 *
 * The user is, in order: the `sub` Cognito records (`additionalEventData.sub`, or
 * `additionalEventData.requestParameters.sub`); the request's
 * `username` with the pool id (Admin* calls), resolved later with AdminGetUser. GlobalSignOut
 * and RevokeToken send a token, which CloudTrail does not record, so without a recorded `sub`
 * they are unresolvable.
 */
export function decideRevocation(
  event: unknown,
  userPoolIds: readonly string[] | undefined,
): RevocationDecision {
  if (!isRecord(event) || !isRecord(event.detail)) {
    throw new InvalidEventError("not an EventBridge event with a detail object");
  }
  if (event["detail-type"] !== CLOUDTRAIL_DETAIL_TYPE || event.source !== COGNITO_EVENT_SOURCE) {
    return { kind: "ignore", reason: "not a Cognito API call recorded by CloudTrail" };
  }
  const detail = event.detail;
  const eventName = detail.eventName;
  if (!isRevocationEvent(eventName)) {
    return {
      kind: "ignore",
      reason: "not a revoking call",
      eventName: typeof eventName === "string" ? eventName.slice(0, 64) : undefined,
    };
  }
  // A call that failed (NotAuthorizedException, UserNotFoundException...) revoked nothing.
  if (detail.errorCode !== undefined && detail.errorCode !== null && detail.errorCode !== "") {
    return { kind: "ignore", reason: "the call failed", eventName };
  }
  const eventTime = typeof detail.eventTime === "string" ? Date.parse(detail.eventTime) : NaN;
  if (!Number.isFinite(eventTime)) {
    throw new InvalidEventError(`${eventName} event without a valid eventTime`);
  }
  const eventId = text(detail.eventID) ?? "unknown";
  const request = isRecord(detail.requestParameters) ? detail.requestParameters : {};
  const additional = isRecord(detail.additionalEventData) ? detail.additionalEventData : {};
  const poolText = text(request.userPoolId) ?? text(additional.userPoolId);
  const userPoolId = poolText !== undefined && POOL_ID.test(poolText) ? poolText : undefined;
  if (userPoolId !== undefined && userPoolIds !== undefined && !userPoolIds.includes(userPoolId)) {
    return { kind: "ignore", reason: "another user pool", eventName };
  }
  const common = { eventName, eventId, userPoolId };
  const revokedAt = Math.floor(eventTime / 1000);

  // Where Cognito records the user's sub: `additionalEventData.sub`, or, in the shape of its
  // documented hosted UI events, `additionalEventData.requestParameters.sub` (a list of one).
  const nested = isRecord(additional.requestParameters) ? additional.requestParameters : {};
  const sub = text(additional.sub) ?? text(nested.sub);
  if (sub !== undefined) {
    // A token-authorized call names no pool; a sub is unique to its user whatever the pool.
    if (userPoolId === undefined && eventName.startsWith("Admin")) {
      return { kind: "unresolvable", reason: "an Admin call without a userPoolId", ...common };
    }
    return { kind: "revoke", revokedAt, target: { kind: "sub", sub }, ...common };
  }
  const username = text(request.username);
  if (username !== undefined && userPoolId !== undefined) {
    return {
      kind: "revoke",
      revokedAt,
      target: { kind: "username", userPoolId, username },
      ...common,
    };
  }
  return {
    kind: "unresolvable",
    reason: eventName.startsWith("Admin")
      ? "neither a sub nor a username (with its pool) is recorded in the event"
      : "the token is not recorded by CloudTrail and the event carries no sub",
    ...common,
  };
}
