/**
 * Configuration of the three custom-auth triggers, parsed once per container
 * (at cold start) from the environment. Each trigger loads only what it uses;
 * a missing or malformed value throws a ConfigError naming the variable.
 */
import { type CommonConfig, loadCommonConfig } from "../config/common";
import {
  awsEndpoint,
  type Env,
  optionalString,
  readBoolean,
  readEnum,
  readInteger,
  readList,
  requireString,
} from "../config/env";
import { ConfigError } from "../errors";
import { type LockoutConfig, loadLockoutConfig } from "../lockout/config";
import { loadMessagingConfig } from "../messaging/config";
import { loadMessageCatalog } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";
import {
  loadMagicLinkConfig,
  loadMagicLinkCreateConfig,
  type MagicLinkConfig,
  type MagicLinkCreateConfig,
} from "./magic-link/config";
import { compileTemplate, type EmailTemplate } from "./templates";

/** The sign-in flows this suite offers through CUSTOM_AUTH. */
export const AUTH_FLOWS = ["passwordless", "password-code", "magic-link"] as const;
/**
 * `passwordless`: emailed code only. `password-code`: SRP password first, then the emailed
 * code. `magic-link`: a signed, single-use link emailed to the user (docs/custom-auth.md).
 */
export type AuthFlow = (typeof AUTH_FLOWS)[number];

/** The `clientMetadata` key a client app may use to declare its flow (validated, never trusted alone). */
export const FLOW_METADATA_KEY = "authFlow";

/** Which app clients may use which flow. */
export interface FlowPolicy {
  /** CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: app client ids allowed the passwordless flow. */
  readonly passwordlessClientIds: ReadonlySet<string>;
  /** CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: app client ids allowed the password-then-code flow. */
  readonly passwordCodeClientIds: ReadonlySet<string>;
  /** CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS: app client ids allowed magic links (they also get the method round). */
  readonly magicLinkClientIds?: ReadonlySet<string>;
  /**
   * CUSTOM_AUTH_DEFAULT_FLOWS: flows allowed for app clients in neither list (`none` for no
   * flow). Default `password-code` only: passwordless is an explicit opt-in per client.
   */
  readonly defaultFlows: ReadonlySet<AuthFlow>;
}

/** Who may receive a code at all (everyone else gets the pretend path, see docs). */
export interface EligibilityPolicy {
  /** CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL: send codes only to `email_verified=true` addresses. */
  readonly requireVerifiedEmail: boolean;
}

/** The flows of clients listed in neither client-id list when CUSTOM_AUTH_DEFAULT_FLOWS is unset. */
export const DEFAULT_FLOWS: readonly AuthFlow[] = ["password-code"];

/** How `publicChallengeParameters.email` is built (see mask.ts). */
export const EMAIL_HINTS = ["masked", "fixed"] as const;
/** `masked`: the typed email, masked (else a fixed text). `fixed`: the fixed text for everyone. */
export type EmailHintMode = (typeof EMAIL_HINTS)[number];

/** Settings of the define-auth-challenge trigger. */
export interface DefineAuthConfig {
  readonly flows: FlowPolicy;
  readonly eligibility: EligibilityPolicy;
  /** CUSTOM_AUTH_MAX_ATTEMPTS: wrong code answers allowed before the sign-in fails. */
  readonly maxAttempts: number;
}

