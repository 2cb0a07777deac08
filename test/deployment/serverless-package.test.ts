/**
 * `serverless package`, offline and without AWS credentials, in both deployment modes;
 * assertions on the CloudFormation template a deploy would submit.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FUNCTIONS, splitHandler } from "../../scripts/functions";
import { localEnvironment, readServerlessYml } from "../../scripts/local-env";
import {
  actionsOf,
  activeResources,
  evaluateConditions,
  getAttTarget,
  packageService,
  type Resource,
  ROOT,
  references,
  resolveIfs,
  statementsOf,
  type Template,
} from "./template";

// Packaging bundles every function with esbuild: about 5-10 s per run.
jest.setTimeout(180_000);

const EXISTING_POOL_ID = "eu-west-1_AbCdEf123";

/** Cognito trigger (LambdaConfig key) -> the function serverless.yml wires to it. */
const TRIGGERS: Record<string, string> = {
  PreSignUp: "PreSignUpLambdaFunction",
  PostConfirmation: "PostConfirmationLambdaFunction",
  DefineAuthChallenge: "DefineAuthChallengeLambdaFunction",
  CreateAuthChallenge: "CreateAuthChallengeLambdaFunction",
  VerifyAuthChallengeResponse: "VerifyAuthChallengeLambdaFunction",
};
const TRIGGER_FUNCTIONS = [...Object.values(TRIGGERS), "PreTokenGenerationLambdaFunction"];

/** `preTokenGeneration` -> `PreTokenGenerationLambdaFunction`, as serverless names it. */
function lambdaId(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
}

function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

let created: Template;
let existing: Template;

beforeAll(async () => {
  // One after the other: `serverless package` writes its state through `.serverless/` even
  // with --package, so two runs in one service directory at once can remove each other's files.
  created = await packageService({}, "created");
  existing = await packageService(
    {
      existingUserPoolId: EXISTING_POOL_ID,
      preTokenLambdaVersion: "V3_0",
      authorizerCacheTtlSeconds: "120",
    },
    "existing",
  );
});

describe.each([
  ["stack-created pool", () => created],
  ["existing pool", () => existing],
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
    const expectedPool =
      template() === created
        ? { "Fn::GetAtt": ["UserPool", "Arn"] }
        : {
            "Fn::Sub": `arn:\${AWS::Partition}:cognito-idp:\${AWS::Region}:\${AWS::AccountId}:userpool/${EXISTING_POOL_ID}`,
          };

    // Act
    const permissions = ofType(active, "AWS::Lambda::Permission")
      .map(([, r]) => r.Properties ?? {})
      .filter((p) => p.Principal === "cognito-idp.amazonaws.com");

    // Assess
    for (const fn of TRIGGER_FUNCTIONS) {
      const mine = permissions.filter((p) => getAttTarget(p.FunctionName) === fn);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ Action: "lambda:InvokeFunction", SourceArn: expectedPool });
    }
    expect(permissions).toHaveLength(TRIGGER_FUNCTIONS.length);
  });

  test("no IAM statement grants a `*` action or a `*` resource", () => {
    // Prepare
    const active = activeResources(template());
    const iam = Object.entries(active).filter(([, r]) => r.Type.startsWith("AWS::IAM::"));

    // Act
    const wildcards = iam.flatMap(([id, resource]) =>
      statementsOf(resource)
        .filter(
          (s) =>
            actionsOf(s).some((a) => typeof a === "string" && (a === "*" || a.endsWith(":*"))) ||
            s.Resource === "*" ||
            (Array.isArray(s.Resource) && s.Resource.includes("*")),
        )
        .map((s) => `${id}: ${JSON.stringify(s)}`),
    );

    // Assess
    expect(iam.length).toBeGreaterThan(0);
    expect(wildcards).toEqual([]);
  });

  test("every function: its own role, arm64, at most 5 s, log retention", () => {
    // Prepare
    const active = activeResources(template());

    for (const name of Object.keys(FUNCTIONS)) {
      // Act
      const fn = active[lambdaId(name)];

      // Assess
      expect(fn?.Type).toBe("AWS::Lambda::Function");
      const props = fn?.Properties ?? {};
      expect(getAttTarget(props.Role)).toBe(
        `${lambdaId(name).replace(/LambdaFunction$/, "")}IamRoleLambdaExecution`,
      );
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
    expect(ttl).toBe(template() === created ? 300 : 120);
    const invokers = ofType(active, "AWS::Lambda::Permission").filter(
      ([, r]) =>
        getAttTarget(r.Properties?.FunctionName) === "AuthorizerLambdaFunction" &&
        r.Properties?.Principal === "apigateway.amazonaws.com",
    );
    expect(invokers).toHaveLength(1);
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

  test("an app client for SRP, custom auth and refresh, with the API scopes", () => {
    // Prepare
    const active = activeResources(created);

    // Act
    const client = active.UserPoolClient?.Properties ?? {};
    const server = active.ApiResourceServer?.Properties ?? {};

    // Assess
    expect([...(client.ExplicitAuthFlows as string[])].sort()).toEqual([
      "ALLOW_CUSTOM_AUTH",
      "ALLOW_REFRESH_TOKEN_AUTH",
      "ALLOW_USER_SRP_AUTH",
    ]);
    expect(client.GenerateSecret).toBe(false);
    expect(client.PreventUserExistenceErrors).toBe("ENABLED");
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(["api/read", "api/write"]));
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
    // Assess: the attach step reads the version from this output; the (inactive) pool
    // definition carries the same value, so both modes honour the parameter.
    expect(existing.Outputs?.PreTokenLambdaVersion?.Value).toBe("V3_0");
    const config = existing.Resources.UserPool?.Properties?.LambdaConfig as Record<string, unknown>;
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

  test("scripts/functions.ts lists exactly serverless.yml's functions and handlers", () => {
    // Prepare
    const doc = readServerlessYml(ROOT);

    // Act
    const declared = Object.fromEntries(
      Object.entries(doc.functions as Record<string, { handler: string }>).map(([name, fn]) => [
        name,
        fn.handler,
      ]),
    );

    // Assess
    expect(declared).toEqual({ ...FUNCTIONS });
  });

  test.each(Object.entries(FUNCTIONS))(
    "%s: `%s` resolves to an exported function",
    async (name, handler) => {
      // Prepare: the function's serverless.yml environment, as `npm run invoke` gives it.
      const { file, exportName } = splitHandler(handler);
      const saved = { ...process.env };
      Object.assign(process.env, localEnvironment(ROOT, name), { IS_LOCAL: "true" });

      try {
        // Act
        const mod = (await import(`${ROOT}/${file}`)) as Record<string, unknown>;

        // Assess
        expect(typeof mod[exportName]).toBe("function");
      } finally {
        process.env = saved;
      }
    },
  );
});
