/**
 * The function registry: one entry per serverless.yml function, naming its handler, its
 * `shared/<area>/`, its sample events, its docs page and, for Cognito triggers, how the pool
 * calls it. `npm run invoke`, the local stack, attach-triggers, the bench and the deployment
 * tests read this module instead of lists of their own; test/foundation/registry.test.ts fails
 * when an entry and the repository disagree. Adding a trigger: CONTRIBUTING.md.
 */
import type { LambdaConfigType } from "@aws-sdk/client-cognito-identity-provider";
import { CUSTOM_EMAIL_SENDER_SOURCES } from "../shared/custom-email-sender/sources";
import { CUSTOM_MESSAGE_SOURCES } from "../shared/custom-message/sources";
import { TRIGGER_SOURCES } from "../shared/events";
import { INBOUND_FEDERATION_SOURCES } from "../shared/inbound-federation/sources";
import { USER_MIGRATION_SOURCES } from "../shared/user-migration/sources";

/** LambdaConfig slots that hold a function ARN. */
export type ArnSlot = {
  [K in keyof LambdaConfigType]-?: NonNullable<LambdaConfigType[K]> extends string ? K : never;
}[keyof LambdaConfigType] &
  Exclude<keyof LambdaConfigType, "KMSKeyID">;

/** LambdaConfig slots that hold `{ LambdaArn, LambdaVersion }`: the event version is chosen. */
export type VersionedSlot =
  | "PreTokenGenerationConfig"
  | "CustomEmailSender"
  | "CustomSMSSender"
  | "InboundFederation";

/** How the event version of a versioned slot is chosen. */
export type EventVersion =
  /** Always this version (Cognito knows only one so far). */
  | { readonly fixed: string }
  /**
   * Chosen at deploy time by serverless.yml parameter `param` among `choices`; the stack
   * reports it in output `output` (attach-triggers attaches with the deployed one).
   */
  | { readonly param: string; readonly output: string; readonly choices: readonly string[] };

/** Whether the pool is wired to the function on every deploy or only when a parameter says so. */
export type Wiring =
  | "always"
  /**
   * Attached only when serverless.yml parameter `param` is "true"; the stack reports the
   * choice in output `output` ("true"/"false") for attach-triggers. The function and its
   * Cognito permission are deployed either way (a pool naming it must be able to call it).
   */
  | { readonly param: string; readonly output: string };

/** How Cognito calls a trigger. */
export type CognitoTrigger = {
  /** Cognito's name for the trigger (also the key of cognito-local's `TriggerFunctions`). */
  readonly trigger: string;
  /** The `triggerSource` values it handles (the runtime lists its guards narrow on). */
  readonly sources: readonly string[];
  /** Attached on every deploy, or only when a parameter turns it on. */
  readonly wiring: Wiring;
  /** Cognito encrypts what it sends with the pool's `KMSKeyID` (the custom senders). */
  readonly kmsKey?: true;
  /**
   * cognito-local 5.3.0 calls it (the local stack wires it); false: only the sample events,
   * `npm run invoke` and the tests' harnesses exercise it locally (docs/local-stack.md).
   */
  readonly cognitoLocal: boolean;
} & (
  | {
      /** The LambdaConfig key holding the function's ARN. */
      readonly slot: ArnSlot;
      readonly version?: never;
      readonly legacySlot?: never;
    }
  | {
      /** The LambdaConfig key holding `{ LambdaArn, LambdaVersion }`. */
      readonly slot: VersionedSlot;
      /** Which `LambdaVersion` the slot gets. */
      readonly version: EventVersion;
      /** An older unversioned key naming the same function, written alongside (pre-token). */
      readonly legacySlot?: ArnSlot;
    }
);

/** One process of the cold-start bench: sample events handled in order by a fresh process. */
export interface ColdStartPath {
  /** Files in `events/`. */
  readonly events: readonly string[];
  /** True when these events call no AWS API: the process then loads no SDK client at all. */
  readonly awsFree: boolean;
}

/**
 * How a function's cold start is measured and pinned (bench/cold-start.bench.ts and
 * test/deployment/bundles.test.ts; docs/deployment.md, "Cold starts").
 */
export interface ColdStartEntry {
  /**
   * Its main paths (default: its first sample event, AWS-free when `sdkModules` is empty);
   * empty with `skipReason` when the bench cannot run it as deployed.
   */
  readonly paths?: readonly ColdStartPath[];
  /** Why `paths` is empty. */
  readonly skipReason?: string;
  /**
   * SDK modules of `sdkModules` loaded only when a path first needs them, not at cold start.
   * Allowed only where that first call's extra time tells no two kinds of user apart.
   */
  readonly lazySdkModules?: readonly string[];
}

