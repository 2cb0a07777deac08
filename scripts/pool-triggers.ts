/**
 * Attach this service's triggers to an existing user pool (deployment mode (b),
 * `existingUserPoolId`), or detach them, with ONE UpdateUserPool call.
 *
 * Why not serverless' `cognitoUserPool: existing: true`: it goes through a custom
 * resource addressed by pool name, one trigger at a time, and concurrent updates of
 * one pool fail (serverless/serverless#6420, #6524); it also cannot select the
 * pre-token event version. Why DescribeUserPool first: UpdateUserPool resets every
 * setting it is not given to its default, so the request carries the pool's current
 * settings with only `LambdaConfig` changed.
 */
import { type CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  type LambdaConfigType,
  UpdateUserPoolCommand,
  type UpdateUserPoolCommandInput,
  type UserPoolType,
} from "@aws-sdk/client-cognito-identity-provider";

/** LambdaConfig slot -> the serverless function attached there. */
export const TRIGGER_SLOTS = {
  PreSignUp: "preSignUp",
  PostConfirmation: "postConfirmation",
  DefineAuthChallenge: "defineAuthChallenge",
  CreateAuthChallenge: "createAuthChallenge",
  VerifyAuthChallengeResponse: "verifyAuthChallenge",
  CustomMessage: "customMessage",
} as const;

/** The function attached as pre-token-generation trigger (PreTokenGenerationConfig). */
export const PRE_TOKEN_FUNCTION = "preTokenGeneration";

/** The serverless functions that are Cognito triggers. */
export type TriggerFunction =
  | (typeof TRIGGER_SLOTS)[keyof typeof TRIGGER_SLOTS]
  | typeof PRE_TOKEN_FUNCTION;

/**
 * The opt-in post-authentication backstop (LambdaConfig `PostAuthentication`), attached only
 * when the stack was deployed with `postAuthenticationBackstop=true` (its output below).
 */
export const POST_AUTHENTICATION_FUNCTION = "postAuthentication";

/** The stack output saying whether the backstop is deployed attached ("true") or not. */
export const BACKSTOP_OUTPUT = "PostAuthenticationBackstop";

/** The opt-in custom email sender (LambdaConfig `CustomEmailSender` + `KMSKeyID`). */
export const CUSTOM_EMAIL_SENDER_FUNCTION = "customEmailSender";
/** The stack output saying whether the custom email sender is deployed attached ("true"). */
export const CUSTOM_EMAIL_SENDER_OUTPUT = "CustomEmailSender";
/** The stack output holding the KMS key ARN Cognito must encrypt the codes with. */
export const CUSTOM_EMAIL_SENDER_KEY_OUTPUT = "CustomEmailSenderKmsKeyArn";

/** What attaching the custom email sender needs: its function and the key, both from the stack. */
export interface CustomEmailSenderAttachment {
  readonly lambdaArn: string;
  readonly kmsKeyArn: string;
}

/**
 * The custom email sender to attach, from the deployed stack's outputs and the function's ARN:
 * undefined when the stack was deployed with it off. Throws when it is on but incomplete.
 */
export function deployedCustomEmailSender(
  outputs: Readonly<Record<string, string>>,
  lambdaArn: string | undefined,
): CustomEmailSenderAttachment | undefined {
  if (outputs[CUSTOM_EMAIL_SENDER_OUTPUT] !== "true") return undefined;
  const kmsKeyArn = outputs[CUSTOM_EMAIL_SENDER_KEY_OUTPUT];
  if (kmsKeyArn === undefined || lambdaArn === undefined) {
    throw new Error(
      `the stack says ${CUSTOM_EMAIL_SENDER_OUTPUT}=true but its key output or function is missing: deploy the stage again`,
    );
  }
  return { lambdaArn, kmsKeyArn };
}

/** The ARNs of the triggers by function; the backstop's only when that function exists. */
export type TriggerArns = Readonly<Record<TriggerFunction, string>> & {
  readonly [POST_AUTHENTICATION_FUNCTION]?: string;
  readonly [CUSTOM_EMAIL_SENDER_FUNCTION]?: string;
};

