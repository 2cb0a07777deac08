/**
 * The pre-signup decisions, as pure functions of the request and the config.
 * They return data; the handler applies it (writes `event.response`, calls
 * Cognito, or throws the user-facing message).
 *
 *   decideSignUp   who may register, and the auto-confirm / auto-verify flags
 *   planFederated  whether a federated first sign-in should look for a native user
 *   decideLink     given the users with that email, link, create-and-link, keep separate or refuse
 */
import { attributeIsTrue, type PreSignUpTriggerEvent } from "../events";
import type { PreSignUpConfig } from "./config";
import { domainMatches, strictEmailDomain } from "./domains";
import { inviteCodeMatches } from "./invite";
import {
  type FederatedIdentity,
  hasIdentity,
  parseFederatedUserName,
  resolveSubject,
  type SubjectSource,
} from "./provider";

/** The three pre-signup trigger sources. */
export type PreSignUpSource = PreSignUpTriggerEvent["triggerSource"];

/** The parts of a pre-signup event the decisions read, already guarded. */
export interface SignUpRequest {
  readonly triggerSource: PreSignUpSource;
  readonly userName: string;
  readonly userAttributes: Readonly<Record<string, string>>;
  readonly validationData: Readonly<Record<string, string>>;
  readonly clientMetadata: Readonly<Record<string, string>>;
}

/** The config a decision reads (a subset, so tests can pass plain objects). */
export type DecisionConfig = Omit<PreSignUpConfig, "common" | "localUsersFile" | "cognitoEndpoint">;

/**
 * `clientMetadata` the trigger passes to its own AdminCreateUser (create-native
 * policy), so the nested `PreSignUp_AdminCreateUser` skips the attribute checks
 * the new native user (email only) cannot meet. Only callers with
 * `cognito-idp:AdminCreateUser` can send it; domain rules still apply.
 */
export const LINK_CREATE_METADATA = { preSignUpPurpose: "federated-link" } as const;

/** The user-facing messages (Cognito shows them as `PreSignUp failed with error <message>.`). */
export const MESSAGES = {
  emailRequired: "An email address is required to sign up.",
  invalidEmail: "Please enter a valid email address.",
  domainDenied: "Sign-up with this email domain is not allowed.",
  domainNotAllowed: "Sign-up is limited to approved email domains.",
  inviteRequired: "Sign-up is by invitation only. Please enter your invitation code.",
  inviteInvalid: "The invitation code is not valid.",
  // A federated sign-in has nowhere to enter a code: it gets in only by linking to an account
  // that was created with an invitation and has a verified email.
  federatedInviteOnly:
    "Sign-up is by invitation only. Please sign up with your invitation and verify your email address first, then sign in with this provider again.",
  invalidPhone: "Please enter the phone number in international format, for example +14155550100.",
  federatedEmailNotVerified:
    "Your sign-in provider has not verified your email address. Please verify it there and try again.",
  severalAccounts: "We could not link this sign-in to your account. Please contact support.",
  accountDisabled: "Your account is disabled. Please contact support.",
} as const;

/** A readable name for an attribute in a message: `custom:employee_id` -> `employee id`. */
export function attributeLabel(attribute: string): string {
  return attribute.replace(/^custom:/, "").replace(/_/g, " ");
}

/** Why a sign-up was refused. */
export type DenyReason =
  | "email-required"
  | "invalid-email"
  | "domain-denied"
  | "domain-not-allowed"
  | "missing-attribute"
  | "invalid-attribute"
  | "invalid-phone"
  | "invite-required"
  | "invite-invalid"
  | "federated-email-not-verified";

/** The flags written to `event.response`. */
export interface SignUpResponse {
  readonly autoConfirmUser: boolean;
  readonly autoVerifyEmail: boolean;
  readonly autoVerifyPhone: boolean;
}