/** Settings of the create-auth-challenge trigger. */
export interface CreateAuthConfig {
  readonly common: CommonConfig;
  readonly eligibility: EligibilityPolicy;
  /** CUSTOM_AUTH_CODE_LENGTH: digits in a one-time code. */
  readonly codeLength: number;
  /** CUSTOM_AUTH_CODE_TTL_SECONDS: how long a code stays valid after it is sent. */
  readonly codeTtlSeconds: number;
  /** CUSTOM_AUTH_FROM_ADDRESS: the SES `FromEmailAddress` (a verified identity). */
  readonly fromAddress: string;
  /** CUSTOM_AUTH_SES_CONFIGURATION_SET: optional SES configuration set name (empty: none). */
  readonly configurationSet: string | undefined;
  /** CUSTOM_AUTH_EMAIL_SUBJECT / CUSTOM_AUTH_EMAIL_BODY: templates with `{code}` and `{minutes}` (empty: default); the subject is one line. */
  readonly template: EmailTemplate;
  /**
   * The repository's `custom-auth-code` templates (subject, HTML and text, in the user's
   * locale: MESSAGES_DEFAULT_LOCALE, MESSAGES_APP_NAME, MESSAGES_LINK_BASE_URL), used when neither
   * CUSTOM_AUTH_EMAIL_SUBJECT nor CUSTOM_AUTH_EMAIL_BODY is set; undefined when one is (that
   * plain-text template then wins, as before the templates existed).
   */
  readonly messages: Catalog | undefined;
  /** AWS_ENDPOINT_URL_SESV2 (or AWS_ENDPOINT_URL): a local SES endpoint; in local mode, use SES there instead of the outbox. */
  readonly sesEndpoint: string | undefined;
  /** AWS_REGION: the region of the SES client at `sesEndpoint` in local mode (default eu-west-1). */
  readonly sesRegion: string | undefined;
  /** CUSTOM_AUTH_PRETEND_DELAY_MS: initial estimate of a real send's duration, used on the pretend path (empty: 150). */
  readonly pretendDelayMs: number;
  /** CUSTOM_AUTH_EMAIL_HINT: `masked` (default) or `fixed` (pools where users may type an identifier that is neither their username nor their email). */
  readonly emailHint: EmailHintMode;
  /** The cross-sign-in lockout; undefined when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset (off). */
  readonly lockout: LockoutConfig | undefined;
  /** Which app clients get the method round (the same flow variables as define's). */
  readonly flows: FlowPolicy;
  /** Magic links; undefined when CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME is unset (off). */
  readonly magicLink: MagicLinkCreateConfig | undefined;
  /** The repository's `custom-auth-magic-link` templates (loaded when magic links are on). */
  readonly linkMessages: Catalog | undefined;
}

/** Settings of the verify-auth-challenge trigger. */
export interface VerifyAuthConfig {
  readonly common: CommonConfig;
  readonly eligibility: EligibilityPolicy;
  /** The cross-sign-in lockout; undefined when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset (off). */
  readonly lockout: LockoutConfig | undefined;
  /** Magic links; undefined when CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME is unset (off). */
  readonly magicLink: MagicLinkConfig | undefined;
}

/** Default subject of the code email. */
export const DEFAULT_SUBJECT = "Your sign-in code";
/** Default body of the code email. */
export const DEFAULT_BODY =
  "Your sign-in code is {code}. It expires in {minutes} minutes.\n\nIf you did not try to sign in, you can ignore this email.";

/** Longest code supported; verify rejects longer answers before any work. */
export const MAX_CODE_LENGTH = 10;

/**
 * Shortest code allowed (NIST SP 800-63B's floor for one-time codes). The attempt limit counts
 * per sign-in, and anyone may start sign-ins, so a shorter code is guessable across them: with
 * 4 digits and 3 tries, one sign-in in 3,333 succeeds.
 */
export const MIN_CODE_LENGTH = 6;

function readFlows(env: Env, name: string): Set<AuthFlow> {
  const items = readList(env, name);
  if (items.length === 0) return new Set(DEFAULT_FLOWS);
  if (items.length === 1 && items[0] === "none") return new Set();
  for (const item of items) {
    if (!(AUTH_FLOWS as readonly string[]).includes(item)) {
      throw new ConfigError(name, `must list ${AUTH_FLOWS.join(", ")} or be "none", got "${item}"`);
    }
  }
  return new Set(items as AuthFlow[]);
}

function loadEligibility(env: Env): EligibilityPolicy {
  return { requireVerifiedEmail: readBoolean(env, "CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL", true) };
}

/** Parse which app clients may use which flow (define's check; create's method round). */
export function loadFlowPolicy(env: Env = process.env): FlowPolicy {
  return {
    passwordlessClientIds: new Set(readList(env, "CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS")),
    passwordCodeClientIds: new Set(readList(env, "CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS")),
    magicLinkClientIds: new Set(readList(env, "CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS")),
    defaultFlows: readFlows(env, "CUSTOM_AUTH_DEFAULT_FLOWS"),
  };
}

