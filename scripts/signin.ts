/**
 * `npm run signin -- --flow passwordless|password-code --email <email> [options]`: try the
 * custom-auth sign-in flows against the local stack of `npm run dev`. cognito-local has no
 * CUSTOM_AUTH, so this command plays Cognito's part (scripts/custom-auth-emulator.ts) and calls
 * the deployed-shape functions through serverless-offline's Lambda endpoint.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { emulateCustomAuth, type PoolUser } from "./custom-auth-emulator";
import { isRunning, REGION, SERVICE, STACK_FILE, STAGE, type StackInfo } from "./local-stack";
import { codeFromOutbox } from "./outbox";

/** What `npm run signin -- --help` prints. */
export const SIGNIN_HELP = `Usage: npm run signin -- --flow passwordless|password-code --email <email> [options]

Signs in with the custom-auth functions (defineAuthChallenge, createAuthChallenge,
verifyAuthChallenge) of the local stack started by \`npm run dev\`.

This command EMULATES Cognito's orchestration: cognito-local has no CUSTOM_AUTH flow, so it
keeps the session and calls define, create and verify through serverless-offline's Lambda
endpoint the way Cognito does (the password step is checked by cognito-local's
USER_PASSWORD_AUTH, as Cognito checks the SRP proof). The functions are the real ones; the
orchestration is this script's, and the tokens Cognito would issue at the end are not issued.

Options:
  --flow passwordless|password-code   which flow (password-code needs --password)
  --email <email>                     the user (sign up and confirm first; an unknown user
                                      gets the pretend path, as Cognito does)
  --password <password>               for password-code
  --code <code>                       the first answer (to try a wrong one); then as below
  --code-from-outbox                  read each code from the stack's outbox instead of asking
  --help                              this text

Exit codes: 0 tokens would be issued; 1 the sign-in failed; 2 bad usage; 3 no local stack.
`;

interface SignInArgs {
  readonly flow: "passwordless" | "password-code";
  readonly email: string;
  readonly password?: string;
  readonly code?: string;
  readonly fromOutbox: boolean;
}

function usage(message: string): never {
  process.stderr.write(`${message} (see --help)\n`);
  process.exit(2);
}

/** Parse the command line; unknown arguments and missing values are refused. */
function parseArgs(argv: readonly string[]): SignInArgs | "help" {
  const values: Record<string, string> = {};
  let fromOutbox = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--code-from-outbox") fromOutbox = true;
    else if (["--flow", "--email", "--password", "--code"].includes(arg)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) usage(`${arg} needs a value`);
      values[arg] = value;
    } else usage(`unknown argument "${arg}"`);
  }
  const flow = values["--flow"];
  if (flow !== "passwordless" && flow !== "password-code") {
    usage("--flow must be passwordless or password-code");
  }
  const email = values["--email"] ?? usage("--email is required");
  const password = values["--password"];
  if (flow === "password-code" && password === undefined) usage("password-code needs --password");
  return {
    flow,
    email,
    ...(password === undefined ? {} : { password }),
    ...(values["--code"] === undefined ? {} : { code: values["--code"] }),
    fromOutbox,
  };
}

/** The stack `npm run dev` is running, or exit 3 saying so in one line. */
async function runningStack(): Promise<StackInfo> {
  let info: StackInfo | undefined;
  try {
    info = JSON.parse(readFileSync(STACK_FILE, "utf8")) as StackInfo;
  } catch {
    info = undefined;
  }
  if (info === undefined || !(await isRunning(info))) {
    process.stderr.write("No local stack is running: start it with `npm run dev` first.\n");
    process.exit(3);
  }
  return info;
}

