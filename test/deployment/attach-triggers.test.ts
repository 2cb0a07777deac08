/**
 * Existing-pool mode: the one UpdateUserPool call that attaches (or detaches) the
 * triggers keeps every other setting of the pool (UpdateUserPool resets what it is
 * not given) and never overwrites another function's trigger unless asked.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UpdateUserPoolCommandInput,
  type UserPoolType,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import {
  ALWAYS_WIRED,
  choosePreTokenVersion,
  deployedOutputs,
  deployedPreTokenVersion,
  deployedWiredFunctions,
  deployedWiring,
  planAttach,
  planDetach,
  stackName,
  type TriggerArns,
  updatePoolTriggers,
} from "../../scripts/pool-triggers";
import { type ArnSlot, cognitoTriggers, type VersionedSlot } from "../../scripts/registry";

const POOL_ID = "eu-west-1_AbCdEf123";
const fnArn = (fn: string) =>
  `arn:aws:lambda:eu-west-1:123456789012:function:cognito-triggers-prod-${fn}`;
/** An ARN for every always-attached trigger (the registry's), as attach-triggers looks them up. */
const ARNS = Object.fromEntries(ALWAYS_WIRED.map((fn) => [fn, fnArn(fn)])) as TriggerArns;
/** The always-attached triggers whose slot holds a bare ARN: LambdaConfig key -> ARN. */
const ARN_SLOTS = Object.fromEntries(
  cognitoTriggers()
    .filter(([, t]) => t.wiring === "always" && t.version === undefined)
    .map(([fn, t]) => [t.slot, fnArn(fn)]),
);
/** The ARNs with the backstop function (deployed by every stack that has it). */
const WITH_BACKSTOP = { ...ARNS, postAuthentication: fnArn("postAuthentication") };
/** Another team's function, in a slot of the pool this service must leave alone. */
const FOREIGN_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:someone-elses-trigger";
/** The LambdaConfig slots that name a function, those holding a bare ARN first. */
const SLOT_NAMES = [
  "PreSignUp",
  "CustomMessage",
  "PostConfirmation",
  "PreAuthentication",
  "PostAuthentication",
  "DefineAuthChallenge",
  "CreateAuthChallenge",
  "VerifyAuthChallengeResponse",
  "PreTokenGeneration",
  "UserMigration",
  "CustomSMSSender",
  "CustomEmailSender",
  "InboundFederation",
  "PreTokenGenerationConfig",
] as const satisfies readonly (ArnSlot | VersionedSlot)[];
/** A slot no registry entry uses (so adding a trigger does not turn it into ours). */
const FOREIGN_SLOT = (() => {
  const free = SLOT_NAMES.find(
    (slot) => !cognitoTriggers().some(([, t]) => t.slot === slot || t.legacySlot === slot),
  );
  if (free === undefined) throw new Error("every LambdaConfig slot is ours: none left to share");
  return free;
})();
/** The foreign trigger as its slot holds it: a bare ARN, or `{ LambdaArn, LambdaVersion }`. */
const FOREIGN_VALUE = (
  SLOT_NAMES.indexOf(FOREIGN_SLOT) < SLOT_NAMES.indexOf("CustomSMSSender")
    ? FOREIGN_ARN
    : { LambdaArn: FOREIGN_ARN, LambdaVersion: "V1_0" }
) as never;

