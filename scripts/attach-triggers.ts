/**
 * `npm run attach-triggers -- --stage <stage> --pool <userPoolId> [options]`: attach this
 * stage's triggers to an existing pool, or detach them, with ONE UpdateUserPool call
 * (scripts/pool-triggers.ts). Options and help text: scripts/attach-args.ts (`--help`).
 * The post-authentication backstop and the custom email sender are attached only when the
 * stack was deployed with them on (its outputs), and taken off the pool otherwise.
 */
import { resolve } from "node:path";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ATTACH_HELP, explainAwsError, parseAttachArgs, UsageError } from "./attach-args";
import { readServerlessYml } from "./local-env";
import {
  CUSTOM_EMAIL_SENDER_FUNCTION,
  choosePreTokenVersion,
  deployedBackstop,
  deployedCustomEmailSender,
  deployedOutputs,
  POST_AUTHENTICATION_FUNCTION,
  PRE_TOKEN_FUNCTION,
  PRE_TOKEN_VERSION_OUTPUT,
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

/** serverless.yml's `service`: the prefix of the stack and function names. */
function serviceName(): string {
  const service = (readServerlessYml(ROOT) as { service?: unknown }).service;
  if (typeof service !== "string" || /\$\{/.test(service)) {
    fail("serverless.yml's `service` must be a plain string");
  }
  return service;
}

async function main(): Promise<void> {
  let command: ReturnType<typeof parseAttachArgs>;
  try {
    command = parseAttachArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
  if (command.kind === "help") {
    process.stdout.write(ATTACH_HELP);
    return;
  }
  const { stage, userPoolId, region, detach, dryRun } = command;
  const requested = command.preTokenVersion;
  const service = serviceName();

  // The version the stack was deployed with, not serverless.yml's default (which a deploy
  // with --param=preTokenLambdaVersion=... overrides). Detaching needs none.
  let version: PreTokenVersion | undefined;
  let backstop = false;
  let outputs: Record<string, string> = {};
  if (!detach) {
    const cloudformation = new CloudFormationClient({ region });
    outputs = await deployedOutputs(cloudformation, stackName(service, stage));
    const deployed = outputs[PRE_TOKEN_VERSION_OUTPUT];
    version = choosePreTokenVersion({ deployed, requested, force: command.force });
    backstop = deployedBackstop(outputs);
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
    ...(customEmailSender ? { customEmailSender } : {}),
    detach,
    replace: command.replace,
    dryRun,
  });
  process.stdout.write(`${JSON.stringify(input.LambdaConfig, null, 2)}\n`);
  process.stdout.write(
    dryRun
      ? "Dry run: nothing changed.\n"
      : `${detach ? "Detached from" : `Attached (${version}${backstop ? ", backstop" : ""}${customEmailSender ? ", custom email sender" : ""}) to`} ${userPoolId}.\n`,
  );
}

main().catch((error: unknown) => {
  const explained = explainAwsError(error);
  process.stderr.write(
    `${explained ?? (error instanceof Error ? error.message : String(error))}\n`,
  );
  process.exit(1);
});
