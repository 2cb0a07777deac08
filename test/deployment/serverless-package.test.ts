/**
 * `serverless package`, offline and without AWS credentials, in both deployment modes;
 * assertions on the CloudFormation template a deploy would submit.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { localEnvironment, readServerlessYml } from "../../scripts/local-env";
import {
  cognitoTriggers,
  entryOf,
  FUNCTION_NAMES,
  lambdaLogicalId,
  splitHandler,
} from "../../scripts/registry";
import { captureOutput } from "../helpers/logs";
import {
  actionsOf,
  activeResources,
  arnText,
  dependencyCycle,
  evaluateConditions,
  getAttTarget,
  packageService,
  type Resource,
  ROOT,
  references,
  resolveIfs,
  resourcesOf,
  statementsOf,
  type Template,
} from "./template";

// Packaging bundles every function with esbuild: about 5-10 s per run.
jest.setTimeout(180_000);

const EXISTING_POOL_ID = "eu-west-1_AbCdEf123";
const GIVEN_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** Every Cognito trigger function (the registry's), by CloudFormation id. */
const TRIGGER_FUNCTIONS = cognitoTriggers().map(([name]) => lambdaLogicalId(name));
const lambdaId = lambdaLogicalId;
/** LambdaConfig key -> function, for the always-attached triggers whose slot holds a bare ARN. */
const TRIGGERS: Record<string, string> = Object.fromEntries(
  cognitoTriggers()
    .filter(([, trigger]) => trigger.wiring === "always" && trigger.version === undefined)
    .map(([name, trigger]) => [trigger.slot, lambdaLogicalId(name)]),
);

