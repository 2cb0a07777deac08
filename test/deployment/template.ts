/**
 * Helpers for the packaging test: run `serverless package` offline and read the
 * CloudFormation template, with just enough of CloudFormation's condition logic
 * (Fn::Equals/Not/And/Or/If) to see which resources a deployment would create.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");

/** A CloudFormation template (the parts the test reads). */
export interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

/** A CloudFormation resource. */
export interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/**
 * Run `serverless package` with `params` into a temporary directory, with no AWS
 * credentials, and return the update-stack template. Throws with the output on failure.
 */
export async function packageService(
  params: Record<string, string>,
  tag: string,
  stage = "dev",
): Promise<Template> {
  const { code, output, template } = await runPackage(params, tag, stage);
  if (code !== 0 || template === undefined) {
    throw new Error(`serverless package failed (${code}):\n${output}`);
  }
  return template;
}

/**
 * Run `serverless package` as `packageService` does and return its exit code, its output and
 * (when it succeeded) the template, without throwing on failure.
 */
export async function runPackage(
  params: Record<string, string>,
  tag: string,
  stage = "dev",
): Promise<{ code: number | null; output: string; template?: Template }> {
  const out = mkdtempSync(join(tmpdir(), `sls-package-${tag}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
    // Each run bundles in its own folder, so parallel runs never share one.
    SLS_ESBUILD_WORK_FOLDER: `.esbuild/package-${tag}-${process.pid}`,
  };
  for (const key of Object.keys(env)) {
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(key)) delete env[key];
  }
  const args = [
    join(ROOT, "node_modules/osls/bin/serverless.js"),
    "package",
    "--stage",
    stage,
    "--package",
    out,
    ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`),
  ];
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((ok) => {
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c: Buffer) => {
        output += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        output += c.toString();
      });
      child.on("close", (exitCode) => ok({ code: exitCode, output }));
    });
    if (code !== 0) return { code, output };
    const file = join(out, "cloudformation-template-update-stack.json");
    return { code, output, template: JSON.parse(readFileSync(file, "utf8")) as Template };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(join(ROOT, env.SLS_ESBUILD_WORK_FOLDER ?? ""), { recursive: true, force: true });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Evaluate the template's Conditions (literal operands only, as serverless renders them). */
export function evaluateConditions(template: Template): Record<string, boolean> {
  const defs = template.Conditions ?? {};
  const cache: Record<string, boolean> = {};
  const evaluate = (node: unknown): boolean | string => {
    if (typeof node === "string") return node;
    if (!isRecord(node)) throw new Error(`cannot evaluate ${JSON.stringify(node)}`);
    const [fn, arg] = Object.entries(node)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [arg];
    switch (fn) {
      case "Fn::Equals":
        return evaluate(args[0]) === evaluate(args[1]);
      case "Fn::Not":
        return !evaluate(args[0]);
      case "Fn::And":
        return args.every((a) => evaluate(a) === true);
      case "Fn::Or":
        return args.some((a) => evaluate(a) === true);
      case "Condition":
        return condition(String(arg));
      default:
        throw new Error(`cannot evaluate ${fn}`);
    }
  };
  const condition = (name: string): boolean => {
    if (!(name in cache)) {
      const value = evaluate(defs[name]);
      if (typeof value !== "boolean") throw new Error(`condition ${name} is not a boolean`);
      cache[name] = value;
    }
    return cache[name] ?? false;
  };
  for (const name of Object.keys(defs)) condition(name);
  return cache;
}

/** `{ Ref: "AWS::NoValue" }`: CloudFormation removes the property (or list item) holding it. */
function isNoValue(value: unknown): boolean {
  return isRecord(value) && value.Ref === "AWS::NoValue" && Object.keys(value).length === 1;
}

/** Replace every `Fn::If` by the branch its condition selects; drop what resolves to `AWS::NoValue`. */
export function resolveIfs(value: unknown, conditions: Record<string, boolean>): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolveIfs(v, conditions)).filter((v) => !isNoValue(v));
  }
  if (!isRecord(value)) return value;
  const fnIf = value["Fn::If"];
  if (Array.isArray(fnIf) && Object.keys(value).length === 1) {
    const [name, whenTrue, whenFalse] = fnIf as [string, unknown, unknown];
    if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
    return resolveIfs(conditions[name] ? whenTrue : whenFalse, conditions);
  }
  return Object.fromEntries(
    Object.entries(value)
      .map(([k, v]) => [k, resolveIfs(v, conditions)] as const)
      .filter(([, v]) => !isNoValue(v)),
  );
}