/** The pre-token-generation event versions this service handles in AWS. */
export const PRE_TOKEN_VERSIONS = ["V2_0", "V3_0"] as const;
export type PreTokenVersion = (typeof PRE_TOKEN_VERSIONS)[number];

type SimpleSlot = keyof typeof TRIGGER_SLOTS;

/** The stack output (serverless.yml `Outputs`) holding the version the stack was deployed with. */
export const PRE_TOKEN_VERSION_OUTPUT = "PreTokenLambdaVersion";

/** The CloudFormation stack the framework deploys a stage to (no `provider.stackName` is set). */
export function stackName(service: string, stage: string): string {
  return `${service}-${stage}`;
}

/**
 * The `PreTokenLambdaVersion` output of the deployed stack, or undefined when the stack has
 * no such output. Throws when the stack does not exist.
 */
export async function deployedPreTokenVersion(
  cloudformation: CloudFormationClient,
  stack: string,
): Promise<string | undefined> {
  return (await deployedOutputs(cloudformation, stack))[PRE_TOKEN_VERSION_OUTPUT];
}

/** The stack output listing the triggers the stack wires (the `triggers` parameter). */
export const WIRED_TRIGGERS_OUTPUT = "WiredTriggers";

// resources/triggers.js: trigger name -> its functions (CommonJS, shared with serverless.yml).
const { TRIGGERS } = require("../resources/triggers.js") as {
  TRIGGERS: Record<string, { functions: readonly string[] }>;
};

/**
 * The functions the deployed stack wires, from its WiredTriggers output (trigger names, comma-
 * separated); every trigger function when the output is absent (a stack older than the
 * parameter). Throws on a name it does not know.
 */
export function deployedWiredFunctions(outputs: Readonly<Record<string, string>>): Set<string> {
  const listed = outputs[WIRED_TRIGGERS_OUTPUT];
  const names = listed === undefined ? Object.keys(TRIGGERS) : listed.split(",").filter(Boolean);
  return new Set(
    names.flatMap((name) => {
      const trigger = TRIGGERS[name.trim()];
      if (trigger === undefined) {
        throw new Error(
          `the stack's ${WIRED_TRIGGERS_OUTPUT} output names an unknown trigger "${name}"`,
        );
      }
      return trigger.functions;
    }),
  );
}

/** True when the stack's outputs say the backstop was deployed attached (absent: an older stack, false). */
export function deployedBackstop(outputs: Readonly<Record<string, string>>): boolean {
  return outputs[BACKSTOP_OUTPUT] === "true";
}

/** The outputs of the deployed stack, by key (one DescribeStacks). Throws when the stack does not exist. */
export async function deployedOutputs(
  cloudformation: CloudFormationClient,
  stack: string,
): Promise<Record<string, string>> {
  let outputs: { OutputKey?: string; OutputValue?: string }[] | undefined;
  try {
    const described = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    const found = described.Stacks?.[0];
    if (found === undefined) throw new Error(`stack ${stack} not found`);
    outputs = found.Outputs;
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "... does not exist".
    if (error instanceof Error && /does not exist|not found/.test(error.message)) {
      throw new Error(`stack ${stack} not found: deploy the stage first`, { cause: error });
    }
    throw error;
  }
  const byKey: Record<string, string> = {};
  for (const output of outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) {
      byKey[output.OutputKey] = output.OutputValue;
    }
  }
  return byKey;
}

function isPreTokenVersion(value: string): value is PreTokenVersion {
  return (PRE_TOKEN_VERSIONS as readonly string[]).includes(value);
}

/**
 * The pre-token event version to attach with: the one the stack was deployed with
 * (`deployed`, its PreTokenLambdaVersion output). An explicit `requested` version that
 * differs from it is refused unless `force`: the pool would then send events of a version
 * the deployed configuration was not chosen for. Throws with what to do instead.
 */