const LOG_GROUPS = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/cognito-triggers-dev`;

/**
 * The only IAM resources with a `*`, each with the reason no specific ARN is possible.
 * `id` is the role or policy resource, `arn` the resource as text (see `arnText`).
 */
const WILDCARD_RESOURCES: readonly {
  readonly reason: string;
  readonly allows: (id: string, arn: string) => boolean;
}[] = [
  {
    reason:
      "log streams of the function's own log group: Lambda names each stream itself " +
      "(date and instance id), so the `:*` after the group name cannot be made specific",
    allows: (id, arn) => {
      const fn = /^(\w+)IamRoleLambdaExecution$/.exec(id)?.[1];
      if (fn === undefined) return false;
      return arn === `${LOG_GROUPS}-${fn.charAt(0).toLowerCase()}${fn.slice(1)}:*:*`;
    },
  },
  {
    reason:
      "the framework's default execution role, created even when every function has a role " +
      "of its own (serverless-iam-roles-per-function); it covers the service's log groups, and " +
      "no function uses it (checked by a test below)",
    allows: (id, arn) =>
      id === "IamRoleLambdaExecution" && [`${LOG_GROUPS}*:*`, `${LOG_GROUPS}*:*:*`].includes(arn),
  },
];

/** The pool's ARN as the template gives it in each mode. */
function expectedPool(template: Template): unknown {
  return template !== existing
    ? { "Fn::GetAtt": ["UserPool", "Arn"] }
    : {
        "Fn::Sub": `arn:\${AWS::Partition}:cognito-idp:\${AWS::Region}:\${AWS::AccountId}:userpool/${EXISTING_POOL_ID}`,
      };
}

function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** True when the template was packaged with postAuthenticationBackstop=true. */
function backstopOn(template: Template): boolean {
  return evaluateConditions(template).PostAuthenticationBackstop === true;
}

let created: Template;
let createdBackstop: Template;
let existing: Template;

beforeAll(async () => {
  // One after the other: `serverless package` writes its state through `.serverless/` even
  // with --package, so two runs in one service directory at once can remove each other's files.
  created = await packageService({}, "created");
  // The opt-in features on: the backstop, and the custom email sender with a key of the stack's.
  createdBackstop = await packageService(
    { postAuthenticationBackstop: "true", customEmailSender: "true" },
    "backstop",
  );
  existing = await packageService(
    {
      existingUserPoolId: EXISTING_POOL_ID,
      preTokenLambdaVersion: "V3_0",
      authorizerCacheTtlSeconds: "120",
      postAuthenticationBackstop: "true",
      customEmailSender: "true",
      customEmailSenderKmsKeyArn: GIVEN_KEY,
    },
    "existing",
  );
});

describe.each([
  ["stack-created pool", () => created],
  ["stack-created pool with the backstop and the custom email sender", () => createdBackstop],
  ["existing pool (backstop and custom email sender on, given key)", () => existing],
])("both modes: %s", (_mode, template) => {
  test("every active resource refers only to resources that exist in this mode", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const dangling = Object.entries(active).flatMap(([id, resource]) =>
      references(resource)
        .filter((target) => !(target in active))
        .map((target) => `${id} -> ${target}`),
    );

    // Assess
    expect(dangling).toEqual([]);
  });

  test("Cognito may invoke every trigger, only from the pool", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const permissions = ofType(active, "AWS::Lambda::Permission")
      .map(([, r]) => r.Properties ?? {})
      .filter((p) => p.Principal === "cognito-idp.amazonaws.com");

    // Assess: the opt-in triggers' permissions whether on or off (resources/permissions.yml says
    // why: a pool naming the function without it fails every sign-in; it is inert while detached).
    const expected = TRIGGER_FUNCTIONS;
    for (const fn of expected) {
      const mine = permissions.filter((p) => getAttTarget(p.FunctionName) === fn);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        Action: "lambda:InvokeFunction",
        SourceArn: expectedPool(template()),
      });
    }
    expect(permissions).toHaveLength(expected.length);
  });

  test("no IAM statement grants an action or a resource by wildcard, but the named exceptions", () => {
    // Prepare
    const active = activeResources(template());
    const iam = Object.entries(active).filter(([, r]) => r.Type.startsWith("AWS::IAM::"));

    // Act
    const wildcards = iam.flatMap(([id, resource]) =>
      statementsOf(resource).flatMap((s) => {
        const problems: string[] = [];
        if ("NotAction" in s || "NotResource" in s) problems.push("NotAction/NotResource");
        for (const action of actionsOf(s)) {
          if (typeof action !== "string" || action.includes("*")) problems.push(`action ${action}`);
        }
        for (const arn of resourcesOf(s).map(arnText)) {
          if (arn.includes("*") && !WILDCARD_RESOURCES.some((w) => w.allows(id, arn))) {
            problems.push(`resource ${arn}`);
          }
        }
        return problems.map((problem) => `${id}: ${problem}`);
      }),
    );

    // Assess
    expect(iam.length).toBeGreaterThan(0);
    expect(wildcards).toEqual([]);
  });

  test("every cognito-idp statement names the pool itself", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const cognito = Object.values(active).flatMap((r) =>
      statementsOf(r).filter((s) =>
        actionsOf(s).some((a) => typeof a === "string" && a.startsWith("cognito-idp:")),
      ),
    );

    // Assess: pre-signup's linking calls and post-confirmation's group call, and the
    // backstop's group call when it is on; nothing else.
    expect(cognito).toHaveLength(backstopOn(template()) ? 3 : 2);
    for (const statement of cognito) expect(statement.Resource).toEqual(expectedPool(template()));
  });

  test("pre-signup: the linking calls (no AdminCreateUser with allow-separate) through PreSignUpCognitoPolicy", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const policy = active.PreSignUpCognitoPolicy;
    const ownRole = active.PreSignUpIamRoleLambdaExecution;

    // Assess
    expect(policy?.Type).toBe("AWS::IAM::Policy");
    expect(policy?.Properties?.Roles).toEqual([{ Ref: "PreSignUpIamRoleLambdaExecution" }]);
    expect(statementsOf(policy as Resource)).toEqual([
      {
        Effect: "Allow",
        Action: ["cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"],
        Resource: expectedPool(template()),
      },
    ]);
    // The role itself only writes its logs: naming the pool there would be a cycle.
    const ownActions = statementsOf(ownRole as Resource).flatMap(actionsOf);
    expect(ownActions.every((a) => typeof a === "string" && a.startsWith("logs:"))).toBe(true);
  });

  test("post-authentication: a 2 s AWS budget, since every sign-in waits for it", () => {
    // Prepare
    const fn = activeResources(template()).PostAuthenticationLambdaFunction as Resource;

    // Act
    const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables;

    // Assess: tighter than the 4 s default of the other triggers, and a valid combination.
    expect(env).toMatchObject({
      AWS_CALL_BUDGET_MS: "2000",
      AWS_CALL_TIMEOUT_MS: "900",
      AWS_MAX_ATTEMPTS: "2",
    });
  });

  test("post-authentication: GetItem + PutItem on the table; the group call on the pool only when on", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const role = active.PostAuthenticationIamRoleLambdaExecution as Resource;
    const own = statementsOf(role).filter(
      (s) => !actionsOf(s).some((a) => String(a).startsWith("logs:")),
    );
    const policy = active.PostAuthenticationGroupPolicy;

    // Assess: the pool only in a policy of its own (no pool -> function -> role -> pool cycle).
    expect(own).toEqual([
      {
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
        Resource: { "Fn::GetAtt": ["ProfileTable", "Arn"] },
      },
    ]);
    if (backstopOn(template())) {
      expect(policy?.Properties?.Roles).toEqual([
        { Ref: "PostAuthenticationIamRoleLambdaExecution" },
      ]);
      expect(statementsOf(policy as Resource)).toEqual([
        {
          Effect: "Allow",
          Action: "cognito-idp:AdminAddUserToGroup",
          Resource: expectedPool(template()),
        },
      ]);
    } else {
      expect(policy).toBeUndefined();
    }
  });

  test("custom auth: the attempts table, on demand, TTL, point-in-time recovery, not retained", () => {
    // Prepare
    const table = activeResources(template()).CustomAuthAttemptsTable;

    // Assess: short-lived counters; a retained table would keep its fixed name and make the
    // next deployment after a removal fail.
    expect(table?.Type).toBe("AWS::DynamoDB::Table");
    expect(table?.DeletionPolicy).toBeUndefined();
    expect(table?.Properties).toEqual({
      TableName: "cognito-triggers-dev-custom-auth-attempts",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(template().Outputs?.CustomAuthAttemptsTableName?.Value).toEqual({
      Ref: "CustomAuthAttemptsTable",
    });
  });

  test("custom auth: create and verify get the lockout settings (the table name, 10, 900)", () => {
    // Prepare
    const active = activeResources(template());

    for (const fn of ["CreateAuthChallengeLambdaFunction", "VerifyAuthChallengeLambdaFunction"]) {
      // Act
      const props = active[fn]?.Properties ?? {};
      const env = (props.Environment as { Variables?: Record<string, unknown> })?.Variables;

      // Assess
      expect(env).toMatchObject({
        CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "cognito-triggers-dev-custom-auth-attempts",
        CUSTOM_AUTH_LOCKOUT_THRESHOLD: "10",
        CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: "900",
      });
    }
    const define = active.DefineAuthChallengeLambdaFunction?.Properties?.Environment;
    expect(JSON.stringify(define)).not.toContain("CUSTOM_AUTH_ATTEMPTS_TABLE_NAME");
  });

  test("custom auth: GetItem for create, UpdateItem + DeleteItem for verify, on the attempts table only", () => {
    // Prepare
    const active = activeResources(template());
    const table = { "Fn::GetAtt": ["CustomAuthAttemptsTable", "Arn"] };
    const dynamoStatements = (roleId: string) =>
      statementsOf(active[roleId] as Resource).filter((s) =>
        actionsOf(s).some((a) => String(a).startsWith("dynamodb:")),
      );

    // Act
    const create = dynamoStatements("CreateAuthChallengeIamRoleLambdaExecution");
    const verify = dynamoStatements("VerifyAuthChallengeIamRoleLambdaExecution");
    const define = dynamoStatements("DefineAuthChallengeIamRoleLambdaExecution");
    const onTable = Object.entries(active)
      .filter(([, r]) => r.Type.startsWith("AWS::IAM::"))
      .flatMap(([id, r]) =>
        statementsOf(r)
          .filter((s) => JSON.stringify(s.Resource).includes("CustomAuthAttemptsTable"))
          .map(() => id),
      );

    // Assess: exact actions, the table's own ARN (no `*`, no other table), no other role.
    expect(create).toEqual([{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: table }]);
    expect(verify).toEqual([
      {
        Effect: "Allow",
        Action: ["dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        Resource: table,
      },
    ]);
    expect(define).toEqual([]);
    expect(onTable.sort()).toEqual([
      "CreateAuthChallengeIamRoleLambdaExecution",
      "VerifyAuthChallengeIamRoleLambdaExecution",
    ]);
  });

  test("no dependency cycle among the resources a deployment creates", () => {
    // Act
    const cycle = dependencyCycle(activeResources(template()));

    // Assess
    expect(cycle).toBeUndefined();
  });

  test("the framework's default role, allowed a log-group wildcard, is used by no function", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const users = Object.entries(active)
      .filter(
        ([id, r]) =>
          id !== "IamRoleLambdaExecution" && references(r).includes("IamRoleLambdaExecution"),
      )
      .map(([id]) => id);

    // Assess
    expect(users).toEqual([]);
  });

  test("every function: its own role, nodejs24.x on arm64, at most 5 s, log retention", () => {
    // Prepare
    const active = activeResources(template());

    for (const name of FUNCTION_NAMES) {
      // Act
      const fn = active[lambdaId(name)];

      // Assess
      expect(fn?.Type).toBe("AWS::Lambda::Function");
      const props = fn?.Properties ?? {};
      expect(getAttTarget(props.Role)).toBe(
        `${lambdaId(name).replace(/LambdaFunction$/, "")}IamRoleLambdaExecution`,
      );
      expect(props.Runtime).toBe("nodejs24.x");
      expect(props.Architectures).toEqual(["arm64"]);
      expect(props.Timeout).toBeLessThanOrEqual(5);
      expect(props.MemorySize).toBeGreaterThanOrEqual(128);
      const logGroup = active[lambdaId(name).replace(/LambdaFunction$/, "LogGroup")];
      expect(logGroup?.Properties?.RetentionInDays).toBe(30);
    }
  });

  test("GET /hello is protected by the authorizer function, with a cache TTL", () => {
    // Prepare
    const active = activeResources(template());

    // Act
    const method = active.ApiGatewayMethodHelloGet?.Properties ?? {};
    const authorizerId = references(method.AuthorizerId)[0] ?? "";
    const authorizer = active[authorizerId];

    // Assess
    expect(method.AuthorizationType).toBe("CUSTOM");
    expect(authorizer?.Type).toBe("AWS::ApiGateway::Authorizer");
    expect(references(authorizer?.Properties?.AuthorizerUri)).toContain("AuthorizerLambdaFunction");
    // The authorizerCacheTtlSeconds parameter: 300 by default, 120 given in the existing-pool run.
    const ttl = authorizer?.Properties?.AuthorizerResultTtlInSeconds;
    expect(ttl).toBe(template() === existing ? 120 : 300);
    const invokers = ofType(active, "AWS::Lambda::Permission").filter(
      ([, r]) =>
        getAttTarget(r.Properties?.FunctionName) === "AuthorizerLambdaFunction" &&
        r.Properties?.Principal === "apigateway.amazonaws.com",
    );
    expect(invokers).toHaveLength(1);
  });
});

describe("messages: custom message always, the custom email sender opt-in", () => {
  /** The pool's LambdaConfig with the template's conditions applied. */
  function lambdaConfig(template: Template): Record<string, unknown> {
    const pool = template.Resources.UserPool;
    return resolveIfs(pool?.Properties?.LambdaConfig, evaluateConditions(template)) as Record<
      string,
      unknown
    >;
  }

  /** Every active IAM statement that allows kms:Decrypt, with the resource holding it. */
  function decryptGrants(template: Template): [string, Record<string, unknown>][] {
    const conditions = evaluateConditions(template);
    return Object.entries(activeResources(template)).flatMap(([id, resource]) =>
      statementsOf(resource)
        .map((st) => resolveIfs(st, conditions) as Record<string, unknown>)
        .filter((st) =>
          actionsOf(st).some((a) => typeof a === "string" && /^kms:(\*|Decrypt)/.test(a)),
        )
        .map((st): [string, Record<string, unknown>] => [id, st]),
    );
  }

  test("default: CustomMessage attached; no custom email sender, key, secret or table", () => {
    // Act
    const config = lambdaConfig(created);
    const active = activeResources(created);

    // Assess
    expect(getAttTarget(config.CustomMessage)).toBe("CustomMessageLambdaFunction");
    expect(config).not.toHaveProperty("CustomEmailSender");
    expect(config).not.toHaveProperty("KMSKeyID");
    for (const id of [
      "CustomEmailSenderKey",
      "CustomEmailSenderCodeHashKey",
      "CustomEmailSenderIdempotencyTable",
      "CustomEmailSenderPolicy",
    ]) {
      expect(active).not.toHaveProperty(id);
    }
    expect(decryptGrants(created)).toEqual([]);
    expect(resolveIfs(created.Outputs?.CustomEmailSender?.Value, evaluateConditions(created))).toBe(
      "false",
    );
  });

  test("customEmailSender=true: V1_0 sender and the stack's key on the pool; Cognito may only encrypt", () => {
    // Act
    const config = lambdaConfig(createdBackstop);
    const key = activeResources(createdBackstop).CustomEmailSenderKey;

    // Assess
    expect(config.CustomEmailSender).toEqual({
      LambdaArn: { "Fn::GetAtt": ["CustomEmailSenderLambdaFunction", "Arn"] },
      LambdaVersion: "V1_0",
    });
    expect(getAttTarget(config.KMSKeyID)).toBe("CustomEmailSenderKey");
    expect(getAttTarget(config.CustomMessage)).toBe("CustomMessageLambdaFunction");
    const policy = (key?.Properties?.KeyPolicy ?? { Statement: [] }) as {
      Statement: Record<string, unknown>[];
    };
    const statements = policy.Statement;
    const cognito = statements.filter(
      (st) => (st.Principal as { Service?: string }).Service === "cognito-idp.amazonaws.com",
    );
    expect(cognito).toHaveLength(1);
    expect(cognito[0]).toMatchObject({
      Action: "kms:Encrypt",
      Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
    });
    expect(key?.Properties).toMatchObject({
      EnableKeyRotation: true,
      KeySpec: "SYMMETRIC_DEFAULT",
    });
  });

  test("kms:Decrypt on the code key, for the custom email sender's role only", () => {
    // Act
    const grants = decryptGrants(createdBackstop);
    const policy = activeResources(createdBackstop).CustomEmailSenderPolicy;

    // Assess
    expect(grants.map(([id]) => id)).toEqual(["CustomEmailSenderPolicy"]);
    expect(grants[0]?.[1].Resource).toEqual({ "Fn::GetAtt": ["CustomEmailSenderKey", "Arn"] });
    expect(policy?.Properties?.Roles).toEqual([{ Ref: "CustomEmailSenderIamRoleLambdaExecution" }]);
  });

  test("a given key: no key created; the pool, the policy and the function name it", () => {
    // Act
    const active = activeResources(existing);
    const env = resolveIfs(
      (
        (active.CustomEmailSenderLambdaFunction?.Properties?.Environment ?? {}) as {
          Variables?: unknown;
        }
      ).Variables,
      evaluateConditions(existing),
    ) as Record<string, unknown>;

    // Assess: mode (b) has no pool resource; attach-triggers sets the slot from the outputs.
    expect(active).not.toHaveProperty("UserPool");
    expect(active).not.toHaveProperty("CustomEmailSenderKey");
    expect(decryptGrants(existing).map(([, st]) => st.Resource)).toEqual([GIVEN_KEY]);
    expect(env.CUSTOM_EMAIL_SENDER_KMS_KEY_ARN).toBe(GIVEN_KEY);
    expect(env.CUSTOM_EMAIL_SENDER_CODE_HASH_KEY).toEqual({
      "Fn::Sub": `{{resolve:secretsmanager:\${CustomEmailSenderCodeHashKey}:SecretString:key}}`,
    });
    const conditions = evaluateConditions(existing);
    expect(resolveIfs(existing.Outputs?.CustomEmailSender?.Value, conditions)).toBe("true");
    expect(resolveIfs(existing.Outputs?.CustomEmailSenderKmsKeyArn?.Value, conditions)).toBe(
      GIVEN_KEY,
    );
  });

  test("the idempotency table: Powertools' key and TTL attribute, as the tests' definition", () => {
    // Act
    const table = activeResources(createdBackstop).CustomEmailSenderIdempotencyTable;

    // Assess
    expect(table?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
      BillingMode: "PAY_PER_REQUEST",
    });
  });
});

describe("mode (a): the stack creates the pool", () => {
  test("every trigger is attached to the pool, pre-token with event version V2_0 by default", () => {
    // Prepare
    const pool = activeResources(created).UserPool;

    // Act
    const config = (pool?.Properties?.LambdaConfig ?? {}) as Record<string, unknown>;

    // Assess
    for (const [trigger, fn] of Object.entries(TRIGGERS)) {
      expect(getAttTarget(config[trigger])).toBe(fn);
    }
    expect(config.PreTokenGenerationConfig).toEqual({
      LambdaArn: { "Fn::GetAtt": ["PreTokenGenerationLambdaFunction", "Arn"] },
      LambdaVersion: "V2_0",
    });
    // The legacy V1 field would conflict with the versioned configuration.
    expect(config.PreTokenGeneration).toBeUndefined();
    // The backstop is opt-in: not attached by default.
    expect(config).not.toHaveProperty("PostAuthentication");
    expect(created.Outputs?.PostAuthenticationBackstop?.Value).toEqual({
      "Fn::If": ["PostAuthenticationBackstop", "true", "false"],
    });
    expect(backstopOn(created)).toBe(false);
  });

  test("postAuthenticationBackstop=true attaches the backstop, other triggers unchanged", () => {
    // Prepare
    const pool = activeResources(createdBackstop).UserPool;

    // Act
    const config = (pool?.Properties?.LambdaConfig ?? {}) as Record<string, unknown>;

    // Assess
    expect(getAttTarget(config.PostAuthentication)).toBe("PostAuthenticationLambdaFunction");
    for (const [trigger, fn] of Object.entries(TRIGGERS)) {
      expect(getAttTarget(config[trigger])).toBe(fn);
    }
    expect(config.PreTokenGenerationConfig).toEqual({
      LambdaArn: { "Fn::GetAtt": ["PreTokenGenerationLambdaFunction", "Arn"] },
      LambdaVersion: "V2_0",
    });
    const conditions = evaluateConditions(createdBackstop);
    expect(resolveIfs(createdBackstop.Outputs?.PostAuthenticationBackstop?.Value, conditions)).toBe(
      "true",
    );
  });

  test("email sign-in, password policy, retained on removal", () => {
    // Act
    const pool = activeResources(created).UserPool;
    const props = pool?.Properties ?? {};

    // Assess
    expect(props.UsernameAttributes).toEqual(["email"]);
    expect(props.AutoVerifiedAttributes).toEqual(["email"]);
    expect(props.Policies).toMatchObject({
      PasswordPolicy: { MinimumLength: 12, RequireNumbers: true, RequireSymbols: true },
    });
    expect(created.Resources.UserPool).toMatchObject({ DeletionPolicy: "Retain" });
  });

  test("stack removal keeps the pool, its groups, resource server and client; not the domain", () => {
    // Prepare: the pool outlives the stack (it holds the users), and with it what its users
    // and apps depend on: group memberships, the client id and its scopes.
    const retained = [
      "UserPool",
      "PostConfirmationDefaultGroup",
      "AdminGroup",
      "ApiResourceServer",
      "UserPoolClient",
    ];

    // Act
    const policies = Object.fromEntries(
      Object.entries(created.Resources)
        .filter(([, r]) => r.Type.startsWith("AWS::Cognito::"))
        .map(([id, r]) => [id, [r.DeletionPolicy, r.UpdateReplacePolicy]]),
    );

    // Assess: every Cognito resource is listed here, so a new one needs a decision too.
    expect(policies).toEqual({
      ...Object.fromEntries(retained.map((id) => [id, ["Retain", "Retain"]])),
      // A redeployed stack creates a new pool, which needs the (regionally unique) prefix.
      UserPoolDomain: [undefined, undefined],
    });
  });

  test("an app client for custom auth (SRP password inside it) and refresh only, with the API scopes", () => {
    // Prepare
    const active = activeResources(created);

    // Act
    const client = active.UserPoolClient?.Properties ?? {};
    const server = active.ApiResourceServer?.Properties ?? {};

    // Assess
    // No ALLOW_USER_SRP_AUTH / ALLOW_USER_PASSWORD_AUTH: either would give tokens for the
    // password alone, and the emailed code would be no second factor.
    expect([...(client.ExplicitAuthFlows as string[])].sort()).toEqual([
      "ALLOW_CUSTOM_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
    ]);
    expect(client.GenerateSecret).toBe(false);
    expect(client.PreventUserExistenceErrors).toBe("ENABLED");
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(["api/read", "api/write"]));
    // Users write their own profile fields only: no custom attribute (access claims), no
    // *_verified flag (linking trusts email_verified).
    const writable = client.WriteAttributes as string[];
    expect(writable).toEqual(expect.arrayContaining(["email", "name"]));
    expect(writable.filter((a) => a.startsWith("custom:") || a.endsWith("_verified"))).toEqual([]);
    expect(server.Identifier).toBe("api");
    expect(server.Scopes).toEqual([
      expect.objectContaining({ ScopeName: "read" }),
      expect.objectContaining({ ScopeName: "write" }),
    ]);
  });

  test("groups in the pool; no hosted domain unless a prefix is given", () => {
    // Prepare
    const active = activeResources(created);

    // Act
    const groups = ofType(active, "AWS::Cognito::UserPoolGroup").map(
      ([, r]) => r.Properties?.GroupName,
    );

    // Assess
    expect(groups.sort()).toEqual(["admins", "members"]);
    expect(active.UserPoolDomain).toBeUndefined();
    expect(created.Resources.UserPoolDomain?.Properties?.Domain).toBe("");
  });

  test("outputs: pool id, client id, API URL", () => {
    // Prepare
    const conditions = evaluateConditions(created);
    const outputs = Object.fromEntries(
      Object.entries(created.Outputs ?? {})
        .filter(([, o]) => o.Condition === undefined || conditions[o.Condition])
        .map(([k, o]) => [k, resolveIfs(o.Value, conditions)]),
    );

    // Assess
    expect(outputs.UserPoolId).toEqual({ Ref: "UserPool" });
    expect(outputs.UserPoolClientId).toEqual({ Ref: "UserPoolClient" });
    expect(references(outputs.ApiUrl)).toEqual(["ApiGatewayRestApi"]);
  });
});

describe("mode (b): triggers for an existing pool", () => {
  test("creates no pool, client, group or domain", () => {
    // Act
    const active = activeResources(existing);

    // Assess
    expect(ofType(active, "AWS::Cognito::UserPool")).toEqual([]);
    expect(ofType(active, "AWS::Cognito::UserPoolClient")).toEqual([]);
    expect(ofType(active, "AWS::Cognito::UserPoolGroup")).toEqual([]);
    expect(ofType(active, "AWS::Cognito::UserPoolDomain")).toEqual([]);
  });

  test("the pre-token event version parameter reaches the template (V3_0 here)", () => {
    // Assess: `npm run attach-triggers` reads the deployed stack's PreTokenLambdaVersion
    // output (scripts/pool-triggers.ts, deployedPreTokenVersion); the (inactive) pool
    // definition carries the same value, so both modes honour the parameter.
    expect(existing.Outputs?.PreTokenLambdaVersion?.Value).toBe("V3_0");
    const config = resolveIfs(
      existing.Resources.UserPool?.Properties?.LambdaConfig,
      evaluateConditions(existing),
    ) as Record<string, unknown>;
    expect(config.PreTokenGenerationConfig).toMatchObject({ LambdaVersion: "V3_0" });
  });

  test("outputs name the existing pool", () => {
    // Prepare
    const conditions = evaluateConditions(existing);

    // Act
    const poolId = resolveIfs(existing.Outputs?.UserPoolId?.Value, conditions);

    // Assess
    expect(poolId).toBe(EXISTING_POOL_ID);
    expect(existing.Outputs?.UserPoolClientId?.Condition).toBe("CreateUserPool");
    expect(conditions.CreateUserPool).toBe(false);
  });
});

describe("serverless.yml functions and parameters", () => {
  test("every parameter is documented in docs/deployment.md", () => {
    // Prepare
    const doc = readServerlessYml(ROOT) as { params: { default: Record<string, unknown> } };
    const page = readFileSync(join(ROOT, "docs/deployment.md"), "utf8");

    // Act
    const missing = Object.keys(doc.params.default).filter(
      (name) => !new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, "m").test(page),
    );

    // Assess
    expect(missing).toEqual([]);
  });

  test.each(FUNCTION_NAMES.map((name) => [name, entryOf(name).handler] as const))(
    "%s: `%s` resolves to an exported function",
    async (name, handler) => {
      // Prepare: the function's serverless.yml environment, as `npm run invoke` gives it.
      const { file, exportName } = splitHandler(handler);
      const saved = { ...process.env };
      Object.assign(process.env, localEnvironment(ROOT, name), { IS_LOCAL: "true" });
      const output = captureOutput();

      try {
        // Act
        const mod = (await import(`${ROOT}/${file}`)) as Record<string, unknown>;

        // Assess
        expect(typeof mod[exportName]).toBe("function");
        // Without a pool (no CloudFormation here) the authorizer fails closed at cold start
        // and says so once at ERROR; no other function logs an error on import.
        const errors = output.jsonLines().filter((line) => line.level === "ERROR");
        expect(errors.map((line) => line.message)).toEqual(
          name === "authorizer"
            ? ["Authorizer configuration is invalid; every request is refused"]
            : [],
        );
      } finally {
        output.restore();
        process.env = saved;
      }
    },
  );
});

describe("template helpers", () => {
  test("dependencyCycle finds pool -> function -> role -> pool, the cycle a role naming the pool makes", () => {
    // Prepare
    const resources: Record<string, Resource> = {
      UserPool: {
        Type: "AWS::Cognito::UserPool",
        Properties: { LambdaConfig: { PreSignUp: { "Fn::GetAtt": ["Fn", "Arn"] } } },
      },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Role: { "Fn::GetAtt": ["Role", "Arn"] } },
      },
      Role: {
        Type: "AWS::IAM::Role",
        Properties: {
          Policies: [{ PolicyDocument: { Resource: { "Fn::GetAtt": ["UserPool", "Arn"] } } }],
        },
      },
    };
    const split = {
      ...resources,
      Role: { Type: "AWS::IAM::Role", Properties: {} },
      Policy: {
        Type: "AWS::IAM::Policy",
        Properties: { Roles: [{ Ref: "Role" }], Resource: { "Fn::GetAtt": ["UserPool", "Arn"] } },
      },
    };

    // Act
    const cycle = dependencyCycle(resources);
    const none = dependencyCycle(split);

    // Assess
    expect(cycle).toEqual(["UserPool", "Fn", "Role", "UserPool"]);
    expect(none).toBeUndefined();
  });

  test("arnText shows the wildcard a Sub or Join carries", () => {
    // Act
    const sub = arnText({ "Fn::Sub": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/*" });
    const join = arnText({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":ses:*"]] });

    // Assess
    expect(sub.endsWith("/*")).toBe(true);
    expect(join).toBe("arn:<Ref>:ses:*");
    expect(arnText({ "Fn::GetAtt": ["UserPool", "Arn"] })).not.toContain("*");
  });
});