/** What a federated first sign-in brings: who it is, and what its IdP says about the email. */
export interface FederatedSignIn {
  /** Provider and subject parsed from `userName` (subject from the subject attribute when it confirms it); undefined when it does not parse. */
  readonly identity: FederatedIdentity | undefined;
  /** Where the subject came from (see `resolveSubject`); undefined with `identity`. */
  readonly subjectSource?: SubjectSource;
  /** False when the subject may have lost its case (a case-insensitive pool lower-cases `userName`). */
  readonly subjectCaseSafe?: boolean;
  /** The email as the IdP sent it (trimmed), if any. */
  readonly email: string | undefined;
  /** True only when the IdP asserted `email_verified: true`. */
  readonly emailVerified: boolean;
}

/** The outcome of {@link decideSignUp}. */
export type SignUpDecision =
  | { readonly kind: "deny"; readonly reason: DenyReason; readonly message: string }
  | {
      readonly kind: "allow";
      readonly response: SignUpResponse;
      /** Present for `PreSignUp_ExternalProvider`: the linking step still has to run. */
      readonly federated?: FederatedSignIn;
    };

const E164 = /^\+[1-9]\d{7,14}$/;

function deny(reason: DenyReason, message: string): SignUpDecision {
  return { kind: "deny", reason, message };
}

function checkDomain(
  email: string | undefined,
  config: DecisionConfig,
): SignUpDecision | undefined {
  if (config.allowedDomains.length === 0 && config.deniedDomains.length === 0) return undefined;
  if (email === undefined || email.trim() === "")
    return deny("email-required", MESSAGES.emailRequired);
  const domain = strictEmailDomain(email);
  if (domain === undefined) return deny("invalid-email", MESSAGES.invalidEmail);
  if (domainMatches(domain, config.deniedDomains)) {
    return deny("domain-denied", MESSAGES.domainDenied);
  }
  if (config.allowedDomains.length > 0 && !domainMatches(domain, config.allowedDomains)) {
    return deny("domain-not-allowed", MESSAGES.domainNotAllowed);
  }
  return undefined;
}

/**
 * With an allow-list, a federated sign-up must carry an email its IdP verified: an
 * unverified `email` is whatever the IdP account holder typed, so `x@allowed.example`
 * would open the pool to anyone (PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL).
 */
function checkFederatedEmail(
  request: SignUpRequest,
  config: DecisionConfig,
): SignUpDecision | undefined {
  if (request.triggerSource !== "PreSignUp_ExternalProvider") return undefined;
  if (config.allowedDomains.length === 0 || !config.allowListRequiresVerifiedEmail)
    return undefined;
  if (attributeIsTrue(request.userAttributes.email_verified)) return undefined;
  return deny("federated-email-not-verified", MESSAGES.federatedEmailNotVerified);
}

function checkAttributes(
  attributes: Readonly<Record<string, string>>,
  config: DecisionConfig,
): SignUpDecision | undefined {
  for (const name of config.requiredAttributes) {
    const value = attributes[name];
    if (value === undefined || value.trim() === "") {
      return deny("missing-attribute", `Please provide your ${attributeLabel(name)}.`);
    }
  }
  for (const [name, pattern] of config.attributePatterns) {
    const value = attributes[name];
    if (value !== undefined && !pattern.test(value)) {
      return deny(
        "invalid-attribute",
        `The ${attributeLabel(name)} is not in the expected format.`,
      );
    }
  }
  const phone = attributes.phone_number;
  if (config.requireE164Phone && phone !== undefined && !E164.test(phone)) {
    return deny("invalid-phone", MESSAGES.invalidPhone);
  }
  return undefined;
}

function checkInvite(request: SignUpRequest, config: DecisionConfig): SignUpDecision | undefined {
  if (!config.inviteOnly) return undefined;
  const key = config.inviteCodeKey;
  const code = request.validationData[key] ?? request.clientMetadata[key];
  if (code === undefined || code.trim() === "") {
    return deny("invite-required", MESSAGES.inviteRequired);
  }
  if (!inviteCodeMatches(code.trim(), config.inviteCodeDigests)) {
    return deny("invite-invalid", MESSAGES.inviteInvalid);
  }
  return undefined;
}

