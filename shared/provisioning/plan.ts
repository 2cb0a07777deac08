/**
 * What provisioning a user means, decided purely from the event's attributes and the config:
 * the groups to join and the profile record to write. Post-confirmation and the
 * post-authentication backstop both plan with it; `apply.ts` carries the plan out.
 */
import { attributeIsTrue, emailDomain, readStringMap } from "../events";
import type { ProvisioningConfig } from "./config";

/** Where the account came from: a native sign-up, or a federated identity provider. */
export type ProfileSource = "native" | "federated";

/** The profile record written once per user (partition key `sub`). */
export interface Profile {
  /** The user's immutable Cognito `sub`: the table's partition key. */
  readonly sub: string;
  /** The Cognito username (an email or UUID for native users, `<Provider>_<id>` for federated ones). */
  readonly username: string;
  /** The pool the user belongs to. */
  readonly userPoolId: string;
  /** The email attribute as Cognito holds it, if any. */
  readonly email?: string;
  /** `name`, or `given_name family_name`, if any. */
  readonly name?: string;
  /** When the profile was created (ISO 8601, UTC). */
  readonly createdAt: string;
  /** `native` or `federated`. */
  readonly source: ProfileSource;
  /** The identity provider's name for federated users (e.g. `Google`, `MyOIDC`). */
  readonly provider?: string;
  /**
   * Which trigger wrote the record when it was not post-confirmation: `post-authentication`
   * (the backstop, for users post-confirmation never saw). Absent: post-confirmation.
   */
  readonly provisionedBy?: ProvisionedBy;
}

/** The trigger that provisioned a user, when it was not post-confirmation. */
export type ProvisionedBy = "post-authentication";

/** The groups to join and the profile to write for one user. */
export interface ProvisionPlan {
  readonly kind: "provision";
  /** Groups to join, default first, without duplicates. */
  readonly groups: readonly string[];
  /** Why each group was chosen, for the log. */
  readonly groupReasons: readonly string[];
  readonly profile: Profile;
}

/** The parts of an event the provisioning decision reads (already envelope-checked). */
export interface ProvisioningInput {
  readonly userName: string;
  readonly userPoolId: string;
  /** `request.userAttributes`, untrusted. */
  readonly userAttributes: unknown;
}

/** An event the trigger cannot act on (the caller picks the error type). */
export type InvalidPlan = { readonly kind: "invalid"; readonly reason: string };

/** The config the decision reads. */
export type DecisionConfig = Pick<ProvisioningConfig, "defaultGroup" | "groupByEmailDomain">;

/** The provider name of a federated user, from the `identities` attribute (a JSON string). */
export function federatedProvider(identities: string | undefined): string | undefined {
  if (identities === undefined || identities === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(identities);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  for (const identity of parsed) {
    if (typeof identity !== "object" || identity === null) continue;
    const name = (identity as Record<string, unknown>).providerName;
    if (typeof name === "string" && name !== "") return name;
  }
  return undefined;
}

/** Where the account came from. Cognito marks federated users `cognito:user_status: EXTERNAL_PROVIDER` and lists them in `identities`. */
export function profileSource(attributes: Readonly<Record<string, string>>): {
  source: ProfileSource;
  provider?: string;
} {
  const provider = federatedProvider(attributes.identities);
  if (provider !== undefined) return { source: "federated", provider };
  if (attributes["cognito:user_status"] === "EXTERNAL_PROVIDER") return { source: "federated" };
  return { source: "native" };
}

function displayName(attributes: Readonly<Record<string, string>>): string | undefined {
  const name = attributes.name?.trim();
  if (name) return name;
  const parts = [attributes.given_name?.trim(), attributes.family_name?.trim()].filter(
    (part): part is string => part !== undefined && part !== "",
  );
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/**
 * The groups to join: the default group, plus the group the email-domain rule
 * chooses. The rule looks only at a *verified* email (an unverified address, or an
 * IdP that does not assert `email_verified`, would let anyone claim a domain).
 */
export function chooseGroups(
  attributes: Readonly<Record<string, string>>,
  config: DecisionConfig,
): { groups: string[]; reasons: string[] } {
  const groups: string[] = [];
  const reasons: string[] = [];
  if (config.defaultGroup !== undefined) {
    groups.push(config.defaultGroup);
    reasons.push(`${config.defaultGroup}: default group`);
  }
  const email = attributes.email;
  if (email !== undefined && attributeIsTrue(attributes.email_verified)) {
    // An ASCII domain only: lower-casing maps some non-ASCII letters to ASCII ones (the
    // Kelvin sign U+212A becomes `k`), so `a@\u212Apmg.com`, another domain, would pass as `kpmg.com`.
    const raw = email.trim();
    const ascii = /^[\x21-\x7e]+$/.test(raw.slice(raw.lastIndexOf("@") + 1));
    const domain = ascii ? emailDomain(email) : undefined;
    const ruleGroup =
      domain === undefined || !Object.hasOwn(config.groupByEmailDomain, domain)
        ? undefined
        : config.groupByEmailDomain[domain];
    if (ruleGroup !== undefined && !groups.includes(ruleGroup)) {
      groups.push(ruleGroup);
      reasons.push(`${ruleGroup}: verified email domain ${domain}`);
    }
  }
  return { groups, reasons };
}

/**
 * Decide what to provision for a user: the groups {@link chooseGroups} picks and the
 * profile record. Shared by post-confirmation and the post-authentication backstop, so
 * both give a user exactly the same groups and record. No `sub` (never sent by Cognito)
 * gives `invalid` rather than a throw, so the caller picks the error type.
 */
export function planProvisioning(
  input: ProvisioningInput,
  config: DecisionConfig,
  now: Date,
  options: { readonly provisionedBy?: ProvisionedBy } = {},
): ProvisionPlan | InvalidPlan {
  const attributes = readStringMap(input.userAttributes);
  const sub = attributes.sub?.trim();
  if (!sub) return { kind: "invalid", reason: "userAttributes.sub is missing" };

  const { groups, reasons } = chooseGroups(attributes, config);
  const email = attributes.email?.trim();
  const name = displayName(attributes);
  const { source, provider } = profileSource(attributes);
  const profile: Profile = {
    sub,
    username: input.userName,
    userPoolId: input.userPoolId,
    ...(email ? { email } : {}),
    ...(name !== undefined ? { name } : {}),
    createdAt: now.toISOString(),
    source,
    ...(provider !== undefined ? { provider } : {}),
    ...(options.provisionedBy !== undefined ? { provisionedBy: options.provisionedBy } : {}),
  };
  return { kind: "provision", groups, groupReasons: reasons, profile };
}