export function choosePreTokenVersion(request: {
  readonly deployed: string | undefined;
  readonly requested?: string | undefined;
  readonly force?: boolean;
}): PreTokenVersion {
  const { deployed, requested, force = false } = request;
  const allowed = PRE_TOKEN_VERSIONS.join(", ");
  if (requested !== undefined && !isPreTokenVersion(requested)) {
    throw new Error(`--pre-token-version must be one of ${allowed}`);
  }
  if (requested !== undefined && force) return requested;
  if (deployed === undefined) {
    throw new Error(
      `the stack has no ${PRE_TOKEN_VERSION_OUTPUT} output: deploy it again, or pass ` +
        "--pre-token-version with --force",
    );
  }
  if (!isPreTokenVersion(deployed)) {
    throw new Error(
      `the stack's ${PRE_TOKEN_VERSION_OUTPUT} output is "${deployed}", not one of ${allowed}: ` +
        "deploy it with --param=preTokenLambdaVersion=<version>",
    );
  }
  if (requested !== undefined && requested !== deployed) {
    throw new Error(
      `--pre-token-version ${requested} differs from ${deployed}, the version the stack was ` +
        `deployed with (output ${PRE_TOKEN_VERSION_OUTPUT}): deploy with ` +
        `--param=preTokenLambdaVersion=${requested}, or pass --force`,
    );
  }
  return deployed;
}

/** What attaching would change, and what it refuses to overwrite. */
export interface TriggerPlan {
  /** The full UpdateUserPool request (the pool's settings with the new LambdaConfig). */
  readonly input: UpdateUserPoolCommandInput;
  /** Slots that already hold another function (refused unless `replace`). */
  readonly conflicts: readonly string[];
}

/**
 * The fields UpdateUserPool accepts that DescribeUserPool returns under the same name, copied
 * from the one into the other (`LambdaConfig` is handled on its own). Any such field left out
 * would be reset by the update: the `Missing` check below makes `tsc` name it.
 */
export const UPDATABLE = [
  "Policies",
  "DeletionProtection",
  "AutoVerifiedAttributes",
  "SmsVerificationMessage",
  "EmailVerificationMessage",
  "EmailVerificationSubject",
  "VerificationMessageTemplate",
  "SmsAuthenticationMessage",
  "UserAttributeUpdateSettings",
  "MfaConfiguration",
  "DeviceConfiguration",
  "EmailConfiguration",
  "SmsConfiguration",
  "UserPoolTags",
  "AdminCreateUserConfig",
  "UserPoolAddOns",
  "AccountRecoverySetting",
  "UserPoolTier",
  "DcrConfiguration",
  "KeyConfiguration",
  "IssuerConfiguration",
  "AcrConfiguration",
] as const satisfies readonly (keyof UserPoolType & keyof UpdateUserPoolCommandInput)[];

/** Fails to compile, naming the type argument, unless it is `never`. */
type AssertNever<T extends never> = T;
/** Fields both shapes share that are neither copied by UPDATABLE nor handled below. */
type Missing = Exclude<
  keyof UpdateUserPoolCommandInput & keyof UserPoolType,
  (typeof UPDATABLE)[number] | "LambdaConfig"
>;
/** UpdateUserPool fields under another name in DescribeUserPool that nothing here sets. */
type Unmapped = Exclude<
  keyof UpdateUserPoolCommandInput,
  keyof UserPoolType | "UserPoolId" | "PoolName"
>;
// An SDK upgrade that adds an updatable pool setting breaks the build here until it is copied.
export type UpdatableComplete = [AssertNever<Missing>, AssertNever<Unmapped>];

