/**
 * `npm run attach-triggers -- --stage <stage> --pool <userPoolId> [options]`
 *
 * Deployment mode (b): after `serverless deploy --param="existingUserPoolId=<id>"`
 * (which creates the functions and the permissions for that pool), attach the triggers
 * to the pool with ONE UpdateUserPool call that keeps every other setting of the pool
 * (scripts/pool-triggers.ts). Either mode: `--detach` before `serverless remove`.
 * The post-authentication backstop is attached only when the stack was deployed with
 * `postAuthenticationBackstop=true` (its PostAuthenticationBackstop output), and taken off
 * the pool when it was deployed without it.
 * Needs AWS credentials with cognito-idp:DescribeUserPool, cognito-idp:UpdateUserPool,
 * lambda:GetFunction and (to attach) cloudformation:DescribeStacks.
 *
 * Options:
 *   --pre-token-version V2_0|V3_0   the event version. Default: the deployed stack's
 *                                   PreTokenLambdaVersion output (the preTokenLambdaVersion
 *                                   parameter it was deployed with); a different value is
 *                                   refused unless --force
 *   --force                         attach with --pre-token-version even if the stack differs
 *   --region <region>               default: the pool id's prefix
 *   --detach                        remove this stage's triggers instead (before `serverless remove`)
 *   --replace                       overwrite triggers that hold other functions
 *   --dry-run                       print the UpdateUserPool request, change nothing
 */
import { resolve } from "node:path";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { readServerlessYml } from "./local-env";
import {
  CUSTOM_EMAIL_SENDER_FUNCTION,
  choosePreTokenVersion,
  deployedBackstop,
  deployedCustomEmailSender,
  deployedOutputs,
  deployedWiredFunctions,
  POST_AUTHENTICATION_FUNCTION,
  PRE_TOKEN_FUNCTION,
  PRE_TOKEN_VERSION_OUTPUT,
  PRE_TOKEN_VERSIONS,
  type PreTokenVersion,
  stackName,
  TRIGGER_SLOTS,
  type TriggerArns,
  type TriggerFunction,
  updatePoolTriggers,
} from "./pool-triggers";

const ROOT = resolve(__dirname, "..");

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) fail(`${name} needs a value`);
  return value;
}

/** serverless.yml's `service`: the prefix of the stack and function names. */
function serviceName(): string {
  const service = (readServerlessYml(ROOT) as { service?: unknown }).service;
  if (typeof service !== "string" || /\$\{/.test(service)) {
    fail("serverless.yml's `service` must be a plain string");
  }
  return service;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stage = option(args, "--stage") ?? fail("--stage is required");
  const userPoolId = option(args, "--pool") ?? fail("--pool <userPoolId> is required");
  const region = option(args, "--region") ?? userPoolId.split("_")[0] ?? "";
  const requested = option(args, "--pre-token-version");
  if (requested !== undefined && !(PRE_TOKEN_VERSIONS as readonly string[]).includes(requested)) {
    fail(`--pre-token-version must be one of ${PRE_TOKEN_VERSIONS.join(", ")}`);
  }
  const detach = args.includes("--detach");
  const service = serviceName();

  // The version the stack was deployed with, not serverless.yml's default (which a deploy
  // with --param=preTokenLambdaVersion=... overrides). Detaching needs none.
  let version: PreTokenVersion | undefined;
  let backstop = false;
  let wired: Set<string> | undefined;
  let outputs: Record<string, string> = {};
  if (!detach) {
    const cloudformation = new CloudFormationClient({ region });
    outputs = await deployedOutputs(cloudformation, stackName(service, stage));
    const deployed = outputs[PRE_TOKEN_VERSION_OUTPUT];
    version = choosePreTokenVersion({ deployed, requested, force: args.includes("--force") });
    backstop = deployedBackstop(outputs);
    // Only the triggers the stack wires (its `triggers` parameter); ours elsewhere are cleared.
    wired = deployedWiredFunctions(outputs);
  }

  const lambda = new LambdaClient({ region });
  const cognito = new CognitoIdentityProviderClient({ region });
  const functions: TriggerFunction[] = [...Object.values(TRIGGER_SLOTS), PRE_TOKEN_FUNCTION];
  const arns = {} as Record<TriggerFunction, string>;
  for (const fn of functions) {
    const name = `${service}-${stage}-${fn}`;
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const arn = out.Configuration?.FunctionArn;
    if (arn === undefined) fail(`function ${name} not found: deploy the stage first`);
    arns[fn] = arn;
  }
  // The backstop function: required when the stack attaches it; otherwise looked up only so
  // that a pool still naming it (stack redeployed without it, or --detach) is cleared.
  const backstopName = `${service}-${stage}-${POST_AUTHENTICATION_FUNCTION}`;
  let backstopArn: string | undefined;
  try {
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: backstopName }));
    backstopArn = out.Configuration?.FunctionArn;
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
  }
  if (backstop && backstopArn === undefined) {
    fail(`function ${backstopName} not found: deploy the stage first`);
  }
  // The custom email sender likewise: attached (with the stack's key) only when deployed on.
  let senderArn: string | undefined;
  try {
    const name = `${service}-${stage}-${CUSTOM_EMAIL_SENDER_FUNCTION}`;
    senderArn = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration
      ?.FunctionArn;
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
  }
  const customEmailSender = deployedCustomEmailSender(outputs, senderArn);
  const allArns: TriggerArns = {
    ...arns,
    ...(backstopArn === undefined ? {} : { [POST_AUTHENTICATION_FUNCTION]: backstopArn }),
    ...(senderArn === undefined ? {} : { [CUSTOM_EMAIL_SENDER_FUNCTION]: senderArn }),
  };
  const input = await updatePoolTriggers(cognito, {
    userPoolId,
    arns: allArns,
    version,
    backstop,
    ...(wired ? { wired } : {}),
    ...(customEmailSender ? { customEmailSender } : {}),
    detach,
    replace: args.includes("--replace"),
    dryRun: args.includes("--dry-run"),
  });
  process.stdout.write(`${JSON.stringify(input.LambdaConfig, null, 2)}\n`);
  process.stdout.write(
    args.includes("--dry-run")
      ? "Dry run: nothing changed.\n"
      : `${detach ? "Detached from" : `Attached (${version}${backstop ? ", backstop" : ""}${customEmailSender ? ", custom email sender" : ""}) to`} ${userPoolId}.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