function isLinkCreate(request: SignUpRequest): boolean {
  return (
    request.triggerSource === "PreSignUp_AdminCreateUser" &&
    request.clientMetadata.preSignUpPurpose === LINK_CREATE_METADATA.preSignUpPurpose
  );
}

/**
 * Decide a pre-signup request. Order: domain rules (every source, so neither
 * federated nor admin-created users bypass a denied domain; with an allow-list a
 * federated email must be IdP-verified), attribute checks (self sign-up and
 * admin-created), invite code (self sign-up only), then the auto-confirm /
 * auto-verify flags.
 *
 * Trusted domains (PRE_SIGNUP_AUTO_CONFIRM_DOMAINS) confirm a self sign-up but do
 * not verify its email unless PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS opts in: nobody
 * has proved they own the mailbox, and a verified email is what linking and the
 * post-confirmation domain groups trust.
 */
export function decideSignUp(request: SignUpRequest, config: DecisionConfig): SignUpDecision {
  const email = request.userAttributes.email;
  const refused =
    checkDomain(email, config) ??
    checkFederatedEmail(request, config) ??
    (request.triggerSource === "PreSignUp_ExternalProvider" || isLinkCreate(request)
      ? undefined
      : checkAttributes(request.userAttributes, config)) ??
    (request.triggerSource === "PreSignUp_SignUp" ? checkInvite(request, config) : undefined);
  if (refused) return refused;

  const hasEmail = email !== undefined && email.trim() !== "";
  switch (request.triggerSource) {
    case "PreSignUp_SignUp": {
      const domain = hasEmail ? strictEmailDomain(email) : undefined;
      const trusted = domain !== undefined && domainMatches(domain, config.autoConfirmDomains);
      return {
        kind: "allow",
        response: {
          autoConfirmUser: trusted,
          autoVerifyEmail: trusted && config.autoVerifyTrustedDomains,
          autoVerifyPhone: false,
        },
      };
    }
    case "PreSignUp_AdminCreateUser": {
      const auto = config.autoConfirmAdminCreated;
      return {
        kind: "allow",
        response: {
          autoConfirmUser: auto,
          autoVerifyEmail: auto && hasEmail,
          autoVerifyPhone: false,
        },
      };
    }
    case "PreSignUp_ExternalProvider": {
      const emailVerified = hasEmail && attributeIsTrue(request.userAttributes.email_verified);
      const verify = config.autoVerifyFederatedEmail && emailVerified;
      const parsed = parseFederatedUserName(request.userName, config.identityProviders);
      const subject =
        parsed === undefined
          ? undefined
          : resolveSubject(parsed, request.userAttributes, config.subjectAttribute);
      return {
        kind: "allow",
        response: { autoConfirmUser: verify, autoVerifyEmail: verify, autoVerifyPhone: false },
        federated: {
          identity: subject?.identity,
          ...(subject ? { subjectSource: subject.source, subjectCaseSafe: subject.caseSafe } : {}),
          email: hasEmail ? email.trim() : undefined,
          emailVerified,
        },
      };
    }
  }
}

/** A user returned by ListUsers, reduced to what linking needs. */
export interface DirectoryUser {
  readonly username: string;
  /** `UserStatus`: `EXTERNAL_PROVIDER` for federated users, `CONFIRMED`, `FORCE_CHANGE_PASSWORD`... for native ones. */
  readonly status: string | undefined;
  readonly enabled: boolean;
  readonly emailVerified: boolean;
  /** The identities already linked to the user (from its `identities` attribute). */
  readonly identities: readonly { readonly providerName: string; readonly userId: string }[];
}

/** The outcome of {@link planFederated} and {@link decideLink}. */
export type FederatedDecision =
  | { readonly kind: "lookup"; readonly email: string; readonly identity: FederatedIdentity }
  | { readonly kind: "separate"; readonly reason: SeparateReason }
  | { readonly kind: "refuse"; readonly reason: RefuseReason; readonly message: string }
  | {
      readonly kind: "link";
      readonly destination: string;
      readonly identity: FederatedIdentity;
      /** The native user already lists this identity: nothing to call. */
      readonly alreadyLinked: boolean;
    }
  | {
      readonly kind: "create-native-and-link";
      readonly email: string;
      readonly identity: FederatedIdentity;
    };

