/**
 * Pre-signup configuration, parsed once per container from the environment.
 * Every rule is off or permissive by default; a malformed value throws a
 * ConfigError naming the variable at cold start.
 */
import { type CommonConfig, loadCommonConfig } from "../config/common";
import {
  awsEndpoint,
  type Env,
  optionalString,
  readBoolean,
  readEnum,
  readJson,
  readList,
} from "../config/env";
import { entries, expected, type JsonReader } from "../config/json";
import { ConfigError } from "../errors";
import { normaliseDomainRule } from "./domains";
import { hashInviteCode, parseDigest } from "./invite";

/** What to do on a federated first sign-in when no native user has the email. */
export const NO_NATIVE_USER_POLICIES = ["allow-separate", "create-native"] as const;
/** See {@link PreSignUpConfig.noNativeUserPolicy}. */
export type NoNativeUserPolicy = (typeof NO_NATIVE_USER_POLICIES)[number];

/** What the trigger answers once it has linked a federated identity. */
export const AFTER_LINK_BEHAVIOURS = ["fail-with-message", "continue"] as const;
/** See {@link PreSignUpConfig.afterLink}. */
export type AfterLinkBehaviour = (typeof AFTER_LINK_BEHAVIOURS)[number];

/** The default message of a sign-in that has just been linked (clients match it to retry). */
export const DEFAULT_LINKED_MESSAGE =
  "Your sign-in has been linked to your existing account. Please sign in again.";

/** Pre-signup settings. */
export interface PreSignUpConfig {
  readonly common: CommonConfig;
  /** PRE_SIGNUP_ALLOWED_DOMAINS: if non-empty, only emails in these domains (or subdomains) may register. */
  readonly allowedDomains: readonly string[];
  /** PRE_SIGNUP_DENIED_DOMAINS: emails in these domains (or subdomains) may never register; wins over every other rule. */
  readonly deniedDomains: readonly string[];
  /** PRE_SIGNUP_INVITE_ONLY: self sign-up needs a valid invite code; federated users may only link to an existing account. */
  readonly inviteOnly: boolean;
  /** PRE_SIGNUP_INVITE_CODES + PRE_SIGNUP_INVITE_CODE_HASHES: SHA-256 digests of the valid invite codes. */
  readonly inviteCodeDigests: readonly Buffer[];
  /** PRE_SIGNUP_INVITE_CODE_KEY: the `validationData` / `clientMetadata` key carrying the code. */
  readonly inviteCodeKey: string;
  /** PRE_SIGNUP_AUTO_CONFIRM_DOMAINS: self sign-ups in these domains are confirmed (their email is not marked verified unless autoVerifyTrustedDomains). */
  readonly autoConfirmDomains: readonly string[];
  /** PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS: also mark those sign-ups' email verified, unproven (default false; refused with federated linking). */
  readonly autoVerifyTrustedDomains: boolean;
  /** PRE_SIGNUP_AUTO_CONFIRM_ADMIN_CREATED: admin-created users are confirmed and their email marked verified. */
  readonly autoConfirmAdminCreated: boolean;
  /** PRE_SIGNUP_AUTO_VERIFY_FEDERATED_EMAIL: mark a federated user's email verified when the IdP says it is. */
  readonly autoVerifyFederatedEmail: boolean;
  /** PRE_SIGNUP_REQUIRED_ATTRIBUTES: attributes every self-signed-up or admin-created user must carry. */
  readonly requiredAttributes: readonly string[];
  /** PRE_SIGNUP_ATTRIBUTE_PATTERNS: JSON object of attribute name -> regular expression its value must match. */
  readonly attributePatterns: ReadonlyMap<string, RegExp>;
  /** PRE_SIGNUP_REQUIRE_E164_PHONE: a `phone_number`, when given, must be E.164 (`+` and 8 to 15 digits). */
  readonly requireE164Phone: boolean;
  /** PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL: with an allow-list, a federated sign-up needs an email its IdP verified (default true). */
  readonly allowListRequiresVerifiedEmail: boolean;
  /** PRE_SIGNUP_LINK_FEDERATED: link a federated first sign-in to the native user with the same verified email. */
  readonly linkFederated: boolean;
  /** PRE_SIGNUP_NO_NATIVE_USER: `allow-separate` (a federated-only user) or `create-native` (create a native user, then link). */
  readonly noNativeUserPolicy: NoNativeUserPolicy;
  /** PRE_SIGNUP_AFTER_LINK: `fail-with-message` (end the first sign-in with linkedMessage) or `continue` (return to Cognito). */
  readonly afterLink: AfterLinkBehaviour;
  /** PRE_SIGNUP_LINKED_MESSAGE: the user-facing message ending a sign-in that was just linked. */
  readonly linkedMessage: string;
  /** PRE_SIGNUP_IDENTITY_PROVIDERS: the pool's IdP names in their exact case (built-in social names are always known). */
  readonly identityProviders: readonly string[];
  /**
   * PRE_SIGNUP_LINK_PROVIDERS: the providers (exact names) whose verified emails may link a
   * federated sign-in to a native user; empty: every provider. A provider left out still signs
   * in, as a user of its own.
   */
  readonly linkProviders: readonly string[];
  /** PRE_SIGNUP_SUBJECT_ATTRIBUTE: a user attribute (e.g. `custom:idp_sub`) the IdP mapping fills with the case-preserved subject. */
  readonly subjectAttribute: string | undefined;
  /** PRE_SIGNUP_LOCAL_USERS_FILE: local mode only, a JSON file of native users the local directory stand-in holds. */
  readonly localUsersFile: string | undefined;
  /** AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (or AWS_ENDPOINT_URL): when set, local mode calls this real engine instead of the stand-in. */
  readonly cognitoEndpoint: string | undefined;
}

