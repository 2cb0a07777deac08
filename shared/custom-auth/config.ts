/**
 * Configuration of the three custom-auth triggers, parsed once per container
 * (at cold start) from the environment. Each trigger loads only what it uses;
 * a missing or malformed value throws a ConfigError naming the variable.
 */
import { type CommonConfig, loadCommonConfig } from "../config/common";
import {
  type Env,
  optionalString,
  optionalTableName,
  readBoolean,
  readEnum,
  readInteger,
  readList,
  requireString,
} from "../config/env";
import { ConfigError } from "../errors";
import { loadMessagingConfig } from "../messaging/config";
import { loadMessageCatalog } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";
import { compileTemplate, type EmailTemplate } from "./templates";

/** The two sign-in flows this suite offers through CUSTOM_AUTH. */
export const AUTH_FLOWS = ["passwordless", "password-code"] as const;
/** `passwordless`: emailed code only. `password-code`: SRP password first, then the emailed code. */
export type AuthFlow = (typeof AUTH_FLOWS)[number];

/** The `clientMetadata` key a client app may use to declare its flow (validated, never trusted alone). */
export const FLOW_METADATA_KEY = "authFlow";

/** Which app clients may use which flow. */
export interface FlowPolicy {
  /** CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: app client ids allowed the passwordless flow. */
  readonly passwordlessClientIds: ReadonlySet<string>;
  /** CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: app client ids allowed the password-then-code flow. */
  readonly passwordCodeClientIds: ReadonlySet<string>;
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

/**
 * The cross-sign-in lockout (shared/custom-auth/lockout.ts): wrong answers are counted per
 * user across sign-ins in a DynamoDB table; from `threshold` failures in a window on, create
 * issues no real code (pretend path) and verify accepts no answer until the window ends.
 * Absent (feature off) when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset; serverless.yml sets it.
 */
export interface LockoutConfig {
  /** CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: the table of per-user failure counters (key `pk`, TTL attribute `expiresAt`). */
  readonly tableName: string;
  /** CUSTOM_AUTH_LOCKOUT_THRESHOLD: wrong answers, across sign-ins, that lock a user out until the window ends (default 10, 1-100). */
  readonly threshold: number;
  /** CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: the counting window, from a user's first failure in it (default 900, 60-86400). */
  readonly windowSeconds: number;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): in local mode, the DynamoDB engine to use (dynalite) instead of the local file. */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda; a local engine gets `eu-west-1` when it is unset. */
  readonly awsRegion: string | undefined;
  /** LOCAL_AUTH_ATTEMPTS_FILE: in local mode without a DynamoDB endpoint, the JSON file that holds the counters. */
  readonly localFile: string;
}

/** Default of {@link LockoutConfig.threshold}: more than three whole failed sign-ins (3 answers each). */
export const DEFAULT_LOCKOUT_THRESHOLD = 10;
/** Default of {@link LockoutConfig.windowSeconds}: 15 minutes. */
export const DEFAULT_LOCKOUT_WINDOW_SECONDS = 900;
/** Where local mode keeps the counters when no DynamoDB endpoint is set. */
export const DEFAULT_LOCAL_ATTEMPTS_FILE = ".local/custom-auth/attempts.json";

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
}

/** Settings of the verify-auth-challenge trigger. */
export interface VerifyAuthConfig {
  readonly common: CommonConfig;
  readonly eligibility: EligibilityPolicy;
  /** The cross-sign-in lockout; undefined when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset (off). */
  readonly lockout: LockoutConfig | undefined;
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

/**
 * Parse the lockout settings shared by create and verify (they must agree: create reads the
 * counter verify writes). Undefined when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset.
 */
export function loadLockoutConfig(env: Env): LockoutConfig | undefined {
  const tableName = optionalTableName(env, "CUSTOM_AUTH_ATTEMPTS_TABLE_NAME");
  // Parsed even when off, so a bad value is refused whatever the table setting.
  const threshold = readInteger(env, "CUSTOM_AUTH_LOCKOUT_THRESHOLD", DEFAULT_LOCKOUT_THRESHOLD, {
    min: 1,
    max: 100,
  });
  const windowSeconds = readInteger(
    env,
    "CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS",
    DEFAULT_LOCKOUT_WINDOW_SECONDS,
    { min: 60, max: 86_400 },
  );
  if (tableName === undefined) return undefined;
  return {
    tableName,
    threshold,
    windowSeconds,
    dynamoEndpoint:
      optionalString(env, "AWS_ENDPOINT_URL_DYNAMODB") ?? optionalString(env, "AWS_ENDPOINT_URL"),
    awsRegion: optionalString(env, "AWS_REGION"),
    localFile: optionalString(env, "LOCAL_AUTH_ATTEMPTS_FILE", DEFAULT_LOCAL_ATTEMPTS_FILE),
  };
}

function loadEligibility(env: Env): EligibilityPolicy {
  return { requireVerifiedEmail: readBoolean(env, "CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL", true) };
}

/** Parse the define-auth-challenge settings. */
export function loadDefineAuthConfig(env: Env = process.env): DefineAuthConfig {
  return {
    flows: {
      passwordlessClientIds: new Set(readList(env, "CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS")),
      passwordCodeClientIds: new Set(readList(env, "CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS")),
      defaultFlows: readFlows(env, "CUSTOM_AUTH_DEFAULT_FLOWS"),
    },
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
    sesEndpoint:
      optionalString(env, "AWS_ENDPOINT_URL_SESV2") ?? optionalString(env, "AWS_ENDPOINT_URL"),
    sesRegion: optionalString(env, "AWS_REGION"),
    pretendDelayMs: readInteger(env, "CUSTOM_AUTH_PRETEND_DELAY_MS", 150, { min: 0, max: 2000 }),
    emailHint: readEnum(env, "CUSTOM_AUTH_EMAIL_HINT", EMAIL_HINTS, "masked"),
    lockout: loadLockoutConfig(env),
  };
}

/** Parse the verify-auth-challenge settings. */
export function loadVerifyAuthConfig(env: Env = process.env): VerifyAuthConfig {
  return {
    common: loadCommonConfig(env),
    eligibility: loadEligibility(env),
    lockout: loadLockoutConfig(env),
  };
}
