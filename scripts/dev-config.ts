/**
 * Configuration of the local stack's functions (`npm run dev`): serverless.yml stage parameters
 * from the git-ignored `dev.params.json`, from the shell (a function variable that serverless.yml
 * maps to a parameter, e.g. PRE_SIGNUP_DENIED_DOMAINS -> preSignUpDeniedDomains), and from
 * `--param name=value`, each overriding the one before.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { asRecord, readServerlessYml } from "./local-env";

/** The git-ignored file of stage parameters for `npm run dev` (repository root). */
export const DEV_PARAMS_FILE = "dev.params.json";

/** Parameters the local stack sets itself (its tables and its local token issuer). */
export const STACK_OWNED_PARAMS = [
  "postConfirmationProfileTableName",
  "customAuthAttemptsTableName",
  "userMigrationTableName",
  "authorizerLocalIssuerUrl",
  "authorizerLocalClientIds",
] as const;

/** A command line or configuration `npm run dev` cannot use; the message says why (exit 2). */
export class DevConfigError extends Error {
  override readonly name = "DevConfigError";
}

/** Where a parameter's value came from (printed without the value: it may be a secret). */
export interface ParamSource {
  readonly name: string;
  readonly from: string;
}

/** The parameters to pass, and where each came from. */
export interface DevParams {
  readonly params: Readonly<Record<string, string>>;
  readonly sources: readonly ParamSource[];
}

/** What serverless.yml declares: its stage parameters, and function variables -> parameter. */
export interface ServiceParameters {
  readonly names: ReadonlySet<string>;
  readonly byVariable: Readonly<Record<string, string>>;
}

/** Read the parameter names and the variable -> parameter map from serverless.yml. */
export function serviceParameters(root: string): ServiceParameters {
  const doc = readServerlessYml(root);
  const params = asRecord(doc.params);
  const names = new Set([
    ...Object.keys(asRecord(params.default)),
    ...Object.keys(asRecord(params.dev)),
  ]);
  const byVariable: Record<string, string> = {};
  const environments = [
    asRecord(asRecord(doc.provider).environment),
    ...Object.values(asRecord(doc.functions)).map((fn) => asRecord(asRecord(fn).environment)),
  ];
  for (const environment of environments) {
    for (const [variable, value] of Object.entries(environment)) {
      // Only a variable that IS one parameter (`${param:x}`, with or without a default).
      const match = typeof value === "string" ? /^\$\{param:(\w+)(?:,[^}]*)?\}$/.exec(value) : null;
      if (match?.[1] !== undefined && names.has(match[1])) byVariable[variable] = match[1];
    }
  }
  return { names, byVariable };
}

/**
 * The stage parameters for the local stack: `dev.params.json` (an object of strings), then the
 * shell's variables that serverless.yml maps to a parameter, then `--param name=value` (or
 * `--param=name=value`) from `argv`. Unknown parameters, the stack's own, malformed values and
 * unknown arguments are refused with a `DevConfigError`.
 */
export function devParams(input: {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly root: string;
  readonly service?: ServiceParameters;
}): DevParams {
  const service = input.service ?? serviceParameters(input.root);
  const params: Record<string, string> = {};
  const sources = new Map<string, string>();
  const set = (name: string, value: string, from: string) => {
    if (!service.names.has(name)) {
      throw new DevConfigError(
        `${from}: "${name}" is not a parameter of serverless.yml (its params block lists them)`,
      );
    }
    if ((STACK_OWNED_PARAMS as readonly string[]).includes(name)) {
      throw new DevConfigError(`${from}: "${name}" is set by the local stack itself`);
    }
    params[name] = value;
    sources.set(name, from);
  };

  const file = join(input.root, DEV_PARAMS_FILE);
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new DevConfigError(`${DEV_PARAMS_FILE} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new DevConfigError(`${DEV_PARAMS_FILE} must hold one object of "name": "value"`);
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== "string") {
        throw new DevConfigError(`${DEV_PARAMS_FILE}: "${name}" must be a string`);
      }
      set(name, value, DEV_PARAMS_FILE);
    }
  }

  for (const [variable, name] of Object.entries(service.byVariable)) {
    const value = input.env[variable];
    if (value !== undefined) set(name, value, `${variable} in your shell`);
  }

  for (let i = 0; i < input.argv.length; i++) {
    const arg = input.argv[i] as string;
    let pair: string | undefined;
    if (arg === "--param") pair = input.argv[++i];
    else if (arg.startsWith("--param=")) pair = arg.slice("--param=".length);
    else throw new DevConfigError(`unknown argument "${arg}" (see --help)`);
    const eq = pair?.indexOf("=") ?? -1;
    if (pair === undefined || eq < 1) throw new DevConfigError("--param needs name=value");
    set(pair.slice(0, eq), pair.slice(eq + 1), "--param");
  }

  return {
    params,
    sources: [...sources].map(([name, from]) => ({ name, from })),
  };
}

/** What `npm run dev -- --help` prints. */
export const DEV_HELP = `Usage: npm run dev [-- --param name=value ...]

Starts dynalite, cognito-local and serverless-offline (the local stack) until Ctrl-C.

Configure the functions with serverless.yml's stage parameters (its params block), each
source overriding the one before:
  ${DEV_PARAMS_FILE}          git-ignored, e.g. { "preSignUpDeniedDomains": "example.com" }
  your shell                a function variable serverless.yml maps to a parameter,
                            e.g. PRE_SIGNUP_DENIED_DOMAINS=example.com npm run dev
  --param name=value        e.g. npm run dev -- --param preSignUpDeniedDomains=example.com

Ports: DEV_HTTP_PORT (3000), DEV_LAMBDA_PORT (3002), DEV_COGNITO_PORT (9229),
DEV_DYNAMO_PORT (4567). DEV_VERBOSE=true prints the services' output.
`;
