/**
 * The environment a function gets under `serverless invoke local`, computed
 * without starting the framework: provider and function `environment` from
 * serverless.yml, with `${param:x}`, `${self:service}`, `${sls:stage}` and
 * `${opt:...}` resolved from the `params` block (stage `dev` over `default`).
 * Values that are CloudFormation references (only meaningful in AWS) are left out.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCollection, parse } from "yaml";
import { isRecord } from "../shared/guards";

type Yaml = Record<string, unknown>;

// The stage `serverless invoke local` uses when none is given (provider.stage default).
const STAGE = "dev";

/** A YAML mapping as an object; anything else (a list, a scalar, nothing) as `{}`. */
export function asRecord(value: unknown): Yaml {
  return isRecord(value) ? value : {};
}

// CloudFormation short-form tags (`!Ref`, `!GetAtt`...) parsed as their `Fn::` objects.
const CFN_TAGS = [
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
].flatMap((tag) => {
  // A tagged sequence or map arrives as a YAML node: keep its plain value, as for scalars.
  const resolve = (value: unknown) => ({
    [tag === "Ref" || tag === "Condition" ? tag : `Fn::${tag}`]: isCollection(value)
      ? value.toJSON()
      : value,
  });
  return [
    { tag: `!${tag}`, resolve },
    { tag: `!${tag}`, resolve, collection: "seq" as const },
    { tag: `!${tag}`, resolve, collection: "map" as const },
  ];
});

// A whole value that is `${file(./path.yml)}`, `${file(./path.js)}` or either with `:a.b`
// (the framework's include: a YAML file, or a JS variable source).
const FILE_INCLUDE = /^\$\{file\((\.\/[^)]+\.(?:ya?ml|js))\)(?::([\w.]+))?\}$/;

/** The default parameters (`params.default` over which `params.dev` wins), for JS sources. */
type Params = Readonly<Record<string, unknown>>;

/** Parse one YAML file of the service, CloudFormation tags kept, `${file(...)}` includes followed. */
function readYaml(root: string, path: string, params?: Params): unknown {
  const doc: unknown = parse(readFileSync(join(root, path), "utf8"), { customTags: CFN_TAGS });
  return params === undefined ? doc : followIncludes(root, doc, params);
}

/**
 * Run a JS variable source as the framework does, with `param:` variables from `params`. The
 * sources here answer synchronously when `resolveVariable` does (resources/triggers.js).
 */
function runJsSource(root: string, path: string, params: Params): unknown {
  const source = require(join(root, path)) as (input: {
    options: Record<string, unknown>;
    resolveVariable: (address: string) => unknown;
  }) => unknown;
  const result = source({
    options: {},
    resolveVariable: (address) => {
      if (!address.startsWith("param:")) throw new Error(`${path}: cannot resolve ${address} here`);
      return params[address.slice("param:".length)];
    },
  });
  if (result instanceof Promise) throw new Error(`${path} answered asynchronously`);
  return result;
}

/** Replace every `${file(./x.yml|js)}` value by the file's content (or its `:key.path` part). */
function followIncludes(root: string, value: unknown, params: Params): unknown {
  if (Array.isArray(value)) return value.map((v) => followIncludes(root, v, params));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, followIncludes(root, v, params)] as const),
    );
  }
  const include = typeof value === "string" ? FILE_INCLUDE.exec(value) : null;
  if (!include?.[1]) return value;
  let found = include[1].endsWith(".js")
    ? runJsSource(root, include[1], params)
    : readYaml(root, include[1], params);
  for (const key of include[2]?.split(".") ?? []) found = asRecord(found)[key];
  return found;
}

/**
 * Parse serverless.yml as the framework reads it: CloudFormation tags (`!Ref`, `!GetAtt`...)
 * kept as their `Fn::` objects, `${file(./x.yml)}` includes followed (and `${file(./x.js)}`
 * sources run with the default `dev` parameters), and a `resources:` list
 * (one file per concern) merged into one `{ Resources, Conditions, Outputs }` object.
 * `followIncludes: false` returns the file as written (the includes as strings).
 */
export function readServerlessYml(root: string, options?: { followIncludes?: boolean }): Yaml {
  const follow = options?.followIncludes ?? true;
  const raw = asRecord(readYaml(root, "serverless.yml"));
  const paramsBlock = asRecord(raw.params);
  const params = { ...asRecord(paramsBlock.default), ...asRecord(paramsBlock[STAGE]) };
  const doc = follow ? asRecord(followIncludes(root, raw, params)) : raw;
  if (follow && Array.isArray(doc.resources)) {
    const merged: Record<string, Yaml> = {};
    for (const part of doc.resources) {
      for (const [section, entries] of Object.entries(asRecord(part))) {
        for (const [id, entry] of Object.entries(asRecord(entries))) {
          merged[section] ??= {};
          if (id in (merged[section] ?? {}))
            throw new Error(`resources: ${section}.${id} defined twice`);
          (merged[section] as Yaml)[id] = entry;
        }
      }
    }
    doc.resources = merged;
  }
  return doc;
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
