// The rules `serverless package` (and so `deploy`) checks the parameters against before it
// builds anything: a bad value fails at package time, naming the parameter and what it allows,
// instead of at deploy time on the user's account (docs/deployment.md, "Parameter validation").
// Plain CommonJS: the framework loads it without a TypeScript loader.

const { parseTriggers } = require("../resources/triggers.js");

/** Stages on which the `example.com` SES placeholders are accepted (local runs, no email sent). */
const LOCAL_STAGES = ["dev", "local"];

// CloudWatch Logs accepts these retention periods only (days).
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** A value from a fixed list. */
function oneOf(values) {
  return (value) => (values.includes(value) ? undefined : `allowed values: ${values.join(", ")}`);
}

/** An integer within [min, max]. */
function integer(min, max) {
  return (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
      ? undefined
      : `allowed values: an integer from ${min} to ${max}`;
}

/** A comma-separated list (empty allowed) whose every item passes `item`. */
function list(describe, item) {
  return (value) => {
    const items = value.split(",").map((v) => v.trim());
    if (value.trim() === "") return undefined;
    const bad = items.filter((v) => !item(v));
    return bad.length === 0
      ? undefined
      : `allowed values: a comma-separated list of ${describe} (not ${bad.map((b) => JSON.stringify(b)).join(", ")})`;
  };
}

// Cognito app client ids: letters, digits, `+` (1-128; generated ones are 26 lowercase alphanumerics).
const CLIENT_ID = /^[\w+]{1,128}$/;
// A user pool id: `<region>_<id>`, e.g. eu-west-1_AbCdEf123.
const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9a-zA-Z]+$/;

/** True when `identity` (a domain or an address) is the example.com placeholder or under it. */
function isPlaceholder(identity) {
  const domain = identity.includes("@") ? identity.slice(identity.lastIndexOf("@") + 1) : identity;
  return /(^|\.)example\.com$/i.test(domain.trim());
}

/**
 * A value that must be real (not the example.com placeholder) except on the local stages:
 * `what` says what the parameter holds.
 */
function realOffLocalStages(what) {
  return (value, { stage }) =>
    LOCAL_STAGES.includes(stage) || !isPlaceholder(value)
      ? undefined
      : `allowed values: ${what}; the example.com placeholder is accepted on stages ${LOCAL_STAGES.join(", ")} only`;
}

/**
 * Parameter -> check. A check gets the value (a string), the stage and region, and returns
 * undefined when the value is valid, else what the parameter allows.
 */