/** One serverless.yml function. */
export interface FunctionEntry {
  /** serverless.yml `handler`: `functions/<file>.<export>`. */
  readonly handler: `functions/${string}.${string}`;
  /** The folder under `shared/` holding its logic; omitted only for the sample endpoint. */
  readonly area?: string;
  /** Its page under `docs/`. */
  readonly docs: `docs/${string}.md`;
  /** File-name prefixes of its sample events in `events/` (every event file has one owner). */
  readonly events: readonly string[];
  /** The AWS SDK modules its deployment bundle requires (none for a function without AWS calls). */
  readonly sdkModules: readonly string[];
  /**
   * Bundle size target in KB (default 150), cold import target in ms (default 50); `ownBench`:
   * held to targets in a bench of its own.
   */
  readonly bench?: {
    readonly sizeKb?: number;
    readonly importMs?: number;
    readonly ownBench?: true;
  };
  /** Set for Cognito user pool triggers. */
  readonly cognito?: CognitoTrigger;
  /** Cold-start paths and lazily loaded SDK modules (defaults in {@link ColdStartEntry}). */
  readonly coldStart?: ColdStartEntry;
}

const COGNITO = "@aws-sdk/client-cognito-identity-provider";
const DYNAMODB = "@aws-sdk/client-dynamodb";
const SES = "@aws-sdk/client-sesv2";
const KMS = "@aws-sdk/client-kms";
// Powertools Idempotency marshals its records with it.
const DYNAMODB_UTIL = "@aws-sdk/util-dynamodb";

