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
import {
  type AlwaysWired,
  type CognitoTrigger,
  cognitoTriggers,
  entryOf,
  type OptInTrigger,
  REGISTRY,
  type TriggerName,
} from "./registry";

/** The pre-token trigger: attached in every mode, its event version chosen at deploy time. */
export const PRE_TOKEN_FUNCTION = "preTokenGeneration" satisfies AlwaysWired;
const PRE_TOKEN_EVENT_VERSION = REGISTRY[PRE_TOKEN_FUNCTION].cognito.version;

/** The pre-token-generation event versions this service handles in AWS. */
export const PRE_TOKEN_VERSIONS = PRE_TOKEN_EVENT_VERSION.choices;
export type PreTokenVersion = (typeof PRE_TOKEN_VERSIONS)[number];

/** The stack output (serverless.yml `Outputs`) holding the version the stack was deployed with. */
export const PRE_TOKEN_VERSION_OUTPUT = PRE_TOKEN_EVENT_VERSION.output;

/** The stack output holding the KMS key ARN Cognito must encrypt the custom senders' codes with. */
export const KMS_KEY_OUTPUT = "CustomEmailSenderKmsKeyArn";

/** The triggers attached in every mode (the registry's `wiring: "always"`). */
export const ALWAYS_WIRED = cognitoTriggers()
  .filter(([, trigger]) => trigger.wiring === "always")
  .map(([name]) => name as AlwaysWired);

/** The triggers a deploy parameter turns on, with the stack output reporting the choice. */
export const OPT_IN = cognitoTriggers().flatMap(([name, trigger]) =>
  trigger.wiring === "always"
    ? []
    : [{ name: name as OptInTrigger, output: trigger.wiring.output }],
);

/** The ARNs of the triggers by function: every always-wired one; an opt-in one when it exists. */
export type TriggerArns = Readonly<Record<AlwaysWired, string>> &
  Partial<Readonly<Record<OptInTrigger, string>>>;

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

/** The opt-in triggers a deployed stack turned on, and the key they need (from its outputs). */
export interface DeployedWiring {
  readonly optIn: readonly OptInTrigger[];
  /** The trigger functions the stack wires at all (its `triggers` parameter); absent: all. */
  readonly wired?: ReadonlySet<string>;
  /** The KMS key for triggers that need one (`kmsKey` in the registry), when one is on. */
  readonly kmsKeyArn?: string;
}

/**
 * The opt-in triggers the deployed stack turned on (each one's output says "true"; an older
 * stack without the output: off). Throws when one that needs the KMS key is on but the stack
 * has no key output.
 */
export function deployedWiring(outputs: Readonly<Record<string, string>>): DeployedWiring {
  const optIn = OPT_IN.filter(({ output }) => outputs[output] === "true").map(({ name }) => name);
  // A stack older than the `triggers` parameter has no such output: it wires every trigger.
  const wired =
    outputs[WIRED_TRIGGERS_OUTPUT] === undefined ? undefined : deployedWiredFunctions(outputs);
  const needsKey = optIn.filter((name) => entryOf(name).cognito?.kmsKey === true);
  if (needsKey.length === 0) return { optIn, ...(wired ? { wired } : {}) };
  const kmsKeyArn = outputs[KMS_KEY_OUTPUT];
  if (kmsKeyArn === undefined) {
    throw new Error(
      `the stack turns ${needsKey.join(", ")} on but has no ${KMS_KEY_OUTPUT} output: deploy the stage again`,
    );
  }
  return { optIn, ...(wired ? { wired } : {}), kmsKeyArn };
}

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

/** The ARN a LambdaConfig slot holds (a versioned slot's `LambdaArn`), if any. */
function slotArn(config: LambdaConfigType, trigger: CognitoTrigger): string | undefined {
  if (trigger.version === undefined) return config[trigger.slot];
  return config[trigger.slot]?.LambdaArn;
}

/** The LambdaVersion a versioned trigger is attached with. */
function eventVersion(trigger: CognitoTrigger, preTokenVersion: PreTokenVersion): string {
  if (trigger.version === undefined) throw new Error(`${trigger.slot} takes no version`);
  // A version chosen at deploy time is the pre-token one (the only such slot so far).
  return "fixed" in trigger.version ? trigger.version.fixed : preTokenVersion;
}

