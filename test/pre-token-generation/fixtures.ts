/** Shared test configuration and helpers for the pre-token-generation tests. */
import { type PreTokenConfig, parsePreTokenConfig } from "../../shared/pre-token-generation/config";

export const ADMIN_ROLE = "arn:aws:iam::123456789012:role/acme-admins";
export const MEMBER_ROLE = "arn:aws:iam::123456789012:role/acme-members";
export const M2M_CLIENT = "6m2mreportingclient000000a";

/** A configuration using every feature (the one docs/pre-token-generation.md walks through). */
export const FULL_CONFIG = {
  claims: [
    { claim: "tenant_id", attribute: "custom:tenant_id" },
    { claim: "plan", attribute: "custom:plan", tokens: ["access"] },
    { claim: "seats", attribute: "custom:seats", type: "number" },
    // `name` is user-writable: declared display-only, or it would warn like any other claim.
    { claim: "display_name", attribute: "name", tokens: ["id"], grantsAccess: false },
  ],
  readOnlyAttributes: ["custom:tenant_id", "custom:plan", "custom:seats"],
  suppressClaims: { id: ["phone_number"] },
  roles: { groups: { admins: ["admin", "member"], members: ["member"] } },
  groupOverride: {
    visibleGroups: ["admins", "members"],
    preferredRoles: [
      { group: "admins", roleArn: ADMIN_ROLE },
      { group: "members", roleArn: MEMBER_ROLE },
    ],
  },
  scopes: {
    groups: { admins: { add: ["api/read", "api/write"] }, members: { add: ["api/read"] } },
    suppress: ["aws.cognito.signin.user.admin"],
  },
  clients: {
    [M2M_CLIENT]: {
      claims: { tenant_id: "acme", service: true, tier: 2, regions: ["eu", "us"] },
      scopes: { add: ["api/read"], suppress: ["api/write"] },
    },
  },
};

/** Parse a plain configuration object (what `PRE_TOKEN_CONFIG` holds). */
export function configOf(raw: unknown): PreTokenConfig {
  return parsePreTokenConfig(structuredClone(raw));
}

/** The environment holding `raw` as `PRE_TOKEN_CONFIG`. */
export function envOf(raw: unknown, extra: Record<string, string> = {}): Record<string, string> {
  return { PRE_TOKEN_CONFIG: JSON.stringify(raw), ...extra };
}
