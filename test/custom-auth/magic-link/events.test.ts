/**
 * The magic-link sample events through the real function modules, configured as
 * `npm run invoke` configures them (serverless.yml environment, local mode) plus magic links
 * on for the sample client: the local key file, the local live-links file, the outbox. The
 * link create writes to the outbox signs the sample user in once through verify.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { localEnvironment } from "../../../scripts/local-env";
import { loadEvent } from "../../helpers/events";
import { type CapturedOutput, captureOutput } from "../../helpers/logs";

const ROOT = resolve(__dirname, "..", "..", "..");
type Handler = (event: unknown) => Promise<{ response: Record<string, unknown> }>;
const SAMPLE_CLIENT = "1example23456789abcdefghij";

let dir = "";
let output: CapturedOutput;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ml-events-"));
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  rmSync(dir, { recursive: true, force: true });
});

function magicLinkEnv(): Record<string, string> {
  return {
    IS_LOCAL: "true",
    LOCAL_AUTH_ATTEMPTS_FILE: join(dir, "attempts.json"),
    LOCAL_OUTBOX_DIR: join(dir, "outbox"),
    CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS: SAMPLE_CLIENT,
    CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "magic-links",
    CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "http://localhost:3000/sign-in/magic",
    LOCAL_MAGIC_LINK_KEY_FILE: join(dir, "key.pem"),
    LOCAL_MAGIC_LINK_FILE: join(dir, "links.json"),
  };
}

function loadFunction(name: string, file: string): Handler {
  const saved = { ...process.env };
  Object.assign(process.env, localEnvironment(ROOT, name), magicLinkEnv());
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

describe("magic-link sample events", () => {
  it("define custom-auth-define-magic-link-request: the link challenge follows the method round", async () => {
    const define = loadFunction("defineAuthChallenge", "define-auth-challenge.ts");

    const result = await define(loadEvent("custom-auth-define-magic-link-request.json"));

    expect(result.response).toEqual({
      challengeName: "CUSTOM_CHALLENGE",
      issueTokens: false,
      failAuthentication: false,
    });
  });

  it("create custom-auth-create-magic-link-request emails a link that signs in once through verify", async () => {
    // Prepare
    const create = loadFunction("createAuthChallenge", "create-auth-challenge.ts");
    const verify = loadFunction("verifyAuthChallenge", "verify-auth-challenge.ts");

    // Act
    const created = await create(loadEvent("custom-auth-create-magic-link-request.json"));
    const [file] = readdirSync(join(dir, "outbox"));
    const email = readFileSync(join(dir, "outbox", file ?? ""), "utf8");
    const token = /http:\/\/localhost:3000\/sign-in\/magic#([A-Za-z0-9_.-]+)/.exec(email)?.[1];
    const answer = loadEvent("custom-auth-verify-magic-link-wrong.json") as {
      request: { challengeAnswer: string };
    };
    answer.request.challengeAnswer = token ?? "";
    const first = await verify(structuredClone(answer));
    const second = await verify(structuredClone(answer));

    // Assess
    expect(created.response).toEqual({
      publicChallengeParameters: { challenge: "MAGIC_LINK", email: "j***@e***.com" },
      privateChallengeParameters: { kind: "magic-link" },
      challengeMetadata: "LINK1",
    });
    expect(email).toContain("To: jane.doe@example.com");
    expect(email).toContain("Subject: Your sign-in link");
    expect(token).toBeDefined();
    expect(first.response).toEqual({ answerCorrect: true });
    expect(second.response).toEqual({ answerCorrect: false });
    expect(output.text()).not.toContain(token);
  });

  it("verify custom-auth-verify-magic-link-wrong: a malformed link is a wrong answer", async () => {
    const verify = loadFunction("verifyAuthChallenge", "verify-auth-challenge.ts");

    const result = await verify(loadEvent("custom-auth-verify-magic-link-wrong.json"));

    expect(result.response).toEqual({ answerCorrect: false });
    expect(output.text()).toContain('"verdict":"malformed"');
  });
});