/** Every function of the service, by the name serverless.yml gives it. */
export const REGISTRY = {
  preSignUp: {
    handler: "functions/pre-signup.handler",
    area: "pre-signup",
    docs: "docs/pre-signup.md",
    events: ["pre-signup-"],
    sdkModules: [COGNITO],
    coldStart: {
      paths: [
        { events: ["pre-signup-sign-up.json"], awsFree: true },
        { events: ["pre-signup-external-provider.json"], awsFree: false },
      ],
      // Only federated sign-ins call Cognito; the trigger source says which path runs.
      lazySdkModules: [COGNITO],
    },
    cognito: {
      trigger: "PreSignUp",
      slot: "PreSignUp",
      sources: TRIGGER_SOURCES.preSignUp,
      wiring: "always",
      cognitoLocal: true,
    },
  },
  postConfirmation: {
    handler: "functions/post-confirmation.handler",
    area: "post-confirmation",
    docs: "docs/post-confirmation.md",
    events: ["post-confirmation-"],
    sdkModules: [COGNITO, DYNAMODB],
    coldStart: { paths: [{ events: ["post-confirmation-confirm-signup.json"], awsFree: false }] },
    cognito: {
      trigger: "PostConfirmation",
      slot: "PostConfirmation",
      sources: TRIGGER_SOURCES.postConfirmation,
      wiring: "always",
      cognitoLocal: true,
    },
  },
  postAuthentication: {
    handler: "functions/post-authentication.handler",
    area: "post-authentication",
    docs: "docs/post-confirmation.md",
    events: ["post-authentication"],
    sdkModules: [COGNITO, DYNAMODB],
    coldStart: { paths: [{ events: ["post-authentication.json"], awsFree: false }] },
    cognito: {
      trigger: "PostAuthentication",
      slot: "PostAuthentication",
      sources: TRIGGER_SOURCES.postAuthentication,
      // The backstop for users post-confirmation never saw (docs/post-confirmation.md).
      wiring: { param: "postAuthenticationBackstop", output: "PostAuthenticationBackstop" },
      // Unlike Cognito, cognito-local ignores a PostAuthentication failure.
      cognitoLocal: true,
    },
  },
  preTokenGeneration: {
    handler: "functions/pre-token-generation.handler",
    area: "pre-token-generation",
    docs: "docs/pre-token-generation.md",
    events: ["pre-token-generation-"],
    sdkModules: [],
    coldStart: { paths: [{ events: ["pre-token-generation-v2-hosted-auth.json"], awsFree: true }] },
    cognito: {
      trigger: "PreTokenGeneration",
      slot: "PreTokenGenerationConfig",
      legacySlot: "PreTokenGeneration",
      version: {
        param: "preTokenLambdaVersion",
        output: "PreTokenLambdaVersion",
        choices: ["V2_0", "V3_0"],
      },
      sources: TRIGGER_SOURCES.preTokenGeneration,
      wiring: "always",
      // As a V1 event (`version: "0"`) whatever the pool's version.
      cognitoLocal: true,
    },
  },
  defineAuthChallenge: {
    handler: "functions/define-auth-challenge.handler",
    area: "custom-auth",
    docs: "docs/custom-auth.md",
    events: ["custom-auth-define-"],
    sdkModules: [],
    coldStart: { paths: [{ events: ["custom-auth-define-start.json"], awsFree: true }] },
    cognito: {
      trigger: "DefineAuthChallenge",
      slot: "DefineAuthChallenge",
      sources: TRIGGER_SOURCES.defineAuthChallenge,
      wiring: "always",
      // cognito-local has no CUSTOM_AUTH flow: test/custom-auth/harness.ts drives the three.
      cognitoLocal: false,
    },
  },
  createAuthChallenge: {
    handler: "functions/create-auth-challenge.handler",
    area: "custom-auth",
    docs: "docs/custom-auth.md",
    events: ["custom-auth-create-"],
    // KMS: the magic-link signer (kms:Sign), loaded only with magic links on (then during the
    // cold start, like SES: docs/custom-auth.md, "Magic links").
    sdkModules: [DYNAMODB, KMS, SES],
    coldStart: {
      paths: [{ events: ["custom-auth-create-first.json"], awsFree: false }],
      // Magic links off (the default, and the bench's setting): never loaded.
      lazySdkModules: [KMS],
    },
    cognito: {
      trigger: "CreateAuthChallenge",
      slot: "CreateAuthChallenge",
      sources: TRIGGER_SOURCES.createAuthChallenge,
      wiring: "always",
      cognitoLocal: false,
    },
  },
  verifyAuthChallenge: {
    handler: "functions/verify-auth-challenge.handler",
    area: "custom-auth",
    docs: "docs/custom-auth.md",
    events: ["custom-auth-verify-"],
    // KMS: the magic-link public key (one kms:GetPublicKey per container, when on).
    sdkModules: [DYNAMODB, KMS],
    coldStart: {
      paths: [{ events: ["custom-auth-verify-correct.json"], awsFree: false }],
      // Magic links off: never loaded. On: at the first link answer's key fetch, which runs
      // before the token is looked at, whoever sent it.
      lazySdkModules: [KMS],
    },
    cognito: {
      trigger: "VerifyAuthChallengeResponse",
      slot: "VerifyAuthChallengeResponse",
      sources: TRIGGER_SOURCES.verifyAuthChallenge,
      wiring: "always",
      cognitoLocal: false,
    },
  },
  customMessage: {
    handler: "functions/custom-message.handler",
    area: "custom-message",
    docs: "docs/messages.md",
    events: ["custom-message-"],
    sdkModules: [],
    bench: { sizeKb: 50 },
    coldStart: { paths: [{ events: ["custom-message-sign-up.json"], awsFree: true }] },
    cognito: {
      trigger: "CustomMessage",
      slot: "CustomMessage",
      sources: CUSTOM_MESSAGE_SOURCES,
      wiring: "always",
      // It writes the messages cognito-local prints (its console "delivery").
      cognitoLocal: true,
    },
  },
  customEmailSender: {
    handler: "functions/custom-email-sender.handler",
    area: "custom-email-sender",
    docs: "docs/messages.md",
    events: ["custom-email-sender-"],
    sdkModules: [DYNAMODB, DYNAMODB_UTIL, KMS, SES],
    // The AWS Encryption SDK alone is about 350 KB: bench/messages.bench.ts compares it with a
    // minimal decrypt handler instead.
    bench: { ownBench: true },
    coldStart: {
      paths: [],
      skipReason:
        "its sample codes are encrypted under the local AES key, not a KMS key; bench/messages.bench.ts measures its cold import",
    },
    cognito: {
      trigger: "CustomEmailSender",
      slot: "CustomEmailSender",
      version: { fixed: "V1_0" },
      sources: CUSTOM_EMAIL_SENDER_SOURCES,
      wiring: { param: "customEmailSender", output: "CustomEmailSender" },
      kmsKey: true,
      // cognito-local encrypts the codes with a real KMS keyring, and no KMS runs here.
      cognitoLocal: false,
    },
  },
  userMigration: {
    handler: "functions/user-migration.handler",
    area: "user-migration",
    docs: "docs/user-migration.md",
    events: ["user-migration-"],
    sdkModules: [DYNAMODB],
    // Both main paths migrate the user the stub's legacy table answers with
    // (scripts/cold-start-responses.json): sign-in checks the bcrypt hash (cost 10) and the
    // lockout; forgot-password reads the user alone.
    coldStart: {
      paths: [
        { events: ["user-migration-authentication.json"], awsFree: false },
        { events: ["user-migration-forgot-password.json"], awsFree: false },
      ],
    },
    cognito: {
      trigger: "UserMigration",
      slot: "UserMigration",
      sources: USER_MIGRATION_SOURCES,
      wiring: { param: "userMigration", output: "UserMigration" },
      // cognito-local 5.3.0 calls it on password sign-in (USER_PASSWORD_AUTH and
      // ADMIN_USER_PASSWORD_AUTH) for a user the pool does not know, not on ForgotPassword: the
      // e2e suite invokes that source through the Lambda endpoint as Cognito would.
      cognitoLocal: true,
    },
  },
  inboundFederation: {
    handler: "functions/inbound-federation.handler",
    area: "inbound-federation",
    docs: "docs/inbound-federation.md",
    events: ["inbound-federation-"],
    sdkModules: [],
    bench: { sizeKb: 50 },
    cognito: {
      trigger: "InboundFederation",
      slot: "InboundFederation",
      version: { fixed: "V1_0" },
      sources: INBOUND_FEDERATION_SOURCES,
      wiring: { param: "inboundFederation", output: "InboundFederation" },
      // cognito-local has no federation: the sample events, npm run invoke and the tests cover it.
      cognitoLocal: false,
    },
  },
  authorizer: {
    handler: "functions/authorizer.handler",
    area: "authorizer",
    docs: "docs/authorizer.md",
    events: ["authorizer-"],
    // DynamoDB only with revocation on (AUTHORIZER_REVOCATION_TABLE_NAME), loaded at the first read.
    sdkModules: [DYNAMODB],
    // docs/authorizer.md#speed: no larger and no slower to import than these.
    bench: { sizeKb: 50, importMs: 20 },
    // A REST TOKEN authorizer; the bench signs the token for a deployed-mode pool.
    coldStart: {
      paths: [{ events: ["authorizer-token.json"], awsFree: true }],
      // Revocation on: every token reads the table once per cache period, whoever the user is.
      lazySdkModules: [DYNAMODB],
    },
  },
  revocationWriter: {
    handler: "functions/revocation-writer.handler",
    area: "revocation",
    docs: "docs/authorizer.md",
    events: ["revocation-writer-"],
    sdkModules: [COGNITO, DYNAMODB],
    coldStart: {
      paths: [{ events: ["revocation-writer-admin-user-global-sign-out.json"], awsFree: false }],
    },
  },
  hello: {
    handler: "functions/hello.handler",
    docs: "docs/authorizer.md",
    events: ["api-hello"],
    sdkModules: [],
  },
} as const satisfies Readonly<Record<string, FunctionEntry>>;

