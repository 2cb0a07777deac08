/**
 * Pre-token-generation: the pure claim-building path (configuration + user ->
 * V2 response), which runs on every sign-in and refresh. Target < 50 us.
 */
import { buildUserCustomisation, type UserContext } from "../shared/pre-token-generation/claims";
import { parsePreTokenConfig } from "../shared/pre-token-generation/config";
import { toV1Response, toV2Response } from "../shared/pre-token-generation/response-shapes";
import { type BenchRow, formatMicros, medianMicros } from "./lib";

const TARGET_US = 50;

const config = parsePreTokenConfig({
  claims: [
    { claim: "tenant_id", attribute: "custom:tenant_id" },
    { claim: "plan", attribute: "custom:plan", tokens: ["access"] },
    { claim: "seats", attribute: "custom:seats", type: "number" },
    { claim: "beta", attribute: "custom:beta", type: "boolean" },
    { claim: "departments", attribute: "custom:departments", type: "stringList" },
    { claim: "display_name", attribute: "name", tokens: ["id"] },
  ],
  readOnlyAttributes: [
    "custom:tenant_id",
    "custom:plan",
    "custom:seats",
    "custom:beta",
    "custom:departments",
  ],
  suppressClaims: { id: ["phone_number"] },
  roles: { groups: { admins: ["admin", "member"], members: ["member"], ops: ["operator"] } },
  groupOverride: {
    visibleGroups: ["admins", "members"],
    preferredRoles: [{ group: "admins", roleArn: "arn:aws:iam::123456789012:role/admins" }],
  },
  scopes: {
    groups: { admins: { add: ["api/read", "api/write"] }, members: { add: ["api/read"] } },
    suppress: ["aws.cognito.signin.user.admin"],
  },
});

const user: UserContext = {
  attributes: {
    sub: "4f0d2b1e-8c3a-4e5b-9f6a-2d7c1b0a9e8f",
    email: "alice@example.com",
    name: "Alice Example",
    "custom:tenant_id": "acme",
    "custom:plan": "pro",
    "custom:seats": "25",
    "custom:beta": "true",
    "custom:departments": "sales, support",
  },
  groups: ["admins", "members"],
  iamRoles: [],
};

/** Median time of the user claim-building path, V2 and V1 responses. */
export async function run(): Promise<BenchRow[]> {
  const v2 = await medianMicros(() =>
    toV2Response(buildUserCustomisation(config, user), { m2m: false }),
  );
  const v1 = await medianMicros(() => toV1Response(buildUserCustomisation(config, user)));
  return [
    {
      name: "pre-token-generation: build claims + V2 response",
      value: formatMicros(v2),
      target: `< ${TARGET_US} us`,
      ok: v2 < TARGET_US,
    },
    {
      name: "pre-token-generation: build claims + V1 response",
      value: formatMicros(v1),
      target: `< ${TARGET_US} us`,
      ok: v1 < TARGET_US,
    },
  ];
}
