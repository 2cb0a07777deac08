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
  ALWAYS_WIRED,
  choosePreTokenVersion,
  type DeployedWiring,
  deployedOutputs,
  deployedWiring,
  OPT_IN,
  PRE_TOKEN_VERSION_OUTPUT,
  PRE_TOKEN_VERSIONS,
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
  let wiring: DeployedWiring = { optIn: [] };
  if (!detach) {
    const cloudformation = new CloudFormationClient({ region });
    const outputs = await deployedOutputs(cloudformation, stackName(service, stage));
    const deployed = outputs[PRE_TOKEN_VERSION_OUTPUT];
    version = choosePreTokenVersion({ deployed, requested, force: args.includes("--force") });
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
    detach,
    replace: args.includes("--replace"),
    dryRun: args.includes("--dry-run"),
  });
  process.stdout.write(`${JSON.stringify(input.LambdaConfig, null, 2)}\n`);
  process.stdout.write(
    args.includes("--dry-run")
      ? "Dry run: nothing changed.\n"
      : `${detach ? "Detached from" : `Attached (${[version, ...wiring.optIn].join(", ")}) to`} ${userPoolId}.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
