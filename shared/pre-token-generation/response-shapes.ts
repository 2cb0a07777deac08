/**
 * Event versions: which one Cognito sent, and the response shape each expects.
 *
 * - V1 (`version` "1"; cognito-local sends "0"): `claimsOverrideDetails`, ID token only,
 *   claim values are strings.
 * - V2 (`version` "2"): `claimsAndScopeOverrideDetails`, ID and access tokens and scopes,
 *   claim values may be strings, numbers, booleans or arrays of strings.
 * - V3 (`version` "3"): V2 plus `TokenGeneration_ClientCredentials` (M2M access tokens).
 */
import { InvalidEventError, quoteUntrusted } from "../errors";
import type { ClaimChanges, GroupOverride, TokenCustomisation } from "./claims";
import type { ClaimValue } from "./config";
import { isForbiddenTarget } from "./reserved";

/** The pre-token-generation event version. */
export type EventVersion = 1 | 2 | 3;

const VERSIONS: Readonly<Record<string, EventVersion>> = { "0": 1, "1": 1, "2": 2, "3": 3 };

/**
 * The version of `event`, from its `version` field. Without one (a hand-written
 * event), the response key Cognito pre-fills decides, else V1. Any other
 * version is refused rather than answered in a shape Cognito may not apply.
 */
export function detectVersion(event: {
  version?: unknown;
  triggerSource: string;
  response?: unknown;
}): EventVersion {
  const { version } = event;
  let detected: EventVersion;
  if (version === undefined || version === null) {
    const response = event.response as Record<string, unknown> | undefined;
    detected = response && "claimsAndScopeOverrideDetails" in response ? 2 : 1;
    if (event.triggerSource === "TokenGeneration_ClientCredentials") detected = 3;
  } else {
    const found = typeof version === "string" ? VERSIONS[version] : undefined;
    if (found === undefined)
      throw new InvalidEventError(`unsupported event version ${quoteUntrusted(version)}`);
    detected = found;
  }
  if (event.triggerSource === "TokenGeneration_ClientCredentials" && detected !== 3) {
    throw new InvalidEventError("client-credentials events exist only in version 3");
  }
  return detected;
}

/** A V2/V3 claim map (Cognito's typings say strings; it accepts the other JSON types too). */
export type ClaimMap = Record<string, ClaimValue>;

/** The V1 response. */
export interface V1Response {
  claimsOverrideDetails: {
    claimsToAddOrOverride: Record<string, string>;
    claimsToSuppress: string[];
    groupOverrideDetails?: GroupOverrideDetails;
  };
}

/** `groupOverrideDetails` as Cognito reads it. */
export interface GroupOverrideDetails {
  groupsToOverride: string[];
  iamRolesToOverride: string[];
  preferredRole?: string;
}

/** The V2/V3 response. */
export interface V2Response {
  claimsAndScopeOverrideDetails: {
    idTokenGeneration?: { claimsToAddOrOverride: ClaimMap; claimsToSuppress: string[] };
    accessTokenGeneration: {
      claimsToAddOrOverride: ClaimMap;
      claimsToSuppress: string[];
      scopesToAdd: string[];
      scopesToSuppress: string[];
    };
    groupOverrideDetails?: GroupOverrideDetails;
  };
}

/**
 * A claim value as V1 carries it: strings unchanged, numbers and booleans as
 * their JSON text, arrays of strings as a JSON array string (`["a","b"]`).
 */
export function toV1Value(value: ClaimValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Output guard: the last place a reserved name could be stopped (config already refuses them).
function safeClaims<T>(changes: ClaimChanges, convert: (v: ClaimValue) => T): Record<string, T> {
  const entries: [string, T][] = [];
  for (const [claim, value] of changes.claims) {
    if (!isForbiddenTarget(claim)) entries.push([claim, convert(value)]);
  }
  return Object.fromEntries(entries);
}

function copyValue(value: ClaimValue): ClaimValue {
  return Array.isArray(value) ? [...value] : value;
}

function groupDetails(override: GroupOverride): GroupOverrideDetails {
  return {
    groupsToOverride: [...override.groupsToOverride],
    iamRolesToOverride: [...override.iamRolesToOverride],
    ...(override.preferredRole ? { preferredRole: override.preferredRole } : {}),
  };
}

/** The V1 response: the ID-token half of the customisation, values as strings. */
export function toV1Response(c: TokenCustomisation): V1Response {
  return {
    claimsOverrideDetails: {
      claimsToAddOrOverride: safeClaims(c.id, toV1Value),
      claimsToSuppress: [...c.id.suppress],
      ...(c.groupOverride ? { groupOverrideDetails: groupDetails(c.groupOverride) } : {}),
    },
  };
}

/**
 * The V2/V3 response. For client-credentials (`m2m`) tokens there is no ID
 * token and no user groups, so only `accessTokenGeneration` is written.
 */
export function toV2Response(c: TokenCustomisation, { m2m }: { m2m: boolean }): V2Response {
  const accessTokenGeneration = {
    claimsToAddOrOverride: safeClaims(c.access, copyValue),
    claimsToSuppress: [...c.access.suppress],
    scopesToAdd: [...c.access.scopesToAdd],
    scopesToSuppress: [...c.access.scopesToSuppress],
  };
  if (m2m) return { claimsAndScopeOverrideDetails: { accessTokenGeneration } };
  return {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: {
        claimsToAddOrOverride: safeClaims(c.id, copyValue),
        claimsToSuppress: [...c.id.suppress],
      },
      accessTokenGeneration,
      ...(c.groupOverride ? { groupOverrideDetails: groupDetails(c.groupOverride) } : {}),
    },
  };
}
