/**
 * `npm run attach-triggers -- --stage <stage> --pool <userPoolId> [options]`
 *
 * Deployment mode (b): after `serverless deploy --param="existingUserPoolId=<id>"`
 * (which creates the functions and the permissions for that pool), attach the triggers
 * to the pool with ONE UpdateUserPool call that keeps every other setting of the pool
 * (scripts/pool-triggers.ts). Needs AWS credentials with cognito-idp:DescribeUserPool,
 * cognito-idp:UpdateUserPool and lambda:GetFunction.
 *
 * Options:
 *   --pre-token-version V2_0|V3_0   the event version (default: serverless.yml's preTokenLambdaVersion)
 *   --region <region>               default: the pool id's prefix
 *   --detach                        remove this stage's triggers instead (before `serverless remove`)
 *   --replace                       overwrite triggers that hold other functions
 *   --dry-run                       print the UpdateUserPool request, change nothing
 */
import { resolve } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { readServerlessYml } from "./local-env";
import {
  PRE_TOKEN_FUNCTION,
  PRE_TOKEN_VERSIONS,
  type PreTokenVersion,
  TRIGGER_SLOTS,
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

function defaultVersion(): string {
  const doc = readServerlessYml(ROOT) as { params?: { default?: Record<string, unknown> } };
  return String(doc.params?.default?.preTokenLambdaVersion ?? "V2_0");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stage = option(args, "--stage") ?? fail("--stage is required");
  const userPoolId = option(args, "--pool") ?? fail("--pool <userPoolId> is required");
  const region = option(args, "--region") ?? userPoolId.split("_")[0] ?? "";
  const version = option(args, "--pre-token-version") ?? defaultVersion();
  if (!(PRE_TOKEN_VERSIONS as readonly string[]).includes(version)) {
    fail(`--pre-token-version must be one of ${PRE_TOKEN_VERSIONS.join(", ")}`);
  }

  const lambda = new LambdaClient({ region });
  const cognito = new CognitoIdentityProviderClient({ region });
  const functions: TriggerFunction[] = [...Object.values(TRIGGER_SLOTS), PRE_TOKEN_FUNCTION];
  const arns = {} as Record<TriggerFunction, string>;
  for (const fn of functions) {
    const name = `cognito-triggers-${stage}-${fn}`;
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const arn = out.Configuration?.FunctionArn;
    if (arn === undefined) fail(`function ${name} not found: deploy the stage first`);
    arns[fn] = arn;
  }
  const input = await updatePoolTriggers(cognito, {
    userPoolId,
    arns,
    version: version as PreTokenVersion,
    detach: args.includes("--detach"),
    replace: args.includes("--replace"),
    dryRun: args.includes("--dry-run"),
  });
  process.stdout.write(`${JSON.stringify(input.LambdaConfig, null, 2)}\n`);
  process.stdout.write(
    args.includes("--dry-run")
      ? "Dry run: nothing changed.\n"
      : `${args.includes("--detach") ? "Detached from" : "Attached to"} ${userPoolId}.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
