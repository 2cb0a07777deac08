/**
 * `npm run demo`: the whole flow against the local stack, step by step.
 *
 * Uses the stack `npm run dev` is running (it writes `.local/stack.json`); when none is
 * running, starts one on free ports and stops it at the end. Steps: sign up through the
 * AWS SDK (PreSignUp), confirm with AdminConfirmSignUp (PostConfirmation: default group,
 * profile record), sign in with USER_PASSWORD_AUTH (PreTokenGeneration, V1 event in
 * cognito-local), print the enriched claims, call GET /hello with the access token (200),
 * without a token (401) and with a token lacking the route's scope (403: an admin-created
 * user, whom the post-authentication backstop provisions at the first sign-in, removed from
 * its groups), print the
 * profile record from the local table, and sign in as a legacy user the pool does not know
 * (UserMigration moves the user in). Exits 1 if any step does not give what it should.
 */
import { existsSync, readFileSync } from "node:fs";
import {
  connectLocalStack,
  isRunning,
  type LocalStack,
  STACK_FILE,
  type StackInfo,
  startLocalStack,
} from "./local-stack";
import {
  callHello,
  confirm,
  decodeClaims,
  describeUser,
  invocations,
  readProfile,
  signIn,
  signUp,
  tokenLackingScope,
} from "./local-steps";

/** A user of the local legacy users table (templates/user-migration/legacy-users.local.json). */
const LEGACY_EMAIL = "jane.doe@example.com";
const LEGACY_PASSWORD = "legacy-Passw0rd!";

let failures = 0;

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function show(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function expect(what: string, ok: boolean): void {
  process.stdout.write(`${ok ? "ok  " : "FAIL"} ${what}\n`);
  if (!ok) failures += 1;
}

/** True when the demo runs against `npm run dev`'s stack rather than one it started. */
let attached = false;

async function openStack(): Promise<LocalStack> {
  if (existsSync(STACK_FILE)) {
    const info = JSON.parse(readFileSync(STACK_FILE, "utf8")) as StackInfo;
    if (await isRunning(info)) {
      process.stdout.write(`Using the stack of \`npm run dev\` (${info.apiUrl})\n`);
      attached = true;
      return connectLocalStack(info);
    }
  }
  process.stdout.write("No `npm run dev` stack is running: starting one (about 10 s)...\n");
  return startLocalStack({ onProgress: (message) => process.stdout.write(`  ... ${message}\n`) });
}

async function main(): Promise<void> {
  const stack = await openStack();
  try {
    const email = `demo-${Date.now()}@example.com`;
    const password = "Demo-Passw0rd!";

    step(`1. Sign up ${email} (cognito-local runs PreSignUp)`);
    const signedUp = await signUp(stack, email, password);
    show(signedUp);
    expect("sign-up returned the user's sub", signedUp.userSub !== undefined);

    step("2. Confirm with AdminConfirmSignUp (cognito-local runs PostConfirmation)");
    await confirm(stack, email);
    const user = await describeUser(stack, email);
    show(user);
    expect("user is CONFIRMED", user.status === "CONFIRMED");

    step("3. Sign in with USER_PASSWORD_AUTH (cognito-local runs PreTokenGeneration)");
    const tokens = await signIn(stack, email, password);
    process.stdout.write("ID token claims:\n");
    show(decodeClaims(tokens.idToken));
    process.stdout.write("Access token claims:\n");
    show(decodeClaims(tokens.accessToken));
    expect("tokens issued", tokens.accessToken.length > 0 && tokens.idToken.length > 0);

    step("4. GET /hello with the access token");
    const allowed = await callHello(stack, tokens.accessToken);
    show(allowed);
    expect("200", allowed.status === 200);

    step("5. GET /hello without a token");
    const anonymous = await callHello(stack);
    show(anonymous);
    expect("401", anonymous.status === 401);

    step(
      "6. GET /hello with a token lacking the route's scope (an admin-created user: provisioned by the post-authentication backstop at the first sign-in, then removed from its groups)",
    );
    const lacking = await callHello(stack, await tokenLackingScope(stack, `outsider-${email}`));
    show(lacking);
    expect("403", lacking.status === 403);

    step(`7. The profile record in ${stack.profileTableName} (dynalite)`);
    const profile =
      signedUp.userSub === undefined ? undefined : await readProfile(stack, signedUp.userSub);
    show(profile ?? null);
    expect("profile record written by PostConfirmation", profile !== undefined);

    step(
      `8. Sign in as ${LEGACY_EMAIL}, a legacy user the pool does not know (cognito-local runs UserMigration)`,
    );
    const known = await describeUser(stack, LEGACY_EMAIL).then(
      () => true,
      () => false,
    );
    if (known) {
      process.stdout.write("(migrated by an earlier run: this sign-in goes through the pool)\n");
    }
    await signIn(stack, LEGACY_EMAIL, LEGACY_PASSWORD);
    const migrated = await describeUser(stack, LEGACY_EMAIL);
    show(migrated);
    expect(
      "user in the pool, CONFIRMED, email verified as in the legacy record",
      migrated.status === "CONFIRMED" && migrated.attributes.email_verified === "true",
    );

    // Counted from serverless-offline's output, which only a stack the demo started gives it.
    const invoked = invocations(stack);
    if (Object.keys(invoked).length > 0) {
      step("Functions serverless-offline ran (cognito-local called the triggers)");
      show(invoked);
    } else if (attached) {
      process.stdout.write(
        "\n(The functions' invocations are in `npm run dev`'s output: start it with DEV_VERBOSE=true to see them.)\n",
      );
    }
  } finally {
    await stack.stop();
  }
  process.stdout.write(failures === 0 ? "\nDemo complete.\n" : `\n${failures} step(s) failed.\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