/** The resources a deployment would create, with their `Fn::If`s resolved. */
export function activeResources(template: Template): Record<string, Resource> {
  const conditions = evaluateConditions(template);
  const out: Record<string, Resource> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined && conditions[resource.Condition] !== true) continue;
    out[id] = resolveIfs(resource, conditions) as Resource;
  }
  return out;
}

/** Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub `${Id}` / `${Id.Attr}`. */
export function references(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === "Ref" && typeof inner === "string") found.add(inner);
      else if (key === "Fn::GetAtt") {
        const target = Array.isArray(inner) ? inner[0] : String(inner).split(".")[0];
        if (typeof target === "string") found.add(target);
      } else if (key === "Fn::Sub") {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === "string") {
          for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/g)) {
            if (m[1] !== undefined) found.add(m[1]);
          }
        }
      }
      walk(inner);
    }
  };
  walk(value);
  return [...found].filter((id) => !id.startsWith("AWS::"));
}

/** The logical id a `{ "Fn::GetAtt": [id, attr] }` names, if it is one. */
export function getAttTarget(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const att = value["Fn::GetAtt"];
  return Array.isArray(att) && typeof att[0] === "string" ? att[0] : undefined;
}

/** Every IAM statement of a role or policy resource. */
export function statementsOf(resource: Resource): Record<string, unknown>[] {
  const props = resource.Properties ?? {};
  const docs: unknown[] = [];
  if (resource.Type === "AWS::IAM::Role") {
    for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
      docs.push(policy.PolicyDocument);
    }
  } else if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
    docs.push(props.PolicyDocument);
  }
  return docs.flatMap((doc) => {
    const statement = isRecord(doc) ? doc.Statement : undefined;
    return (Array.isArray(statement) ? statement : [statement]).filter(isRecord);
  });
}

/** A statement's Action (or NotAction) as a list. */
export function actionsOf(statement: Record<string, unknown>): unknown[] {
  const action = statement.Action ?? statement.NotAction;
  return Array.isArray(action) ? action : [action];
}

/** A statement's Resource (or NotResource) as a list. */
export function resourcesOf(statement: Record<string, unknown>): unknown[] {
  const resource = statement.Resource ?? statement.NotResource;
  return Array.isArray(resource) ? resource : [resource];
}

/**
 * An IAM Resource value as text, to look for wildcards: `Fn::Sub` gives its template,
 * `Fn::Join` its parts joined (an intrinsic inside becomes `<Ref>`...), `Ref`/`Fn::GetAtt`
 * (one resource's own ARN, never a pattern) `<Ref>`/`<Fn::GetAtt>`. Call on `Fn::If`-resolved values.
 */
export function arnText(value: unknown): string {
  if (typeof value === "string") return value;
  if (!isRecord(value)) return JSON.stringify(value);
  const sub = value["Fn::Sub"];
  if (sub !== undefined) return String(Array.isArray(sub) ? sub[0] : sub);
  const join = value["Fn::Join"];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts
      .map((part) => (typeof part === "string" ? part : `<${Object.keys(part ?? {})[0]}>`))
      .join(separator);
  }
  if ("Ref" in value) return "<Ref>";
  if ("Fn::GetAtt" in value) return "<Fn::GetAtt>";
  return JSON.stringify(value);
}

/**
 * A dependency cycle among `resources` (Ref, Fn::GetAtt, Fn::Sub and DependsOn edges), as
 * the logical ids along it (first id repeated at the end), or undefined. CloudFormation
 * refuses such a template at deploy time ("Circular dependency between resources");
 * `serverless package` does not check it.
 */
export function dependencyCycle(resources: Record<string, Resource>): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    edges.set(
      id,
      [...references(resource), ...dependsOn].filter((target) => target in resources),
    );
  }
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
