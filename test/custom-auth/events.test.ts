/**
 * The sample events through the real function modules, configured exactly as
 * `npm run invoke` configures them (serverless.yml environment, local mode), with
 * the responses docs/custom-auth.md documents. Also checks the serverless.yml wiring.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { localEnvironment, readServerlessYml } from "../../scripts/local-env";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

const ROOT = resolve(__dirname, "..", "..");
type Handler = (event: unknown) => Promise<{ response: Record<string, unknown> }>;

// The local stand-in of the attempts table, one per test (never the repository's .local/):
// wrong answers in one test must not lock the sample user out in the next.
let attemptsFile = "";

function loadFunction(name: string, file: string, extraEnv: Record<string, string> = {}): Handler {
  const saved = { ...process.env };
  Object.assign(
    process.env,
    localEnvironment(ROOT, name),
    { IS_LOCAL: "true", LOCAL_AUTH_ATTEMPTS_FILE: attemptsFile },
    extraEnv,
  );
  let handler: Handler | undefined;
  try {
    jest.isolateModules(() => {
      handler = (require(join(ROOT, "functions", file)) as { handler: Handler }).handler;
    });
  } finally {
    process.env = saved;
  }
  return handler as Handler;
}

// The sample events' app client, opted into both flows the way docs/custom-auth.md tells
// readers to run them (passwordless is a per-client opt-in; the default is password-code only).
const SAMPLE_CLIENT = "1example23456789abcdefghij";
const OPT_IN = {
  CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: SAMPLE_CLIENT,
  CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: SAMPLE_CLIENT,
};

const DEFINE: Record<string, Record<string, unknown>> = {
  "custom-auth-define-start": {
    challengeName: "CUSTOM_CHALLENGE",
    issueTokens: false,
    failAuthentication: false,
  },
  "custom-auth-define-wrong-once": {
    challengeName: "CUSTOM_CHALLENGE",
    issueTokens: false,
    failAuthentication: false,
  },
  "custom-auth-define-correct": { issueTokens: true, failAuthentication: false },
  "custom-auth-define-three-wrong": { issueTokens: false, failAuthentication: true },
  "custom-auth-define-srp-start": {
    challengeName: "PASSWORD_VERIFIER",
    issueTokens: false,
    failAuthentication: false,
  },
  "custom-auth-define-password-ok": {
    challengeName: "CUSTOM_CHALLENGE",
    issueTokens: false,
    failAuthentication: false,
  },
  "custom-auth-define-password-wrong": { issueTokens: false, failAuthentication: true },
  "custom-auth-define-password-code-correct": { issueTokens: true, failAuthentication: false },
  "custom-auth-define-out-of-order": { issueTokens: false, failAuthentication: true },
  "custom-auth-define-user-not-found": {
    challengeName: "CUSTOM_CHALLENGE",
    issueTokens: false,
    failAuthentication: false,
  },
};

const VERIFY: Record<string, boolean> = {
  "custom-auth-verify-correct": true,
  "custom-auth-verify-wrong": false,
  "custom-auth-verify-expired": false,
  "custom-auth-verify-malformed": false,
  "custom-auth-verify-user-not-found": false,
};

describe("sample events through the function modules (as npm run invoke runs them)", () => {
  let output: CapturedOutput;
  let outbox: string;
  let attemptsDir: string;
  beforeEach(() => {
    output = captureOutput();
    outbox = mkdtempSync(join(tmpdir(), "custom-auth-events-"));
    attemptsDir = mkdtempSync(join(tmpdir(), "custom-auth-attempts-"));
    attemptsFile = join(attemptsDir, "attempts.json");
  });
  afterEach(() => {
    output.restore();
    rmSync(outbox, { recursive: true, force: true });
    rmSync(attemptsDir, { recursive: true, force: true });
  });

  it("covers every sample event of the area", () => {
    const files = readdirSync(join(ROOT, "events")).filter((f) => f.startsWith("custom-auth-"));
    const create = ["first", "retry", "password-code", "user-not-found"].map(
      (n) => `custom-auth-create-${n}.json`,
    );
    // The magic-link events run in test/custom-auth/magic-link/events.test.ts.
    create.push(
      "custom-auth-define-magic-link-request.json",
      "custom-auth-create-magic-link-request.json",
      "custom-auth-verify-magic-link-wrong.json",
    );
    const known = [...Object.keys(DEFINE), ...Object.keys(VERIFY)]
      .map((n) => `${n}.json`)
      .concat(create);
    expect(files.sort()).toEqual(known.sort());
  });

  it.each(Object.entries(DEFINE))("define %s", async (name, expected) => {
    const handler = loadFunction("defineAuthChallenge", "define-auth-challenge.ts", OPT_IN);

    const result = await handler(loadEvent(name));

    expect(result.response).toEqual(expected);
  });

  it("define without the opt-in (default flows): passwordless refused, password-code runs", async () => {
    // Empty, as serverless.yml passes an unset parameter: the code default applies.
    const handler = loadFunction("defineAuthChallenge", "define-auth-challenge.ts", {
      CUSTOM_AUTH_DEFAULT_FLOWS: "",
      CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: "",
      CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: "",
    });

    const start = await handler(loadEvent("custom-auth-define-start"));
    const correct = await handler(loadEvent("custom-auth-define-correct"));
    const srpStart = await handler(loadEvent("custom-auth-define-srp-start"));

    expect(start.response).toEqual({ issueTokens: false, failAuthentication: true });
    expect(correct.response).toEqual({ issueTokens: false, failAuthentication: true });
    expect(srpStart.response).toEqual(DEFINE["custom-auth-define-srp-start"]);
  });

  it.each(Object.entries(VERIFY))("verify %s -> %s", async (name, expected) => {
    const handler = loadFunction("verifyAuthChallenge", "verify-auth-challenge.ts");

    const result = await handler(loadEvent(name));

    expect(result.response).toEqual({ answerCorrect: expected });
  });

  it.each(["custom-auth-create-first", "custom-auth-create-password-code"])(
    "create %s writes the email (with the code) to the local outbox only",
    async (name) => {
      const handler = loadFunction("createAuthChallenge", "create-auth-challenge.ts", {
        LOCAL_OUTBOX_DIR: outbox,
      });

      const result = await handler(loadEvent(name));

      expect(result.response.publicChallengeParameters).toEqual({ email: "j***@e***.com" });
      const files = readdirSync(outbox);
      expect(files).toHaveLength(1);
      const email = readFileSync(join(outbox, files[0] as string), "utf8");
      const code = /is (\d{6})\./.exec(email)?.[1];
      expect(email).toContain("To: jane.doe@example.com");
      expect(code).toMatch(/^\d{6}$/);
      expect(output.text()).not.toContain(code);
      expect(JSON.stringify(result.response)).not.toContain(code);
    },
  );

  it("create custom-auth-create-retry reuses the carried code and sends nothing", async () => {
    const handler = loadFunction("createAuthChallenge", "create-auth-challenge.ts", {
      LOCAL_OUTBOX_DIR: outbox,
    });
    const event = loadEvent<{ request: { session: { challengeMetadata: string }[] } }>(
      "custom-auth-create-retry",
    );

    const result = await handler(event);

    expect(result.response.challengeMetadata).toBe(event.request.session[0]?.challengeMetadata);
    expect(readdirSync(outbox)).toHaveLength(0);
  });

  it("create custom-auth-create-user-not-found pretends: same shape, nothing sent", async () => {
    const handler = loadFunction("createAuthChallenge", "create-auth-challenge.ts", {
      LOCAL_OUTBOX_DIR: outbox,
      CUSTOM_AUTH_PRETEND_DELAY_MS: "0",
    });

    const result = await handler(loadEvent("custom-auth-create-user-not-found"));

    expect(result.response.publicChallengeParameters).toEqual({ email: "n***@e***.net" });
    expect(Object.keys(result.response.privateChallengeParameters as object)).toHaveLength(4);
    expect(readdirSync(outbox)).toHaveLength(0);
  });

  it("the local sender prints to stderr when no outbox directory is set", async () => {
    const handler = loadFunction("createAuthChallenge", "create-auth-challenge.ts");

    await handler(loadEvent("custom-auth-create-first"));

    expect(output.text()).toMatch(
      /----- local email \(not sent\) -----[\s\S]*Your sign-in code is \d{6}\./,
    );
  });
});

// A serverless.yml variable reference (the escaped brace keeps it a literal, not a placeholder).
const slsParam = (name: string): string => `$\{param:${name}}`;

describe("serverless.yml wiring", () => {
  const doc = readServerlessYml(ROOT) as {
    functions: Record<
      string,
      { iamRoleStatements: unknown[]; environment: Record<string, unknown> }
    >;
  };

  // arn:<partition>:ses:<region>:<account>:<resource>, as serverless.yml builds it with Refs.
  const sesArn = (resource: string) => ({
    "Fn::Join": [
      "",
      [
        "arn:",
        { Ref: "AWS::Partition" },
        ":ses:",
        { Ref: "AWS::Region" },
        ":",
        { Ref: "AWS::AccountId" },
        `:${resource}`,
      ],
    ],
  });
  const identityArn = sesArn(`identity/${slsParam("customAuthSenderIdentity")}`);
  const fromCondition = {
    StringEquals: { "ses:FromAddress": slsParam("customAuthFromAddress") },
  };

  it("lets only createAuthChallenge send email, from the sender identity and address", () => {
    const fns = doc.functions;
    // The statement before and after the configuration-set wiring of docs/custom-auth.md
    // (the set's ARN joins the resources only when customAuthSesConfigurationSet is set).
    const identityOnly = { Effect: "Allow", Action: "ses:SendEmail", Resource: identityArn };
    const withConfigurationSet = {
      Effect: "Allow",
      Action: "ses:SendEmail",
      Resource: [
        identityArn,
        {
          "Fn::If": [
            "HasSesConfigurationSet",
            sesArn(`configuration-set/${slsParam("customAuthSesConfigurationSet")}`),
            { Ref: "AWS::NoValue" },
          ],
        },
      ],
    };

    const create = fns.createAuthChallenge?.iamRoleStatements ?? [];
    const ses = create.filter((s) => JSON.stringify(s).includes("ses:"));

    expect(fns.defineAuthChallenge?.iamRoleStatements).toEqual([]);
    expect(JSON.stringify(fns.verifyAuthChallenge?.iamRoleStatements)).not.toContain("ses:");
    expect(ses).toHaveLength(1);
    expect([
      { ...identityOnly, Condition: fromCondition },
      { ...withConfigurationSet, Condition: fromCondition },
    ]).toContainEqual(ses[0]);
  });

  it("lockout: create may only read, verify only count and clear, on the attempts table alone", () => {
    // The YAML short form, as readServerlessYml parses `!GetAtt CustomAuthAttemptsTable.Arn`.
    const table = { "Fn::GetAtt": "CustomAuthAttemptsTable.Arn" };
    const fns = doc.functions;
    const dynamo = (name: string) =>
      (fns[name]?.iamRoleStatements ?? []).filter((s) => JSON.stringify(s).includes("dynamodb:"));

    expect(dynamo("createAuthChallenge")).toEqual([
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: table },
    ]);
    expect(fns.verifyAuthChallenge?.iamRoleStatements).toEqual([
      { Effect: "Allow", Action: ["dynamodb:UpdateItem", "dynamodb:DeleteItem"], Resource: table },
    ]);
    expect(dynamo("defineAuthChallenge")).toEqual([]);
  });

  it("lockout: create and verify get the same table, threshold and window", () => {
    const keys = [
      "CUSTOM_AUTH_ATTEMPTS_TABLE_NAME",
      "CUSTOM_AUTH_LOCKOUT_THRESHOLD",
      "CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS",
    ];
    const pick = (name: string) => {
      const env = localEnvironment(ROOT, name);
      return keys.map((key) => env[key]);
    };

    expect(pick("createAuthChallenge")).toEqual([
      "cognito-triggers-dev-custom-auth-attempts",
      "10",
      "900",
    ]);
    expect(pick("verifyAuthChallenge")).toEqual(pick("createAuthChallenge"));
  });

  it("gives the three triggers the same eligibility setting", () => {
    const values = ["defineAuthChallenge", "createAuthChallenge", "verifyAuthChallenge"].map(
      (name) => localEnvironment(ROOT, name).CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL,
    );
    expect(values).toEqual(["true", "true", "true"]);
  });
});