/** The pool's current settings as an UpdateUserPool request that changes nothing. */
export function unchangedUpdate(pool: UserPoolType): UpdateUserPoolCommandInput {
  if (pool.Id === undefined) throw new Error("DescribeUserPool returned a pool without an Id");
  const input: Record<string, unknown> = { UserPoolId: pool.Id };
  for (const key of UPDATABLE) {
    if (pool[key] !== undefined) input[key] = structuredClone(pool[key]);
  }
  // DescribeUserPool calls it Name, UpdateUserPool PoolName.
  if (pool.Name !== undefined) input.PoolName = pool.Name;
  const update = input as unknown as UpdateUserPoolCommandInput;
  // Deprecated; UpdateUserPool rejects it next to PasswordPolicy.TemporaryPasswordValidityDays.
  if (update.AdminCreateUserConfig?.UnusedAccountValidityDays !== undefined) {
    const { UnusedAccountValidityDays: _dropped, ...rest } = update.AdminCreateUserConfig;
    update.AdminCreateUserConfig = rest;
  }
  // The template supersedes the three legacy message fields; sending both can conflict.
  if (update.VerificationMessageTemplate !== undefined) {
    delete update.EmailVerificationMessage;
    delete update.EmailVerificationSubject;
    delete update.SmsVerificationMessage;
  }
  if (pool.LambdaConfig !== undefined) update.LambdaConfig = structuredClone(pool.LambdaConfig);
  return update;
}

/**
 * The UpdateUserPool request that attaches every trigger (`arns` by function name),
 * the pre-token trigger with event `version`, keeping the pool's other settings and
 * other triggers (CustomMessage, KMS...). `backstop`: also attach the post-authentication
 * function (its ARN must be in `arns`); without it, a PostAuthentication slot holding *our*
 * function is cleared (the stack was deployed with the backstop off), another function's kept.
 */
export function planAttach(
  pool: UserPoolType,
  arns: TriggerArns,
  version: PreTokenVersion,
  {
    replace = false,
    backstop = false,
    customEmailSender,
    wired,
  }: {
    replace?: boolean;
    backstop?: boolean;
    /**
     * The functions the stack wires (deployedWiredFunctions); default: all. A slot whose
     * function is left out is not set, and cleared when it holds ours.
     */
    wired?: ReadonlySet<string>;
    /** Attach the custom email sender with its key; without it, a slot holding ours is cleared. */
    customEmailSender?: CustomEmailSenderAttachment;
  } = {},
): TriggerPlan {
  const input = unchangedUpdate(pool);
  const current: LambdaConfigType = input.LambdaConfig ?? {};
  const ours = new Set(Object.values(arns));
  const conflicts: string[] = [];
  const next: LambdaConfigType = { ...current };
  const isWired = (fn: string) => wired === undefined || wired.has(fn);
  for (const [slot, fn] of Object.entries(TRIGGER_SLOTS) as [SimpleSlot, TriggerFunction][]) {
    const existing = current[slot];
    if (!isWired(fn)) {
      if (existing !== undefined && ours.has(existing)) delete next[slot];
      continue;
    }
    if (existing !== undefined && existing !== arns[fn] && !ours.has(existing)) {
      conflicts.push(`${slot} (${existing})`);
    }
    next[slot] = arns[fn];
  }
  const preToken = current.PreTokenGenerationConfig?.LambdaArn ?? current.PreTokenGeneration;
  if (!isWired(PRE_TOKEN_FUNCTION)) {
    if (preToken !== undefined && ours.has(preToken)) {
      delete next.PreTokenGeneration;
      delete next.PreTokenGenerationConfig;
    }
  } else {
    if (preToken !== undefined && preToken !== arns[PRE_TOKEN_FUNCTION]) {
      conflicts.push(`PreTokenGeneration (${preToken})`);
    }
    // Both fields name the same function; the versioned one selects the event version.
    next.PreTokenGeneration = arns[PRE_TOKEN_FUNCTION];
    next.PreTokenGenerationConfig = { LambdaArn: arns[PRE_TOKEN_FUNCTION], LambdaVersion: version };
  }
  const backstopArn = arns[POST_AUTHENTICATION_FUNCTION];
  if (backstop) {
    if (backstopArn === undefined) {
      throw new Error(`the ${POST_AUTHENTICATION_FUNCTION} function is missing: deploy the stage`);
    }
    const existing = current.PostAuthentication;
    if (existing !== undefined && existing !== backstopArn && !ours.has(existing)) {
      conflicts.push(`PostAuthentication (${existing})`);
    }
    next.PostAuthentication = backstopArn;
  } else if (backstopArn !== undefined && current.PostAuthentication === backstopArn) {
    delete next.PostAuthentication;
  }
  const senderArn = arns[CUSTOM_EMAIL_SENDER_FUNCTION];
  const currentSender = current.CustomEmailSender?.LambdaArn;
  if (customEmailSender !== undefined) {
    if (
      currentSender !== undefined &&
      currentSender !== customEmailSender.lambdaArn &&
      !ours.has(currentSender)
    ) {
      conflicts.push(`CustomEmailSender (${currentSender})`);
    }
    next.CustomEmailSender = { LambdaArn: customEmailSender.lambdaArn, LambdaVersion: "V1_0" };
    next.KMSKeyID = customEmailSender.kmsKeyArn;
  } else if (senderArn !== undefined && currentSender === senderArn) {
    // Deployed with it off: Cognito sends the emails itself again (the key may stay named).
    delete next.CustomEmailSender;
  }
  input.LambdaConfig = next;
  return { input, conflicts: replace ? [] : conflicts };
}

