/**
 * The local stack as a user drives it: `npm run dev` (scripts/dev.ts) with a function
 * configured from the command line, progress while it starts, a port in use named in one
 * line, and `npm run signin` (scripts/signin.ts) trying both custom-auth flows through
 * serverless-offline's Lambda endpoint, code prompted for or read from the outbox.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AdminUpdateUserAttributesCommand } from "@aws-sdk/client-cognito-identity-provider";
import { freePort, LocalStackStartError } from "../../scripts/local-engines";
import {
  connectLocalStack,
  type LocalStack,
  type StackInfo,
  startLocalStack,
} from "../../scripts/local-stack";
import { confirm, signUp } from "../../scripts/local-steps";
import { codeFromOutbox } from "../../scripts/outbox";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

jest.setTimeout(180_000);

async function ports(): Promise<NodeJS.ProcessEnv> {
  return {
    DEV_HTTP_PORT: String(await freePort()),
    DEV_LAMBDA_PORT: String(await freePort()),
    DEV_COGNITO_PORT: String(await freePort()),
    DEV_DYNAMO_PORT: String(await freePort()),
  };
}

describe("npm run dev: a port in use", () => {
  it("ends at once with one line naming the port, no hang", async () => {
    // Prepare: something already listens on the API port.
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, "127.0.0.1", () => ok()));
    const port = (busy.address() as { port: number }).port;
    const stackFile = join(mkdtempSync(join(tmpdir(), "dev-")), "stack.json");

    try {
      // Act
      const failure = run(TSX, ["scripts/dev.ts"], {
        cwd: ROOT,
        env: {
          ...process.env,
          ...(await ports()),
          DEV_HTTP_PORT: String(port),
          DEV_STACK_FILE: stackFile,
        },
        timeout: 60_000,
      });

      // Assess
      await expect(failure).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(
          new RegExp(`^local stack failed to start: port ${port} \\(http\\) is in use[^\\n]*\\n$`),
        ),
      });
    } finally {
      await new Promise<void>((ok) => busy.close(() => ok()));
    }
  });

  it("cognito-local failing to start: one line naming it, the services' output kept apart", async () => {
    // Prepare: a Node option every child Node process refuses (cognito-local starts first).
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = "--no-such-node-option";

    try {
      // Act
      const failure = startLocalStack().then(
        () => undefined,
        (error: unknown) => error,
      );

      // Assess
      const error = (await failure) as LocalStackStartError;
      expect(error).toBeInstanceOf(LocalStackStartError);
      expect(error.message).toMatch(
        /^local stack failed to start: cognito-local exited \(code \d+/,
      );
      expect(error.message).not.toContain("\n");
      expect(error.output).toContain("--no-such-node-option");
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });

  it("--param with a name serverless.yml does not declare is refused before anything starts", async () => {
    await expect(
      run(TSX, ["scripts/dev.ts", "--param", "preSignupDeniedDomains=example.com"], {
        cwd: ROOT,
        env: { ...process.env, ...(await ports()) },
      }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '"preSignupDeniedDomains" is not a parameter of serverless.yml',
      ),
    });
  });
});

describe("npm run dev with configuration, then npm run signin", () => {
  let dev: ChildProcess;
  let printed = "";
  let stackFile: string;
  let stack: LocalStack;
  const email = "signin.user@example.org";
  const password = "Signin-Passw0rd!";

  function signin(args: string[], input?: string) {
    const child = run(TSX, ["scripts/signin.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DEV_STACK_FILE: stackFile },
    });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return child;
  }

  beforeAll(async () => {
    stackFile = join(mkdtempSync(join(tmpdir(), "dev-")), "stack.json");
    dev = spawn(TSX, ["scripts/dev.ts", "--param", "preSignUpDeniedDomains=example.com"], {
      cwd: ROOT,
      env: { ...process.env, ...(await ports()), DEV_STACK_FILE: stackFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    dev.stdout?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    dev.stderr?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const deadline = Date.now() + 120_000;
    while (!/Ctrl-C stops everything/.test(printed)) {
      if (dev.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm run dev: ${printed}`);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    stack = connectLocalStack(JSON.parse(readFileSync(stackFile, "utf8")) as StackInfo);
  });

  afterAll(async () => {
    await stack?.stop();
    if (dev !== undefined && dev.exitCode === null) {
      const exited = new Promise((ok) => dev.once("exit", ok));
      dev.kill("SIGTERM");
      await exited;
    }
  });

  it("prints what it is waiting for while it starts, and which parameters it passed (not their values)", () => {
    expect(printed).toContain("... cognito-local: waiting for http://127.0.0.1:");
    expect(printed).toContain("... serverless-offline: bundling the functions with esbuild");
    expect(printed).toContain("parameter preSignUpDeniedDomains (from --param)");
    expect(printed).not.toContain("preSignUpDeniedDomains=example.com");
  });

  it("the deny-list given with --param reaches preSignUp: denied@example.com cannot sign up", async () => {
    await expect(signUp(stack, "denied@example.com", password)).rejects.toMatchObject({
      name: "UserLambdaValidationException",
    });
    await expect(signUp(stack, email, password)).resolves.toMatchObject({
      userSub: expect.any(String),
    });
    await confirm(stack, email);
    // What Cognito's ConfirmSignUp does and cognito-local's does not (signin says so).
    await stack.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.userPoolId,
        Username: email,
        // cognito-local wants the email beside email_verified.
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
  });

  it("signin --help says plainly that it emulates Cognito's orchestration", async () => {
    const { stdout } = await signin(["--help"]);
    expect(stdout).toContain("EMULATES Cognito's orchestration");
  });

  it("passwordless, code read from the outbox: tokens would be issued", async () => {
    const { stdout } = await signin([
      "--flow",
      "passwordless",
      "--email",
      email,
      "--code-from-outbox",
    ]);
    expect(stdout).toContain("Emulating Cognito's CUSTOM_AUTH orchestration");
    expect(stdout).toContain("createAuthChallenge: code sent to");
    expect(stdout).toContain("verifyAuthChallenge: answer correct");
    expect(stdout).toContain("Signed in: Cognito would now issue tokens");
    // The code itself is never printed.
    const code = await codeFromOutbox(stack.outboxDir, email, 0);
    expect(stdout).not.toContain(code);
  });

  it("password + code, a wrong code first, then the code typed at the prompt (the same code, reused)", async () => {
    // Act: the right code is answered on stdin after the wrong --code.
    const since = Date.now();
    const pending = signin([
      "--flow",
      "password-code",
      "--email",
      email,
      "--password",
      password,
      "--code",
      "000000",
    ]);
    const code = await codeFromOutbox(stack.outboxDir, email, since);
    pending.child.stdin?.end(`${code}\n`);
    const { stdout } = await pending;

    // Assess
    expect(stdout).toContain("Cognito checks the password: correct");
    expect(stdout).toContain("verifyAuthChallenge: answer wrong");
    expect(stdout).toMatch(/Code sent to .* \(see .*outbox\): /);
    expect(stdout).toContain("verifyAuthChallenge: answer correct");
    expect(stdout).toContain("Signed in");
  });

  it("password + code with a wrong password fails as Cognito answers, exit code 1", async () => {
    await expect(
      signin([
        "--flow",
        "password-code",
        "--email",
        email,
        "--password",
        "wrong-Passw0rd!",
        "--code-from-outbox",
      ]),
    ).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining(
        "Sign-in failed: NotAuthorizedException: Incorrect username or password.",
      ),
    });
  });

  it("with no stack running: one line and exit code 3", async () => {
    await expect(
      run(TSX, ["scripts/signin.ts", "--flow", "passwordless", "--email", email], {
        cwd: ROOT,
        env: { ...process.env, DEV_STACK_FILE: join(tmpdir(), "no-such-stack.json") },
      }),
    ).rejects.toMatchObject({
      code: 3,
      stderr: "No local stack is running: start it with `npm run dev` first.\n",
    });
    expect(existsSync(stackFile)).toBe(true);
  });
});