/** A pool as DescribeUserPool returns it, with settings UpdateUserPool would reset. */
function describedPool(overrides: Partial<UserPoolType> = {}): UserPoolType {
  return {
    Id: POOL_ID,
    Name: "prod-users",
    Arn: `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL_ID}`,
    Status: "Enabled",
    CreationDate: new Date("2024-01-01T00:00:00Z"),
    LastModifiedDate: new Date("2024-06-01T00:00:00Z"),
    EstimatedNumberOfUsers: 1200,
    UsernameAttributes: ["email"],
    SchemaAttributes: [{ Name: "email", AttributeDataType: "String", Required: true }],
    Policies: {
      PasswordPolicy: { MinimumLength: 14, RequireSymbols: true, TemporaryPasswordValidityDays: 3 },
    },
    DeletionProtection: "ACTIVE",
    AutoVerifiedAttributes: ["email"],
    MfaConfiguration: "OPTIONAL",
    EmailConfiguration: {
      EmailSendingAccount: "DEVELOPER",
      SourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
    },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 3 },
    VerificationMessageTemplate: { DefaultEmailOption: "CONFIRM_WITH_CODE" },
    EmailVerificationMessage: "Your code is {####}",
    EmailVerificationSubject: "Your code",
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
    UserPoolTags: { team: "identity" },
    UserPoolTier: "ESSENTIALS",
    LambdaConfig: { [FOREIGN_SLOT]: FOREIGN_VALUE },
    ...overrides,
  };
}

/** Every setting UpdateUserPool takes under the name DescribeUserPool gives it (but the triggers). */
type SharedSetting = Exclude<
  keyof UpdateUserPoolCommandInput & keyof UserPoolType,
  "LambdaConfig" | "UserPoolId"
>;

/**
 * A value for each of them. Typed from the SDK, not from the script's list, so a setting the
 * script forgets to copy (AcrConfiguration was one) fails the test below.
 */
const EVERY_SETTING: Required<Pick<UserPoolType, SharedSetting>> = {
  Policies: {
    PasswordPolicy: { MinimumLength: 14, RequireSymbols: true, TemporaryPasswordValidityDays: 3 },
    SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] },
  },
  DeletionProtection: "ACTIVE",
  AutoVerifiedAttributes: ["email"],
  SmsVerificationMessage: "SMS code {####}",
  EmailVerificationMessage: "Your code is {####}",
  EmailVerificationSubject: "Your code",
  VerificationMessageTemplate: { DefaultEmailOption: "CONFIRM_WITH_LINK" },
  SmsAuthenticationMessage: "Sign-in code {####}",
  UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ["email"] },
  MfaConfiguration: "OPTIONAL",
  DeviceConfiguration: { ChallengeRequiredOnNewDevice: true },
  EmailConfiguration: {
    EmailSendingAccount: "DEVELOPER",
    SourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
  },
  SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/sms", ExternalId: "x" },
  UserPoolTags: { team: "identity" },
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  UserPoolAddOns: { AdvancedSecurityMode: "AUDIT" },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
  UserPoolTier: "PLUS",
  DcrConfiguration: { EnableStatus: "Enabled", AllowedScopes: ["api/read"] },
  KeyConfiguration: {
    KeyType: "CUSTOMER_MANAGED_KEY",
    KmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1",
  },
  IssuerConfiguration: { Type: "UPDATED" },
  AcrConfiguration: { Level2: { AcrValue: "urn:example:mfa" } },
};

/** The legacy message fields the script drops when VerificationMessageTemplate is set. */
const SUPERSEDED = [
  "SmsVerificationMessage",
  "EmailVerificationMessage",
  "EmailVerificationSubject",
];

