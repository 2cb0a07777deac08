/**
 * The deployment variants every packaged-template check runs on. A variant is a name and the
 * `--param` values `serverless package` gets; add one here when a parameter changes which
 * resources, properties or wiring the template holds (docs/deployment.md, "Variants").
 */

/** One packaged configuration. */
export interface Variant {
  /** Short name, also the temp-folder tag. */
  readonly name: string;
  /** `--param=<key>=<value>` pairs. */
  readonly params: Readonly<Record<string, string>>;
}

/** A pool id in the documented format, for the existing-pool variants. */
export const EXISTING_POOL_ID = "eu-west-1_AbCdEf123";

/** Every variant the schema check packages. */
export const VARIANTS: readonly Variant[] = [
  { name: "created", params: {} },
  {
    name: "created-v3-backstop",
    params: { preTokenLambdaVersion: "V3_0", postAuthenticationBackstop: "true" },
  },
  { name: "existing", params: { existingUserPoolId: EXISTING_POOL_ID } },
  {
    name: "existing-v3-backstop",
    params: {
      existingUserPoolId: EXISTING_POOL_ID,
      preTokenLambdaVersion: "V3_0",
      postAuthenticationBackstop: "true",
    },
  },
  {
    name: "created-custom-email-sender",
    params: { customEmailSender: "true", customEmailSenderSesConfigurationSet: "emails" },
  },
  {
    name: "existing-custom-email-sender-given-key",
    params: {
      existingUserPoolId: EXISTING_POOL_ID,
      customEmailSender: "true",
      customEmailSenderKmsKeyArn:
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
  },
  {
    name: "created-some-triggers",
    params: { triggers: "preSignUp,preTokenGeneration", preSignUpNoNativeUser: "create-native" },
  },
  {
    name: "existing-some-triggers",
    params: {
      existingUserPoolId: EXISTING_POOL_ID,
      triggers: "postConfirmation,customAuth,postAuthentication",
      postAuthenticationBackstop: "true",
    },
  },
  {
    name: "created-alarms",
    params: { alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:ops-alarms" },
  },
  {
    name: "created-migration-federation",
    params: { userMigration: "true", inboundFederation: "true" },
  },
  {
    name: "existing-migration-endpoint-federation",
    params: {
      existingUserPoolId: EXISTING_POOL_ID,
      userMigration: "true",
      userMigrationSource: "endpoint",
      userMigrationEndpointUrl: "https://legacy.example.org/migrate",
      inboundFederation: "true",
    },
  },
  {
    name: "created-revocation",
    params: { revocation: "true", revocationFailureMode: "open" },
  },
  {
    name: "existing-revocation",
    params: { existingUserPoolId: EXISTING_POOL_ID, revocation: "true" },
  },
  {
    name: "created-magic-links",
    params: {
      customAuthMagicLinks: "true",
      customAuthMagicLinkClientIds: "1example23456789abcdefghij",
      customAuthMagicLinkBaseUrl: "https://app.example.org/sign-in/magic",
    },
  },
  {
    name: "existing-magic-links-default-flows",
    params: {
      existingUserPoolId: EXISTING_POOL_ID,
      customAuthMagicLinks: "true",
      customAuthDefaultFlows: "password-code,magic-link",
      customAuthMagicLinkBaseUrl: "https://app.example.org/magic",
      customAuthMagicLinkTtlSeconds: "600",
    },
  },
  {
    name: "created-domain-ses-set",
    params: {
      userPoolDomainPrefix: "triggers-test-login",
      customAuthSesConfigurationSet: "codes",
    },
  },
];