/** The UpdateUserPool request that removes this service's triggers (and only those). */
export function planDetach(pool: UserPoolType, arns: TriggerArns): UpdateUserPoolCommandInput {
  const input = unchangedUpdate(pool);
  const ours = new Set(Object.values(arns).filter((arn) => arn !== undefined));
  const next: LambdaConfigType = { ...(input.LambdaConfig ?? {}) };
  const slots: (SimpleSlot | "PostAuthentication")[] = [
    ...(Object.keys(TRIGGER_SLOTS) as SimpleSlot[]),
    "PostAuthentication",
  ];
  for (const slot of slots) {
    const value = next[slot];
    if (value !== undefined && ours.has(value)) delete next[slot];
  }
  if (next.PreTokenGeneration !== undefined && ours.has(next.PreTokenGeneration)) {
    delete next.PreTokenGeneration;
  }
  const versioned = next.PreTokenGenerationConfig?.LambdaArn;
  if (versioned !== undefined && ours.has(versioned)) delete next.PreTokenGenerationConfig;
  const sender = next.CustomEmailSender?.LambdaArn;
  if (sender !== undefined && ours.has(sender)) delete next.CustomEmailSender;
  input.LambdaConfig = next;
  return input;
}

/** Describe the pool, then attach (or detach) with one UpdateUserPool call. */
export async function updatePoolTriggers(
  cognito: CognitoIdentityProviderClient,
  request: {
    readonly userPoolId: string;
    readonly arns: TriggerArns;
    /** The pre-token event version; required to attach, unused to detach. */
    readonly version?: PreTokenVersion;
    /** Attach the post-authentication backstop too (the stack was deployed with it). */
    readonly backstop?: boolean;
    /** Attach the custom email sender with its key (the stack was deployed with it). */
    readonly customEmailSender?: CustomEmailSenderAttachment;
    /** The functions the stack wires (its WiredTriggers output); default: all. */
    readonly wired?: ReadonlySet<string>;
    readonly detach?: boolean;
    readonly replace?: boolean;
    readonly dryRun?: boolean;
  },
): Promise<UpdateUserPoolCommandInput> {
  const described = await cognito.send(
    new DescribeUserPoolCommand({ UserPoolId: request.userPoolId }),
  );
  const pool = described.UserPool;
  if (pool === undefined) throw new Error(`user pool ${request.userPoolId} not found`);
  let input: UpdateUserPoolCommandInput;
  if (request.detach === true) {
    input = planDetach(pool, request.arns);
  } else {
    if (request.version === undefined) throw new Error("attaching needs a pre-token version");
    const plan = planAttach(pool, request.arns, request.version, {
      replace: request.replace,
      backstop: request.backstop,
      ...(request.wired ? { wired: request.wired } : {}),
      ...(request.customEmailSender ? { customEmailSender: request.customEmailSender } : {}),
    });
    if (plan.conflicts.length > 0) {
      throw new Error(
        `these triggers of ${request.userPoolId} hold other functions: ${plan.conflicts.join(", ")}; ` +
          "pass --replace to overwrite them",
      );
    }
    input = plan.input;
  }
  if (request.dryRun !== true) await cognito.send(new UpdateUserPoolCommand(input));
  return input;
}