describe("planAttach", () => {
  test("every setting UpdateUserPool would otherwise reset survives, unchanged", () => {
    // Prepare
    const pool: UserPoolType = { Id: POOL_ID, Name: "prod-users", ...EVERY_SETTING };
    const withoutTemplate: UserPoolType = { ...pool, VerificationMessageTemplate: undefined };

    // Act
    const { input } = planAttach(pool, ARNS, "V2_0");
    const legacy = planAttach(withoutTemplate, ARNS, "V2_0").input;

    // Assess
    const kept = Object.fromEntries(
      Object.keys(EVERY_SETTING)
        .filter((key) => !SUPERSEDED.includes(key))
        .map((key) => [key, input[key as SharedSetting]]),
    );
    expect(kept).toEqual(
      Object.fromEntries(
        Object.entries(EVERY_SETTING).filter(([key]) => !SUPERSEDED.includes(key)),
      ),
    );
    for (const key of SUPERSEDED) {
      expect(input).not.toHaveProperty(key);
      expect(legacy[key as SharedSetting]).toEqual(EVERY_SETTING[key as SharedSetting]);
    }
    expect(input.PoolName).toBe("prod-users");
  });

  test("attaches every trigger and the pre-token version, keeping the pool's settings and other triggers", () => {
    // Act
    const { input, conflicts } = planAttach(describedPool(), ARNS, "V3_0");

    // Assess
    expect(conflicts).toEqual([]);
    expect(input).toMatchObject({
      UserPoolId: POOL_ID,
      PoolName: "prod-users",
      Policies: describedPool().Policies,
      DeletionProtection: "ACTIVE",
      AutoVerifiedAttributes: ["email"],
      MfaConfiguration: "OPTIONAL",
      EmailConfiguration: describedPool().EmailConfiguration,
      AccountRecoverySetting: describedPool().AccountRecoverySetting,
      UserPoolTags: { team: "identity" },
      UserPoolTier: "ESSENTIALS",
      VerificationMessageTemplate: { DefaultEmailOption: "CONFIRM_WITH_CODE" },
    });
    expect(ARN_SLOTS).toMatchObject({
      PreSignUp: ARNS.preSignUp,
      PostConfirmation: ARNS.postConfirmation,
      DefineAuthChallenge: ARNS.defineAuthChallenge,
      CreateAuthChallenge: ARNS.createAuthChallenge,
      VerifyAuthChallengeResponse: ARNS.verifyAuthChallenge,
      CustomMessage: ARNS.customMessage,
    });
    expect(input.LambdaConfig).toEqual({
      [FOREIGN_SLOT]: FOREIGN_VALUE,
      ...ARN_SLOTS,
      PreTokenGeneration: ARNS.preTokenGeneration,
      PreTokenGenerationConfig: { LambdaArn: ARNS.preTokenGeneration, LambdaVersion: "V3_0" },
    });
  });

  test("sends no read-only or rejected field", () => {
    // Act
    const { input } = planAttach(describedPool(), ARNS, "V2_0");

    // Assess: fields UpdateUserPool does not accept, or rejects in this combination.
    for (const key of [
      "Id",
      "Name",
      "Arn",
      "Status",
      "CreationDate",
      "LastModifiedDate",
      "EstimatedNumberOfUsers",
      "UsernameAttributes",
      "SchemaAttributes",
      "EmailVerificationMessage",
      "EmailVerificationSubject",
    ]) {
      expect(input).not.toHaveProperty(key);
    }
    expect(input.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
  });

  test("refuses to overwrite a trigger that holds another function, unless replace", () => {
    // Prepare
    const pool = describedPool({ LambdaConfig: { PreSignUp: FOREIGN_ARN } });

    // Act
    const refused = planAttach(pool, ARNS, "V2_0");
    const replaced = planAttach(pool, ARNS, "V2_0", { replace: true });

    // Assess
    expect(refused.conflicts).toEqual([`PreSignUp (${FOREIGN_ARN})`]);
    expect(replaced.conflicts).toEqual([]);
    expect(replaced.input.LambdaConfig?.PreSignUp).toBe(ARNS.preSignUp);
  });

  test("re-attaching (e.g. to switch V2_0 to V3_0) is no conflict", () => {
    // Prepare
    const attached = planAttach(describedPool(), ARNS, "V2_0").input.LambdaConfig;

    // Act
    const again = planAttach(describedPool({ LambdaConfig: attached }), ARNS, "V3_0");

    // Assess
    expect(again.conflicts).toEqual([]);
    expect(again.input.LambdaConfig?.PreTokenGenerationConfig?.LambdaVersion).toBe("V3_0");
  });
});

describe("planAttach: the post-authentication backstop", () => {
  test("attached when the stack deployed it, with the other triggers kept", () => {
    // Act
    const { input, conflicts } = planAttach(describedPool(), WITH_BACKSTOP, "V2_0", {
      optIn: ["postAuthentication"],
    });

    // Assess
    expect(conflicts).toEqual([]);
    expect(input.LambdaConfig?.PostAuthentication).toBe(WITH_BACKSTOP.postAuthentication);
    expect(input.LambdaConfig?.[FOREIGN_SLOT]).toEqual(FOREIGN_VALUE);
    expect(input.LambdaConfig?.PostConfirmation).toBe(ARNS.postConfirmation);
  });

  test("not attached by default; our stale attachment is cleared, another function's kept", () => {
    // Prepare
    const ours = describedPool({
      LambdaConfig: { PostAuthentication: WITH_BACKSTOP.postAuthentication },
    });
    const theirs = describedPool({ LambdaConfig: { PostAuthentication: FOREIGN_ARN } });

    // Act
    const plain = planAttach(describedPool(), WITH_BACKSTOP, "V2_0").input.LambdaConfig;
    const cleared = planAttach(ours, WITH_BACKSTOP, "V2_0");
    const kept = planAttach(theirs, WITH_BACKSTOP, "V2_0");

    // Assess
    expect(plain).not.toHaveProperty("PostAuthentication");
    expect(cleared.input.LambdaConfig).not.toHaveProperty("PostAuthentication");
    expect(kept.conflicts).toEqual([]);
    expect(kept.input.LambdaConfig?.PostAuthentication).toBe(FOREIGN_ARN);
  });

  test("another function in the slot is a conflict unless replace; a missing function is refused", () => {
    // Prepare
    const pool = describedPool({ LambdaConfig: { PostAuthentication: FOREIGN_ARN } });

    // Act
    const refused = planAttach(pool, WITH_BACKSTOP, "V2_0", { optIn: ["postAuthentication"] });
    const replaced = planAttach(pool, WITH_BACKSTOP, "V2_0", {
      optIn: ["postAuthentication"],
      replace: true,
    });
    const missing = () =>
      planAttach(describedPool(), ARNS, "V2_0", { optIn: ["postAuthentication"] });

    // Assess
    expect(refused.conflicts).toEqual([`PostAuthentication (${FOREIGN_ARN})`]);
    expect(replaced.input.LambdaConfig?.PostAuthentication).toBe(WITH_BACKSTOP.postAuthentication);
    expect(missing).toThrow(/postAuthentication function is missing/);
  });
});

describe("planAttach: the triggers the stack wires", () => {
  test("only the wired slots are set; ours in the others are cleared, another function's kept", () => {
    // Prepare: the stack wires pre-signup and custom auth only; the pool still names our
    // post-confirmation and pre-token functions (an earlier deploy) and another CustomMessage.
    const { wired } = deployedWiring({ WiredTriggers: "preSignUp,customAuth" });
    const pool = describedPool({
      LambdaConfig: {
        PostConfirmation: ARNS.postConfirmation,
        PreTokenGeneration: ARNS.preTokenGeneration,
        PreTokenGenerationConfig: { LambdaArn: ARNS.preTokenGeneration, LambdaVersion: "V2_0" },
        CustomMessage: FOREIGN_ARN,
      },
    });

    // Act
    const { input, conflicts } = planAttach(pool, ARNS, "V2_0", { ...(wired ? { wired } : {}) });

    // Assess
    expect(conflicts).toEqual([]);
    expect(input.LambdaConfig).toEqual({
      PreSignUp: ARNS.preSignUp,
      DefineAuthChallenge: ARNS.defineAuthChallenge,
      CreateAuthChallenge: ARNS.createAuthChallenge,
      VerifyAuthChallengeResponse: ARNS.verifyAuthChallenge,
      // Not ours: kept (customMessage is not wired, but the slot holds another function).
      CustomMessage: FOREIGN_ARN,
    });
  });

  test("the WiredTriggers output decides; a stack without it wires everything", () => {
    expect([...deployedWiredFunctions({ WiredTriggers: "preTokenGeneration" })]).toEqual([
      "preTokenGeneration",
    ]);
    // Every trigger function of the registry.
    expect([...deployedWiredFunctions({})].sort()).toEqual(
      cognitoTriggers()
        .map(([fn]) => fn)
        .sort(),
    );
    expect(() => deployedWiredFunctions({ WiredTriggers: "preSignup" })).toThrow(
      'unknown trigger "preSignup"',
    );
  });
});

describe("planAttach: the custom email sender", () => {
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const WITH_SENDER = { ...ARNS, customEmailSender: fnArn("customEmailSender") };
  const sender = { optIn: ["customEmailSender"], kmsKeyArn: KEY } as const;

  test("attached with event version V1_0 and the stack's key when deployed on", () => {
    // Act
    const { input, conflicts } = planAttach(describedPool(), WITH_SENDER, "V2_0", sender);

    // Assess
    expect(conflicts).toEqual([]);
    expect(input.LambdaConfig?.CustomEmailSender).toEqual({
      LambdaArn: WITH_SENDER.customEmailSender,
      LambdaVersion: "V1_0",
    });
    expect(input.LambdaConfig?.KMSKeyID).toBe(KEY);
  });

  test("deployed off: our stale attachment is cleared, another function's is a conflict only when attaching", () => {
    // Prepare
    const ours = describedPool({
      LambdaConfig: {
        CustomEmailSender: { LambdaArn: WITH_SENDER.customEmailSender, LambdaVersion: "V1_0" },
      },
    });
    const theirs = describedPool({
      LambdaConfig: { CustomEmailSender: { LambdaArn: FOREIGN_ARN, LambdaVersion: "V1_0" } },
    });

    // Act
    const cleared = planAttach(ours, WITH_SENDER, "V2_0");
    const kept = planAttach(theirs, WITH_SENDER, "V2_0");
    const refused = planAttach(theirs, WITH_SENDER, "V2_0", sender);

    // Assess
    expect(cleared.input.LambdaConfig).not.toHaveProperty("CustomEmailSender");
    expect(kept.input.LambdaConfig?.CustomEmailSender?.LambdaArn).toBe(FOREIGN_ARN);
    expect(refused.conflicts).toEqual([`CustomEmailSender (${FOREIGN_ARN})`]);
  });

  test("the stack's outputs decide: off, on, or on but without its key", () => {
    expect(deployedWiring({})).toEqual({ optIn: [] });
    expect(deployedWiring({ CustomEmailSender: "true", CustomEmailSenderKmsKeyArn: KEY })).toEqual({
      optIn: ["customEmailSender"],
      kmsKeyArn: KEY,
    });
    expect(() => deployedWiring({ CustomEmailSender: "true" })).toThrow(/deploy the stage again/);
  });

  test("attaching it without the key is refused", () => {
    expect(() =>
      planAttach(describedPool(), WITH_SENDER, "V2_0", { optIn: ["customEmailSender"] }),
    ).toThrow(/needs the KMS key/);
  });

  test("planDetach removes our custom email sender", () => {
    // Prepare
    const pool = describedPool({
      LambdaConfig: {
        CustomEmailSender: { LambdaArn: WITH_SENDER.customEmailSender, LambdaVersion: "V1_0" },
      },
    });

    // Act
    const input = planDetach(pool, WITH_SENDER);

    // Assess
    expect(input.LambdaConfig).not.toHaveProperty("CustomEmailSender");
  });
});

describe("planDetach", () => {
  test("removes the backstop too, when it is ours", () => {
    // Prepare
    const attached = planAttach(describedPool(), WITH_BACKSTOP, "V2_0", {
      optIn: ["postAuthentication"],
    }).input.LambdaConfig;

    // Act
    const input = planDetach(describedPool({ LambdaConfig: attached }), WITH_BACKSTOP);

    // Assess
    expect(input.LambdaConfig).toEqual({ [FOREIGN_SLOT]: FOREIGN_VALUE });
  });

  test("removes only this service's triggers", () => {
    // Prepare
    const attached = planAttach(describedPool(), ARNS, "V2_0").input.LambdaConfig;

    // Act
    const input = planDetach(describedPool({ LambdaConfig: attached }), ARNS);

    // Assess
    expect(input.LambdaConfig).toEqual({ [FOREIGN_SLOT]: FOREIGN_VALUE });
    expect(input.DeletionProtection).toBe("ACTIVE");
  });
});

describe("updatePoolTriggers", () => {
  const cognito = mockClient(CognitoIdentityProviderClient);

  afterEach(() => {
    cognito.reset();
  });

  test("one DescribeUserPool, then exactly one UpdateUserPool with the merged configuration", async () => {
    // Prepare
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: describedPool() });
    cognito.on(UpdateUserPoolCommand).resolves({});

    // Act
    const sent = await updatePoolTriggers(
      new CognitoIdentityProviderClient({ region: "eu-west-1" }),
      {
        userPoolId: POOL_ID,
        arns: ARNS,
        version: "V2_0",
      },
    );

    // Assess
    expect(cognito.commandCalls(DescribeUserPoolCommand)).toHaveLength(1);
    const updates = cognito.commandCalls(UpdateUserPoolCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args[0].input).toEqual(sent);
    expect(sent.LambdaConfig?.PreTokenGenerationConfig).toEqual({
      LambdaArn: ARNS.preTokenGeneration,
      LambdaVersion: "V2_0",
    });
  });

  test("a conflict sends no update; a dry run sends none either", async () => {
    // Prepare
    cognito.on(DescribeUserPoolCommand).resolves({
      UserPool: describedPool({ LambdaConfig: { PostConfirmation: FOREIGN_ARN } }),
    });
    const client = new CognitoIdentityProviderClient({ region: "eu-west-1" });

    // Act
    const conflict = updatePoolTriggers(client, {
      userPoolId: POOL_ID,
      arns: ARNS,
      version: "V2_0",
    });
    const dry = await updatePoolTriggers(client, {
      userPoolId: POOL_ID,
      arns: ARNS,
      version: "V2_0",
      replace: true,
      dryRun: true,
    });

    // Assess
    await expect(conflict).rejects.toThrow(/PostConfirmation .* --replace/);
    expect(dry.LambdaConfig?.PostConfirmation).toBe(ARNS.postConfirmation);
    expect(cognito.commandCalls(UpdateUserPoolCommand)).toHaveLength(0);
  });

  test("the backstop flag reaches the plan: attached, then cleared by a run without it, and by --detach", async () => {
    // Prepare: the pool as each UpdateUserPool left it.
    let pool = describedPool();
    cognito.on(DescribeUserPoolCommand).callsFake(() => ({ UserPool: pool }));
    cognito.on(UpdateUserPoolCommand).callsFake((input) => {
      pool = { ...pool, LambdaConfig: input.LambdaConfig };
      return {};
    });
    const client = new CognitoIdentityProviderClient({ region: "eu-west-1" });
    const request = { userPoolId: POOL_ID, arns: WITH_BACKSTOP, version: "V2_0" } as const;

    // Act
    const on = await updatePoolTriggers(client, { ...request, optIn: ["postAuthentication"] });
    const off = await updatePoolTriggers(client, { ...request, optIn: [] });
    await updatePoolTriggers(client, { ...request, optIn: ["postAuthentication"] });
    const detached = await updatePoolTriggers(client, { ...request, detach: true });

    // Assess
    expect(on.LambdaConfig?.PostAuthentication).toBe(WITH_BACKSTOP.postAuthentication);
    expect(off.LambdaConfig).not.toHaveProperty("PostAuthentication");
    expect(off.LambdaConfig?.PostConfirmation).toBe(ARNS.postConfirmation);
    expect(detached.LambdaConfig).toEqual({ [FOREIGN_SLOT]: FOREIGN_VALUE });
    expect(cognito.commandCalls(UpdateUserPoolCommand)).toHaveLength(4);
  });
});