function readDomains(env: Env, name: string): string[] {
  return readList(env, name).map((rule) => {
    const domain = normaliseDomainRule(rule);
    if (domain === undefined) throw new ConfigError(name, `has an invalid domain "${rule}"`);
    return domain;
  });
}

function readDigests(env: Env): Buffer[] {
  const fromCodes = readList(env, "PRE_SIGNUP_INVITE_CODES").map((code) => hashInviteCode(code));
  const fromHashes = readList(env, "PRE_SIGNUP_INVITE_CODE_HASHES").map((hex, index) => {
    const digest = parseDigest(hex);
    // The value is a digest, not a secret, but only its position is named.
    if (!digest) {
      throw new ConfigError(
        "PRE_SIGNUP_INVITE_CODE_HASHES",
        `item ${index + 1} is not a 64-character hex SHA-256 digest`,
      );
    }
    return digest;
  });
  return [...fromCodes, ...fromHashes];
}

/** PRE_SIGNUP_ATTRIBUTE_PATTERNS: attribute name -> regular expression (Unicode mode). */
const validatePatterns: JsonReader<Map<string, RegExp>> = (value, path) =>
  new Map(
    entries(value, path, (source, where) => {
      if (typeof source !== "string") expected(where, "a regular expression", source);
      try {
        return new RegExp(source, "u");
      } catch {
        return expected(where, "a valid regular expression", source);
      }
    }),
  );