/** Why a federated user is kept as a user of its own (not linked). */
export type SeparateReason =
  | "linking-disabled"
  | "provider-not-trusted-for-linking"
  | "unparsed-user-name"
  | "no-email"
  | "email-not-verified"
  | "no-native-user"
  | "native-email-not-verified";

/** Why a federated first sign-in is refused. */
export type RefuseReason = "invite-only" | "several-native-users" | "native-user-disabled";

function separate(reason: SeparateReason, config: DecisionConfig): FederatedDecision {
  // Invite-only: a federated sign-in cannot carry an invite code, so it may only
  // reach an account that already exists (linking); a new separate user is refused.
  if (config.inviteOnly) {
    return { kind: "refuse", reason: "invite-only", message: MESSAGES.federatedInviteOnly };
  }
  return { kind: "separate", reason };
}

/**
 * Before any Cognito call: look for a native user only when linking is on, the
 * identity parsed, and the IdP asserted the email as verified. Linking on an
 * unverified email would hand the account to whoever controls that IdP account.
 */
export function planFederated(
  federated: FederatedSignIn,
  config: DecisionConfig,
): FederatedDecision {
  if (!config.linkFederated) return separate("linking-disabled", config);
  if (federated.identity === undefined) return separate("unparsed-user-name", config);
  // Linking trusts the IdP's email_verified: only the providers configured for it (all when
  // PRE_SIGNUP_LINK_PROVIDERS is empty) may reach a native account.
  if (
    config.linkProviders.length > 0 &&
    !config.linkProviders.includes(federated.identity.providerName)
  ) {
    return separate("provider-not-trusted-for-linking", config);
  }
  if (federated.email === undefined) return separate("no-email", config);
  if (!federated.emailVerified) return separate("email-not-verified", config);
  return { kind: "lookup", email: federated.email, identity: federated.identity };
}

/**
 * Given the users ListUsers found for the email: the native users are those whose
 * status is not `EXTERNAL_PROVIDER`, and only those whose own email is verified
 * can be the person's (an unverified one is whatever someone typed: with email as
 * an alias, anyone can sign up with the victim's address and leave it unverified).
 * - several verified native users: refuse (which one is the person's is unknowable);
 * - one, disabled: refuse; one, enabled: link (or note it is already linked);
 * - none verified, some unverified: keep separate (a squatter's account neither
 *   receives the IdP user's sign-ins nor blocks them, and no native user is created);
 * - none: the configured policy (separate user, or create a native user and link).
 */
export function decideLink(
  lookup: { readonly email: string; readonly identity: FederatedIdentity },
  users: readonly DirectoryUser[],
  config: DecisionConfig,
): FederatedDecision {
  const natives = users.filter((user) => user.status !== "EXTERNAL_PROVIDER");
  const owners = natives.filter((user) => user.emailVerified);
  if (owners.length > 1) {
    return { kind: "refuse", reason: "several-native-users", message: MESSAGES.severalAccounts };
  }
  const native = owners[0];
  if (native === undefined) {
    if (natives.length > 0) return separate("native-email-not-verified", config);
    if (config.noNativeUserPolicy === "create-native" && !config.inviteOnly) {
      return { kind: "create-native-and-link", email: lookup.email, identity: lookup.identity };
    }
    return separate("no-native-user", config);
  }
  if (!native.enabled) {
    return { kind: "refuse", reason: "native-user-disabled", message: MESSAGES.accountDisabled };
  }
  // The subject is compared exactly, as Cognito matches it at sign-in: an identity linked
  // as `00uabc123` does not sign in `00uAbC123`, so it is not "already linked".
  const alreadyLinked = hasIdentity(native.identities, lookup.identity);
  return { kind: "link", destination: native.username, identity: lookup.identity, alreadyLinked };
}