/** Parse the define-auth-challenge settings. */
export function loadDefineAuthConfig(env: Env = process.env): DefineAuthConfig {
  return {
    flows: loadFlowPolicy(env),
    eligibility: loadEligibility(env),
    maxAttempts: readInteger(env, "CUSTOM_AUTH_MAX_ATTEMPTS", 3, { min: 1, max: 10 }),
  };
}

/** Parse the create-auth-challenge settings. The sender address is required outside local mode. */
export function loadCreateAuthConfig(env: Env = process.env): CreateAuthConfig {
  const common = loadCommonConfig(env);
  const fromAddress = common.localMode
    ? optionalString(env, "CUSTOM_AUTH_FROM_ADDRESS", "no-reply@example.com")
    : requireString(env, "CUSTOM_AUTH_FROM_ADDRESS");
  const codeTtlSeconds = readInteger(env, "CUSTOM_AUTH_CODE_TTL_SECONDS", 180, {
    min: 30,
    max: 3600,
  });
  const flows = loadFlowPolicy(env);
  const magicLink = loadMagicLinkCreateConfig(env, common);
  const linksAllowed =
    (flows.magicLinkClientIds?.size ?? 0) > 0 || flows.defaultFlows.has("magic-link");
  if (linksAllowed && magicLink === undefined) {
    // Define would offer a method that create cannot serve: refuse the deployment, not a user.
    throw new ConfigError(
      "CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME",
      "is required when CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS or CUSTOM_AUTH_DEFAULT_FLOWS allows magic-link",
    );
  }
  return {
    common,
    eligibility: loadEligibility(env),
    codeLength: readInteger(env, "CUSTOM_AUTH_CODE_LENGTH", 6, {
      min: MIN_CODE_LENGTH,
      max: MAX_CODE_LENGTH,
    }),
    codeTtlSeconds,
    fromAddress,
    configurationSet: optionalString(env, "CUSTOM_AUTH_SES_CONFIGURATION_SET"),
    template: {
      subject: compileTemplate(
        "CUSTOM_AUTH_EMAIL_SUBJECT",
        optionalString(env, "CUSTOM_AUTH_EMAIL_SUBJECT", DEFAULT_SUBJECT),
        { needsCode: false, singleLine: true },
      ),
      body: compileTemplate(
        "CUSTOM_AUTH_EMAIL_BODY",
        // Let a one-line env value carry line breaks as "\n".
        optionalString(env, "CUSTOM_AUTH_EMAIL_BODY", DEFAULT_BODY).replace(/\\n/g, "\n"),
        { needsCode: true, singleLine: false },
      ),
    },
    messages:
      optionalString(env, "CUSTOM_AUTH_EMAIL_SUBJECT") === undefined &&
      optionalString(env, "CUSTOM_AUTH_EMAIL_BODY") === undefined
        ? loadMessageCatalog(
            loadMessagingConfig(env, { requireAppName: false }),
            ["custom-auth-code"],
            false,
          )
        : undefined,
    sesEndpoint: awsEndpoint(env, "SESV2"),
    sesRegion: optionalString(env, "AWS_REGION"),
    pretendDelayMs: readInteger(env, "CUSTOM_AUTH_PRETEND_DELAY_MS", 150, { min: 0, max: 2000 }),
    emailHint: readEnum(env, "CUSTOM_AUTH_EMAIL_HINT", EMAIL_HINTS, "masked"),
    lockout: loadLockoutConfig(env),
    flows,
    magicLink,
    linkMessages:
      magicLink === undefined
        ? undefined
        : loadMessageCatalog(
            loadMessagingConfig(env, { requireAppName: false }),
            ["custom-auth-magic-link"],
            false,
          ),
  };
}

/** Parse the verify-auth-challenge settings. */
export function loadVerifyAuthConfig(env: Env = process.env): VerifyAuthConfig {
  const common = loadCommonConfig(env);
  return {
    common,
    eligibility: loadEligibility(env),
    lockout: loadLockoutConfig(env),
    magicLink: loadMagicLinkConfig(env, common),
  };
}
