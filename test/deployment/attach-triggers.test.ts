/**
 * Existing-pool mode: the one UpdateUserPool call that attaches (or detaches) the
 * triggers keeps every other setting of the pool (UpdateUserPool resets what it is
 * not given) and never overwrites another function's trigger unless asked.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import {
  planAttach,
  planDetach,
  type TriggerFunction,
  updatePoolTriggers,
} from "../../scripts/pool-triggers";

const POOL_ID = "eu-west-1_AbCdEf123";
const fnArn = (fn: string) =>
  `arn:aws:lambda:eu-west-1:123456789012:function:cognito-triggers-prod-${fn}`;
const ARNS: Record<TriggerFunction, string> = {
  preSignUp: fnArn("preSignUp"),
  postConfirmation: fnArn("postConfirmation"),
  preTokenGeneration: fnArn("preTokenGeneration"),
  defineAuthChallenge: fnArn("defineAuthChallenge"),
  createAuthChallenge: fnArn("createAuthChallenge"),
  verifyAuthChallenge: fnArn("verifyAuthChallenge"),
};
const CUSTOM_MESSAGE =
  "arn:aws:lambda:eu-west-1:123456789012:function:someone-elses-custom-message";

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
    LambdaConfig: { CustomMessage: CUSTOM_MESSAGE },
    ...overrides,
  };
}

describe("planAttach", () => {
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
    expect(input.LambdaConfig).toEqual({
      CustomMessage: CUSTOM_MESSAGE,
      PreSignUp: ARNS.preSignUp,
      PostConfirmation: ARNS.postConfirmation,
      DefineAuthChallenge: ARNS.defineAuthChallenge,
      CreateAuthChallenge: ARNS.createAuthChallenge,
      VerifyAuthChallengeResponse: ARNS.verifyAuthChallenge,
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
    const pool = describedPool({ LambdaConfig: { PreSignUp: CUSTOM_MESSAGE } });

    // Act
    const refused = planAttach(pool, ARNS, "V2_0");
    const replaced = planAttach(pool, ARNS, "V2_0", { replace: true });

    // Assess
    expect(refused.conflicts).toEqual([`PreSignUp (${CUSTOM_MESSAGE})`]);
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

describe("planDetach", () => {
  test("removes only this service's triggers", () => {
    // Prepare
    const attached = planAttach(describedPool(), ARNS, "V2_0").input.LambdaConfig;

    // Act
    const input = planDetach(describedPool({ LambdaConfig: attached }), ARNS);

    // Assess
    expect(input.LambdaConfig).toEqual({ CustomMessage: CUSTOM_MESSAGE });
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
      UserPool: describedPool({ LambdaConfig: { PostConfirmation: CUSTOM_MESSAGE } }),
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
});