/** A function name from serverless.yml. */
export type FunctionName = keyof typeof REGISTRY;

/** The functions that are Cognito triggers. */
export type TriggerName = {
  [K in FunctionName]: (typeof REGISTRY)[K] extends { readonly cognito: object } ? K : never;
}[FunctionName];

/** The triggers attached on every deploy. */
export type AlwaysWired = {
  [K in TriggerName]: (typeof REGISTRY)[K]["cognito"]["wiring"] extends "always" ? K : never;
}[TriggerName];

/** The triggers a parameter turns on. */
export type OptInTrigger = Exclude<TriggerName, AlwaysWired>;

/** Every function name, in registry order. */
export const FUNCTION_NAMES = Object.keys(REGISTRY) as FunctionName[];

/** True when `name` is one of the service's functions. */
export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(REGISTRY, name);
}

/** The entry of `name`, typed as the general shape. */
export function entryOf(name: FunctionName): FunctionEntry {
  return REGISTRY[name];
}

/** The Cognito triggers with their wiring, in registry order. */
export function cognitoTriggers(): readonly (readonly [TriggerName, CognitoTrigger])[] {
  return FUNCTION_NAMES.flatMap((name) => {
    const cognito = entryOf(name).cognito;
    return cognito === undefined ? [] : [[name as TriggerName, cognito] as const];
  });
}

/** Split `functions/x.handler` into the module path and the export name. */
export function splitHandler(handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  return { file: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}

/** Files in `events/` that are not events: the authorizer's bundled key set for the local issuer. */
export const NON_EVENT_FILES: readonly string[] = ["authorizer-local-jwks.json"];

/** The sample event files of `name`, from the names of `events/` (`files`). */
export function eventFilesOf(name: FunctionName, files: readonly string[]): string[] {
  const prefixes = entryOf(name).events;
  return files.filter((file) => prefixes.some((prefix) => file.startsWith(prefix)));
}

/** serverless' CloudFormation id of a function: `preTokenGeneration` -> `PreTokenGenerationLambdaFunction`. */
export function lambdaLogicalId(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
}