const RULES = {
  existingUserPoolId: (value, { region }) => {
    if (value === "") return undefined;
    const match = POOL_ID.exec(value);
    if (!match)
      return "allowed values: empty (create a pool) or a user pool id <region>_<id>, e.g. eu-west-1_AbCdEf123";
    if (match[1] !== region) {
      return `allowed values: a pool in the stack's region ${region} (this id is in ${match[1]})`;
    }
    return undefined;
  },
  preTokenLambdaVersion: oneOf(["V2_0", "V3_0"]),
  alarmTopicArn: (value, { region }) =>
    value === "" || new RegExp(`^arn:aws[a-z-]*:sns:${region}:\\d{12}:[\\w-]{1,256}$`).test(value)
      ? undefined
      : `allowed values: empty (no alarms) or an SNS topic ARN arn:aws:sns:${region}:<account>:<topic> in the stack's region`,
  triggers: (value) => {
    try {
      parseTriggers(value);
      return undefined;
    } catch (error) {
      return error.message.replace(/^.*?: allowed values/, "allowed values");
    }
  },
  // These two decide pre-signup's Cognito grants (resources/triggers.yml): exact values only.
  preSignUpLinkFederated: oneOf(["true", "false"]),
  preSignUpNoNativeUser: oneOf(["allow-separate", "create-native"]),
  userPoolTier: oneOf(["LITE", "ESSENTIALS", "PLUS"]),
  userPoolDomainPrefix: (value) =>
    value === "" ||
    (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value) && !/aws|amazon|cognito/.test(value))
      ? undefined
      : "allowed values: empty (no domain) or 1-63 lowercase letters, digits and inner hyphens, without aws, amazon or cognito",
  passwordMinimumLength: integer(8, 99),
  authorizerCacheTtlSeconds: integer(0, 3600),
  authorizerClientIds: list("app client ids", (v) => CLIENT_ID.test(v)),
  authorizerLocalClientIds: list("app client ids", (v) => CLIENT_ID.test(v)),
  customAuthPasswordlessClientIds: list("app client ids", (v) => CLIENT_ID.test(v)),
  customAuthPasswordCodeClientIds: list("app client ids", (v) => CLIENT_ID.test(v)),
  customAuthMagicLinkClientIds: list("app client ids", (v) => CLIENT_ID.test(v)),
  customAuthMagicLinks: oneOf(["true", "false"]),
  customAuthMagicLinkBaseUrl: (value) => {
    if (value === "") return undefined;
    let url;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    return url?.protocol === "https:" &&
      !value.includes("#") &&
      url.username === "" &&
      url.password === ""
      ? undefined
      : "allowed values: empty, or an https URL without fragment or credentials (links are <URL>#<token>)";
  },
  customAuthMagicLinkTtlSeconds: integer(60, 900),
  customAuthMagicLinkThrottleSeconds: integer(0, 3600),
  logLevel: oneOf(["DEBUG", "INFO", "WARN", "ERROR"]),
  logRetentionDays: (value) =>
    LOG_RETENTION_DAYS.includes(Number(value)) && /^\d+$/.test(value)
      ? undefined
      : `allowed values: ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention periods, days)`,
  postAuthenticationBackstop: oneOf(["true", "false"]),
  customAuthMaxAttempts: integer(1, 10),
  customAuthCodeLength: integer(6, 10),
  customAuthCodeTtlSeconds: integer(30, 3600),
  customAuthLockoutThreshold: integer(1, 100),
  customAuthLockoutWindowSeconds: integer(60, 86400),
  customEmailSender: oneOf(["true", "false"]),
  userMigration: oneOf(["true", "false"]),
  userMigrationSource: oneOf(["dynamodb", "endpoint"]),
  userMigrationEndpointTimeoutMs: integer(100, 4500),
  inboundFederation: oneOf(["true", "false"]),
  revocation: oneOf(["true", "false"]),
  revocationTtlSeconds: integer(300, 86400),
  revocationFailureMode: oneOf(["closed", "open"]),
  revocationCacheSeconds: integer(0, 30),
  customEmailSenderKmsKeyArn: (value, { region }) =>
    value === "" ||
    new RegExp(`^arn:aws[a-z-]*:kms:${region}:\\d{12}:key/[0-9a-f-]{36}$`).test(value)
      ? undefined
      : `allowed values: empty (the stack creates a key) or a key ARN arn:aws:kms:${region}:<account>:key/<key id> in the stack's region`,
  customEmailSenderIdempotencyTtlSeconds: integer(300, 604800),
  customEmailSenderIdentity: realOffLocalStages("your SES identity (a verified domain or address)"),
  customEmailSenderFromAddress: realOffLocalStages("an address of your SES identity"),
  customAuthSenderIdentity: realOffLocalStages("your SES identity (a verified domain or address)"),
  customAuthFromAddress: realOffLocalStages("an address of your SES identity"),
};

/**
 * Check `params` (name -> value, as the framework resolved them) for `stage` and `region`.
 * Returns one message per bad parameter, naming it, its value and what it allows.
 */
function checkParameters(params, { stage, region }) {
  const problems = [];
  for (const [name, rule] of Object.entries(RULES)) {
    if (!(name in params)) continue;
    const value = params[name] == null ? "" : String(params[name]);
    const allowed = rule(value, { stage, region });
    if (allowed !== undefined)
      problems.push(`Invalid parameter ${name}=${JSON.stringify(value)}: ${allowed}`);
  }
  // Magic links need their switch and base URL together; clients allowed them need the switch.
  const magicLinks = String(params.customAuthMagicLinks ?? "") === "true";
  if (magicLinks && String(params.customAuthMagicLinkBaseUrl ?? "") === "") {
    problems.push(
      'Invalid parameter customAuthMagicLinkBaseUrl="": allowed values: an https URL (required with customAuthMagicLinks=true)',
    );
  }
  const linkClients = String(params.customAuthMagicLinkClientIds ?? "").trim();
  const defaultFlows = String(params.customAuthDefaultFlows ?? "");
  if (!magicLinks && (linkClients !== "" || /(^|,)\s*magic-link\s*(,|$)/.test(defaultFlows))) {
    problems.push(
      `Invalid parameter customAuthMagicLinks=${JSON.stringify(String(params.customAuthMagicLinks ?? ""))}: allowed values: "true" when customAuthMagicLinkClientIds or customAuthDefaultFlows allows magic links`,
    );
  }
  return problems;
}

module.exports = { RULES, LOCAL_STAGES, checkParameters };