/** Options of {@link planAttach}. */
export interface AttachOptions {
  /** Overwrite slots that hold other functions instead of reporting them as conflicts. */
  readonly replace?: boolean;
  /** The opt-in triggers to attach (the stack was deployed with them on); the others are cleared when ours. */
  readonly optIn?: readonly OptInTrigger[];
  /** The pool's `KMSKeyID`, required when an opt-in trigger that needs it is attached. */
  readonly kmsKeyArn?: string;
  /**
   * The trigger functions the stack wires (its `triggers` parameter, deployedWiredFunctions);
   * default: all. One left out is not attached, and taken off a slot that holds ours.
   */
  readonly wired?: ReadonlySet<string>;
}

/**
 * The UpdateUserPool request that attaches every always-wired trigger and the `optIn` ones
 * (`arns` by function name), the pre-token trigger with event `version`, keeping the pool's
 * other settings and other triggers. An opt-in trigger not asked for is taken off a slot that
 * holds *our* function (the stack was deployed with it off); another function's is kept.
 */
export function planAttach(
  pool: UserPoolType,
  arns: TriggerArns,
  version: PreTokenVersion,
  { replace = false, optIn = [], kmsKeyArn, wired }: AttachOptions = {},
): TriggerPlan {
  const input = unchangedUpdate(pool);
  const current: LambdaConfigType = input.LambdaConfig ?? {};
  const byName: Partial<Record<TriggerName, string>> = arns;
  const ours = new Set(Object.values(byName));
  const conflicts: string[] = [];
  const next: Record<string, unknown> = { ...current };
  for (const [name, trigger] of cognitoTriggers()) {
    const arn = byName[name];
    const existing =
      slotArn(current, trigger) ??
      (trigger.legacySlot === undefined ? undefined : current[trigger.legacySlot]);
    const wanted =
      (wired === undefined || wired.has(name)) &&
      (trigger.wiring === "always" || optIn.includes(name as OptInTrigger));
    if (!wanted) {
      // Deployed with it off or left out: Cognito runs its default behaviour again.
      if (arn !== undefined && existing === arn) {
        delete next[trigger.slot];
        if (trigger.legacySlot !== undefined && current[trigger.legacySlot] === arn) {
          delete next[trigger.legacySlot];
        }
      }
      continue;
    }
    if (arn === undefined) throw new Error(`the ${name} function is missing: deploy the stage`);
    if (existing !== undefined && existing !== arn && !ours.has(existing)) {
      conflicts.push(`${trigger.trigger} (${existing})`);
    }
    next[trigger.slot] =
      trigger.version === undefined
        ? arn
        : { LambdaArn: arn, LambdaVersion: eventVersion(trigger, version) };
    // Both fields name the same function; the versioned one selects the event version.
    if (trigger.legacySlot !== undefined) next[trigger.legacySlot] = arn;
    if (trigger.kmsKey === true) {
      if (kmsKeyArn === undefined) throw new Error(`the ${name} trigger needs the KMS key`);
      next.KMSKeyID = kmsKeyArn;
    }
  }
  input.LambdaConfig = next as LambdaConfigType;
  return { input, conflicts: replace ? [] : conflicts };
}

/** The UpdateUserPool request that removes this service's triggers (and only those). */
export function planDetach(pool: UserPoolType, arns: TriggerArns): UpdateUserPoolCommandInput {
  const input = unchangedUpdate(pool);
  const ours = new Set(Object.values(arns).filter((arn) => arn !== undefined));
  const current: LambdaConfigType = input.LambdaConfig ?? {};
  const next: Record<string, unknown> = { ...current };
  for (const [, trigger] of cognitoTriggers()) {
    const arn = slotArn(current, trigger);
    if (arn !== undefined && ours.has(arn)) delete next[trigger.slot];
    const legacy = trigger.legacySlot === undefined ? undefined : current[trigger.legacySlot];
    if (legacy !== undefined && ours.has(legacy) && trigger.legacySlot !== undefined) {
      delete next[trigger.legacySlot];
    }
  }
  input.LambdaConfig = next as LambdaConfigType;
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
    /** The opt-in triggers the stack was deployed with on, and their KMS key. */
    readonly optIn?: readonly OptInTrigger[];
    readonly kmsKeyArn?: string;
    /** The trigger functions the stack wires (its WiredTriggers output); default: all. */
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
      ...(request.replace === undefined ? {} : { replace: request.replace }),
      ...(request.optIn === undefined ? {} : { optIn: request.optIn }),
      ...(request.kmsKeyArn === undefined ? {} : { kmsKeyArn: request.kmsKeyArn }),
      ...(request.wired === undefined ? {} : { wired: request.wired }),
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