// A user pool attribute name (`custom:idp_sub`, `nickname`): printable, no whitespace, short.
const ATTRIBUTE_NAME = /^(?:custom:|dev:)?[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$/u;

function readSubjectAttribute(env: Env): string | undefined {
  const name = optionalString(env, "PRE_SIGNUP_SUBJECT_ATTRIBUTE");
  if (name !== undefined && !ATTRIBUTE_NAME.test(name)) {
    throw new ConfigError("PRE_SIGNUP_SUBJECT_ATTRIBUTE", `"${name}" is not a user attribute name`);
  }
  return name;
}

/** Parse the pre-signup settings from `env`. Throws a ConfigError naming the variable on bad input. */
export function loadPreSignUpConfig(env: Env = process.env): PreSignUpConfig {
  const inviteOnly = readBoolean(env, "PRE_SIGNUP_INVITE_ONLY", false);
  const linkFederated = readBoolean(env, "PRE_SIGNUP_LINK_FEDERATED", true);
  const autoVerifyTrustedDomains = readBoolean(
    env,
    "PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS",
    false,
  );
  // An unproven verified email is what linking trusts: a self sign-up as ceo@<trusted domain>
  // would receive the CEO's federated sign-in. The two cannot be on together.
  if (autoVerifyTrustedDomains && linkFederated) {
    throw new ConfigError(
      "PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS",
      "is true while PRE_SIGNUP_LINK_FEDERATED is on: linking would trust emails nobody proved to own (set PRE_SIGNUP_LINK_FEDERATED=false, or leave auto-verify off)",
    );
  }
  const inviteCodeDigests = readDigests(env);
  if (inviteOnly && inviteCodeDigests.length === 0) {
    throw new ConfigError(
      "PRE_SIGNUP_INVITE_ONLY",
      "is true but neither PRE_SIGNUP_INVITE_CODES nor PRE_SIGNUP_INVITE_CODE_HASHES is set",
    );
  }
  return {
    common: loadCommonConfig(env),
    allowedDomains: readDomains(env, "PRE_SIGNUP_ALLOWED_DOMAINS"),
    deniedDomains: readDomains(env, "PRE_SIGNUP_DENIED_DOMAINS"),
    inviteOnly,
    inviteCodeDigests,
    inviteCodeKey: optionalString(env, "PRE_SIGNUP_INVITE_CODE_KEY", "inviteCode"),
    autoConfirmDomains: readDomains(env, "PRE_SIGNUP_AUTO_CONFIRM_DOMAINS"),
    autoVerifyTrustedDomains,
    autoConfirmAdminCreated: readBoolean(env, "PRE_SIGNUP_AUTO_CONFIRM_ADMIN_CREATED", false),
    autoVerifyFederatedEmail: readBoolean(env, "PRE_SIGNUP_AUTO_VERIFY_FEDERATED_EMAIL", true),
    requiredAttributes: readList(env, "PRE_SIGNUP_REQUIRED_ATTRIBUTES"),
    attributePatterns: readJson(
      env,
      "PRE_SIGNUP_ATTRIBUTE_PATTERNS",
      new Map<string, RegExp>(),
      validatePatterns,
    ),
    requireE164Phone: readBoolean(env, "PRE_SIGNUP_REQUIRE_E164_PHONE", false),
    allowListRequiresVerifiedEmail: readBoolean(
      env,
      "PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL",
      true,
    ),
    linkFederated,
    noNativeUserPolicy: readEnum(
      env,
      "PRE_SIGNUP_NO_NATIVE_USER",
      NO_NATIVE_USER_POLICIES,
      "allow-separate",
    ),
    afterLink: readEnum(env, "PRE_SIGNUP_AFTER_LINK", AFTER_LINK_BEHAVIOURS, "fail-with-message"),
    linkedMessage: optionalString(env, "PRE_SIGNUP_LINKED_MESSAGE", DEFAULT_LINKED_MESSAGE),
    identityProviders: readList(env, "PRE_SIGNUP_IDENTITY_PROVIDERS"),
    linkProviders: readList(env, "PRE_SIGNUP_LINK_PROVIDERS"),
    subjectAttribute: readSubjectAttribute(env),
    localUsersFile: optionalString(env, "PRE_SIGNUP_LOCAL_USERS_FILE"),
    cognitoEndpoint: awsEndpoint(env, "COGNITO_IDENTITY_PROVIDER"),
  };
}
