/**
 * Command line of `npm run attach-triggers`: its help text and a parser that refuses what it
 * does not know and checks the ids locally, so a typo never reaches AWS.
 */
import { PRE_TOKEN_VERSIONS, type PreTokenVersion } from "./pool-triggers";

/** What `npm run attach-triggers -- --help` prints. */
export const ATTACH_HELP = `Usage: npm run attach-triggers -- --stage <stage> --pool <userPoolId> [options]

Attach this service's deployed triggers to an existing user pool (deployment mode (b), after
\`serverless deploy --param="existingUserPoolId=<id>"\`), or detach them, with ONE UpdateUserPool
call that keeps every other setting of the pool.

Options:
  --stage <stage>                 the deployed stage whose functions are attached (required)
  --pool <userPoolId>             the user pool id, e.g. eu-west-1_AbCdEf123 (required)
  --region <region>               default: the pool id's prefix
  --pre-token-version V2_0|V3_0   the pre-token event version. Default: the deployed stack's
                                  PreTokenLambdaVersion output; a different value is refused
                                  unless --force
  --force                         attach with --pre-token-version even if the stack differs
  --detach                        remove this stage's triggers instead (before \`serverless remove\`)
  --replace                       overwrite triggers that hold other functions
  --dry-run                       print the UpdateUserPool request, change nothing (it still
                                  reads the pool, the stack and the functions: credentials needed)
  --help                          this text

Needs AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) allowing
cognito-idp:DescribeUserPool, cognito-idp:UpdateUserPool, lambda:GetFunction and (to attach)
cloudformation:DescribeStacks.
`;

/** A command line that cannot be run: the message says what is wrong (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The parsed options of a run. */
export interface AttachOptions {
  readonly stage: string;
  readonly userPoolId: string;
  readonly region: string;
  readonly preTokenVersion?: PreTokenVersion;
  readonly force: boolean;
  readonly detach: boolean;
  readonly replace: boolean;
  readonly dryRun: boolean;
}

/** What the command line asks for: the help text, or a run. */
export type AttachCommand = { readonly kind: "help" } | ({ readonly kind: "run" } & AttachOptions);

const VALUE_FLAGS = ["--stage", "--pool", "--region", "--pre-token-version"] as const;
const SWITCHES = ["--force", "--detach", "--replace", "--dry-run", "--help", "-h"] as const;

/** Cognito's user pool id: `<region>_<id>` (the API's pattern is `[\w-]+_[0-9a-zA-Z]+`). */
const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9a-zA-Z]+$/;
/** An AWS region name such as eu-west-1 or us-gov-west-1. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** A serverless stage: the part of the function names between service and function. */
const STAGE = /^[a-zA-Z0-9-]+$/;

/**
 * Parse `argv` (the arguments after the script name). Throws a `UsageError` for an unknown
 * flag, a flag without its value, a missing required flag or an id of the wrong shape.
 */
export function parseAttachArgs(argv: readonly string[]): AttachCommand {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    if ((VALUE_FLAGS as readonly string[]).includes(flag as string)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "" || value.startsWith("--")) {
        throw new UsageError(`${flag} needs a value`);
      }
      if (values.has(flag as string)) throw new UsageError(`${flag} given twice`);
      values.set(flag as string, value);
    } else if ((SWITCHES as readonly string[]).includes(arg)) {
      switches.add(arg);
    } else {
      throw new UsageError(`unknown argument "${arg}" (see --help)`);
    }
  }
  if (switches.has("--help") || switches.has("-h")) return { kind: "help" };

  const stage = values.get("--stage") ?? missing("--stage <stage>");
  if (!STAGE.test(stage)) throw new UsageError(`--stage "${stage}" is not a stage name`);
  const userPoolId = values.get("--pool") ?? missing("--pool <userPoolId>");
  const poolRegion = POOL_ID.exec(userPoolId)?.[1];
  if (poolRegion === undefined) {
    throw new UsageError(
      `--pool "${userPoolId}" is not a user pool id (<region>_<id>, e.g. eu-west-1_AbCdEf123)`,
    );
  }
  const region = values.get("--region") ?? poolRegion;
  if (!REGION.test(region)) throw new UsageError(`--region "${region}" is not a region name`);
  const requested = values.get("--pre-token-version");
  if (requested !== undefined && !(PRE_TOKEN_VERSIONS as readonly string[]).includes(requested)) {
    throw new UsageError(`--pre-token-version must be one of ${PRE_TOKEN_VERSIONS.join(", ")}`);
  }
  return {
    kind: "run",
    stage,
    userPoolId,
    region,
    ...(requested === undefined ? {} : { preTokenVersion: requested as PreTokenVersion }),
    force: switches.has("--force"),
    detach: switches.has("--detach"),
    replace: switches.has("--replace"),
    dryRun: switches.has("--dry-run"),
  };
}

function missing(flag: string): never {
  throw new UsageError(`${flag} is required (see --help)`);
}

/**
 * One line for an error the AWS SDK raised, when it is one a user can fix without a stack
 * trace (no credentials, expired credentials); undefined for any other error.
 */
export function explainAwsError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "CredentialsProviderError") {
    return (
      "No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), " +
      "or run `aws configure` (--dry-run reads the pool and the stack, so it needs them too)"
    );
  }
  if (
    /^(ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException)$/.test(
      error.name,
    )
  ) {
    return `AWS refused the credentials (${error.name}): refresh them (e.g. \`aws sso login\`) and run again`;
  }
  return undefined;
}
