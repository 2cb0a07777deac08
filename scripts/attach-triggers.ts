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
  ALWAYS_WIRED,
  choosePreTokenVersion,
  type DeployedWiring,
  deployedOutputs,
  deployedWiring,
  OPT_IN,
  PRE_TOKEN_VERSION_OUTPUT,
  type PreTokenVersion,
  stackName,
  type TriggerArns,
  updatePoolTriggers,
} from "./pool-triggers";
import type { TriggerName } from "./registry";

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
  let wiring: DeployedWiring = { optIn: [] };
  if (!detach) {
    const cloudformation = new CloudFormationClient({ region });
    const outputs = await deployedOutputs(cloudformation, stackName(service, stage));
    const deployed = outputs[PRE_TOKEN_VERSION_OUTPUT];
    version = choosePreTokenVersion({ deployed, requested, force: command.force });
    wiring = deployedWiring(outputs);
  }

  const lambda = new LambdaClient({ region });
  const cognito = new CognitoIdentityProviderClient({ region });
  /** The function's ARN, or undefined when `optional` and it does not exist. */
  const arnOf = async (fn: TriggerName, optional: boolean): Promise<string | undefined> => {
    const name = `${service}-${stage}-${fn}`;
    try {
      const out = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      const arn = out.Configuration?.FunctionArn;
      if (arn !== undefined) return arn;
    } catch (error) {
      if (!(optional && error instanceof Error && error.name === "ResourceNotFoundException")) {
        throw error;
      }
    }
    if (optional) return undefined;
    fail(`function ${name} not found: deploy the stage first`);
  };
  const arns: Partial<Record<TriggerName, string>> = {};
  for (const fn of ALWAYS_WIRED) arns[fn] = await arnOf(fn, false);
  // An opt-in trigger: required when the stack turned it on; otherwise looked up only so that
  // a pool still naming it (stack redeployed with it off, or --detach) is cleared.
  for (const { name } of OPT_IN) {
    const arn = await arnOf(name, true);
    if (arn !== undefined) arns[name] = arn;
    else if (wiring.optIn.includes(name)) {
      fail(`function ${service}-${stage}-${name} not found: deploy the stage first`);
    }
  }
  const input = await updatePoolTriggers(cognito, {
    userPoolId,
    // Every always-wired ARN was set above (or the script failed).
    arns: arns as TriggerArns,
    version,
    optIn: wiring.optIn,
    ...(wiring.kmsKeyArn === undefined ? {} : { kmsKeyArn: wiring.kmsKeyArn }),
    // Only the triggers the stack wires (its `triggers` parameter); ours elsewhere are cleared.
    ...(wiring.wired === undefined ? {} : { wired: wiring.wired }),
    detach,
    replace: command.replace,
    dryRun,
  });
  process.stdout.write(`${JSON.stringify(input.LambdaConfig, null, 2)}\n`);
  process.stdout.write(
    dryRun
      ? "Dry run: nothing changed.\n"
      : `${detach ? "Detached from" : `Attached (${[version, ...wiring.optIn].join(", ")}) to`} ${userPoolId}.\n`,
  );
}

main().catch((error: unknown) => {
  const explained = explainAwsError(error);
  process.stderr.write(
    `${explained ?? (error instanceof Error ? error.message : String(error))}\n`,
  );
  process.exit(1);
});