describe("the pre-token version to attach with", () => {
  const cloudformation = mockClient(CloudFormationClient);
  const STACK = stackName("cognito-triggers", "prod");

  afterEach(() => {
    cloudformation.reset();
  });

  /** DescribeStacks as CloudFormation answers for a stack deployed with `version` (and `backstop`). */
  function deployedWith(version: string | undefined, backstop?: "true" | "false"): void {
    cloudformation.on(DescribeStacksCommand, { StackName: STACK }).resolves({
      Stacks: [
        {
          StackName: STACK,
          CreationTime: new Date("2024-01-01T00:00:00Z"),
          StackStatus: "UPDATE_COMPLETE",
          Outputs: [
            { OutputKey: "UserPoolId", OutputValue: POOL_ID },
            ...(version === undefined
              ? []
              : [{ OutputKey: "PreTokenLambdaVersion", OutputValue: version }]),
            ...(backstop === undefined
              ? []
              : [{ OutputKey: "PostAuthenticationBackstop", OutputValue: backstop }]),
          ],
        },
      ],
    });
  }

  test("serverless' stack name: <service>-<stage>", () => {
    // Assess
    expect(STACK).toBe("cognito-triggers-prod");
  });

  test("defaults to the PreTokenLambdaVersion output of the deployed stack", async () => {
    // Prepare: deployed with --param=preTokenLambdaVersion=V3_0 (serverless.yml says V2_0).
    deployedWith("V3_0");

    // Act
    const deployed = await deployedPreTokenVersion(new CloudFormationClient({}), STACK);
    const version = choosePreTokenVersion({ deployed });

    // Assess
    expect(version).toBe("V3_0");
    expect(cloudformation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  test("an explicit version that agrees is accepted; one that differs is refused unless --force", async () => {
    // Prepare
    deployedWith("V2_0");
    const deployed = await deployedPreTokenVersion(new CloudFormationClient({}), STACK);

    // Act
    const same = choosePreTokenVersion({ deployed, requested: "V2_0" });
    const differs = () => choosePreTokenVersion({ deployed, requested: "V3_0" });
    const forced = choosePreTokenVersion({ deployed, requested: "V3_0", force: true });

    // Assess
    expect(same).toBe("V2_0");
    expect(differs).toThrow(/V3_0 differs from V2_0.*--force/);
    expect(forced).toBe("V3_0");
  });

  test("refuses a stack without the output, or with a version this service does not handle", async () => {
    // Prepare
    deployedWith(undefined);
    const missing = await deployedPreTokenVersion(new CloudFormationClient({}), STACK);

    // Act
    const refused = () => choosePreTokenVersion({ deployed: missing });
    const forced = choosePreTokenVersion({ deployed: missing, requested: "V2_0", force: true });
    const v1 = () => choosePreTokenVersion({ deployed: "V1_0" });
    const bad = () => choosePreTokenVersion({ deployed: "V2_0", requested: "V9", force: true });

    // Assess
    expect(missing).toBeUndefined();
    expect(refused).toThrow(/no PreTokenLambdaVersion output/);
    expect(forced).toBe("V2_0");
    expect(v1).toThrow(/"V1_0", not one of V2_0, V3_0/);
    expect(bad).toThrow(/must be one of V2_0, V3_0/);
  });

  test("the backstop is attached only when the stack's output says true (an older stack: no)", async () => {
    // Act
    deployedWith("V2_0", "true");
    const on = deployedWiring(
      await deployedOutputs(new CloudFormationClient({}), STACK),
    ).optIn.includes("postAuthentication");
    cloudformation.reset();
    deployedWith("V2_0", "false");
    const off = deployedWiring(
      await deployedOutputs(new CloudFormationClient({}), STACK),
    ).optIn.includes("postAuthentication");
    cloudformation.reset();
    deployedWith("V2_0");
    const older = deployedWiring(
      await deployedOutputs(new CloudFormationClient({}), STACK),
    ).optIn.includes("postAuthentication");

    // Assess
    expect([on, off, older]).toEqual([true, false, false]);
  });

  test("a stage that was never deployed: says so", async () => {
    // Prepare: CloudFormation's answer for an unknown stack.
    cloudformation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error(`Stack with id ${STACK} does not exist`), {
        name: "ValidationError",
      }),
    );

    // Act
    const read = deployedPreTokenVersion(new CloudFormationClient({}), STACK);

    // Assess
    await expect(read).rejects.toThrow(`stack ${STACK} not found: deploy the stage first`);
  });
});
