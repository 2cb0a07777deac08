/**
 * The environment a function gets under `serverless invoke local`, computed
 * without starting the framework: provider and function `environment` from
 * serverless.yml, with `${param:x}`, `${self:service}`, `${sls:stage}` and
 * `${opt:...}` resolved from the `params` block (stage `dev` over `default`).
 * Values that are CloudFormation references (only meaningful in AWS) are left out.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

type Yaml = Record<string, unknown>;

// The stage `serverless invoke local` uses when none is given (provider.stage default).
const STAGE = "dev";

function asRecord(value: unknown): Yaml {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Yaml)
    : {};
}

/** Parse serverless.yml, keeping CloudFormation tags (`!Ref`, `!GetAtt`...) as opaque objects. */
export function readServerlessYml(root: string): Yaml {
  const text = readFileSync(join(root, "serverless.yml"), "utf8");
  const cfnTags = [
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Condition",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "Base64",
    "Cidr",
    "GetAZs",
  ].map((tag) => ({
    tag: `!${tag}`,
    resolve: (value: unknown) => ({ [`Fn::${tag}`]: value }),
  }));
  const seqTags = cfnTags.map((t) => ({ ...t, collection: "seq" as const }));
  const mapTags = cfnTags.map((t) => ({ ...t, collection: "map" as const }));
  return asRecord(parse(text, { customTags: [...cfnTags, ...seqTags, ...mapTags] }));
}

/** Resolve the variables serverless would, for the default `dev` stage. Returns undefined if unresolvable. */
function resolve(value: unknown, doc: Yaml, params: Yaml): string | undefined {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") return undefined;
  let unresolved = false;
  const out = value.replace(/\$\{([^}]+)\}/g, (_match, expr: string) => {
    const [source, ...rest] = expr.split(",");
    const fallback = rest
      .join(",")
      .trim()
      .replace(/^['"]|['"]$/g, "");
    const key = (source ?? "").trim();
    let found: string | undefined;
    if (key.startsWith("param:")) found = resolve(params[key.slice(6)], doc, params);
    else if (key === "self:service") found = String(doc.service);
    else if (key === "sls:stage") found = STAGE;
    else if (key.startsWith("opt:")) found = undefined;
    found ??= rest.length > 0 ? fallback : undefined;
    if (found === undefined) unresolved = true;
    return found ?? "";
  });
  return unresolved ? undefined : out;
}

/** The environment variables serverless.yml gives function `name` in the default `dev` stage. */
export function localEnvironment(root: string, name: string): Record<string, string> {
  const doc = readServerlessYml(root);
  const paramsBlock = asRecord(doc.params);
  const params = { ...asRecord(paramsBlock.default), ...asRecord(paramsBlock[STAGE]) };
  const provider = asRecord(asRecord(doc.provider).environment);
  const fn = asRecord(asRecord(asRecord(doc.functions)[name]).environment);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...provider, ...fn })) {
    const resolved = resolve(value, doc, params);
    if (resolved !== undefined) env[key] = resolved;
  }
  return env;
}