/** Ask on the terminal (or read the next line of stdin). */
async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  process.stdout.write(question);
  try {
    const line = await new Promise<string>((ok, fail) => {
      rl.once("line", ok);
      rl.once("close", () => fail(new Error("no code given (stdin closed)")));
    });
    return line.trim();
  } finally {
    rl.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === "help") {
    process.stdout.write(SIGNIN_HELP);
    return;
  }
  const stack = await runningStack();
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const cognito = new CognitoIdentityProviderClient({
    region: REGION,
    credentials,
    endpoint: stack.cognitoUrl,
  });
  const lambda = new LambdaClient({ region: REGION, credentials, endpoint: stack.lambdaUrl });
  process.stdout.write(
    `Emulating Cognito's CUSTOM_AUTH orchestration (cognito-local has none): ${args.flow} for ${args.email}\n`,
  );

  let user: PoolUser | undefined;
  try {
    const found = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: args.email }),
    );
    user = {
      userName: found.Username ?? args.email,
      attributes: Object.fromEntries(
        (found.UserAttributes ?? []).map((a) => [a.Name ?? "", a.Value ?? ""]),
      ),
    };
    if (user.attributes.email_verified !== "true") {
      process.stdout.write(
        `  note: ${args.email} has no verified email, so the functions only pretend to send a code. ` +
          "cognito-local's ConfirmSignUp does not set email_verified (Cognito's does): " +
          `aws cognito-idp admin-update-user-attributes --user-pool-id ${stack.userPoolId} ` +
          `--username ${args.email} --user-attributes Name=email,Value=${args.email} Name=email_verified,Value=true\n`,
      );
    }
  } catch (error) {
    if ((error as Error).name !== "UserNotFoundException") throw error;
    process.stdout.write("  (no such user: Cognito asks the triggers to pretend)\n");
  }

  let started = Date.now();
  const outcome = await emulateCustomAuth(
    {
      flow: args.flow,
      userPoolId: stack.userPoolId,
      clientId: stack.clientId,
      region: REGION,
      username: args.email,
      user,
      ...(args.password === undefined ? {} : { password: args.password }),
    },
    {
      invoke: async (name, event) => {
        const out = await lambda.send(
          new InvokeCommand({
            FunctionName: `${SERVICE}-${STAGE}-${name}`,
            Payload: Buffer.from(JSON.stringify(event)),
          }),
        );
        const payload = out.Payload === undefined ? "null" : Buffer.from(out.Payload).toString();
        if (out.FunctionError !== undefined) {
          // What Cognito returns when a trigger throws; the function's message, never a secret.
          const message = (JSON.parse(payload) as { errorMessage?: string }).errorMessage;
          throw new Error(`${name} failed: ${message ?? out.FunctionError}`);
        }
        if (name === "createAuthChallenge") started = Math.min(started, Date.now());
        return JSON.parse(payload) as unknown;
      },
      checkPassword: async (password) => {
        try {
          await cognito.send(
            new InitiateAuthCommand({
              ClientId: stack.clientId,
              AuthFlow: "USER_PASSWORD_AUTH",
              AuthParameters: { USERNAME: args.email, PASSWORD: password },
            }),
          );
          return true;
        } catch (error) {
          const name = (error as Error).name;
          // cognito-local answers a wrong password with InvalidPasswordException.
          if (/^(NotAuthorized|UserNotFound|InvalidPassword)Exception$/.test(name)) return false;
          throw error;
        }
      },
      answer: async (hint, attempt) => {
        if (attempt === 1 && args.code !== undefined) {
          process.stdout.write("  answering with --code\n");
          return args.code;
        }
        if (args.fromOutbox) {
          const code = await codeFromOutbox(stack.outboxDir, args.email, started);
          process.stdout.write(`  read the code from ${stack.outboxDir}\n`);
          return code;
        }
        return prompt(`  Code sent to ${hint ?? "the user"} (see ${stack.outboxDir}): `);
      },
      onStep: (message) => process.stdout.write(`  ${message}\n`),
    },
  );
  cognito.destroy();
  lambda.destroy();
  if (outcome.kind === "tokens") {
    process.stdout.write(
      "Signed in: Cognito would now issue tokens (this emulation issues none; `npm run demo` shows cognito-local's tokens).\n",
    );
    return;
  }
  process.stdout.write(`Sign-in failed: ${outcome.reason}\n`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
