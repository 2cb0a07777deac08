/**
 * The function registry (scripts/registry.ts) and the repository agree: every entry has its
 * handler, its `shared/<area>/`, sample events of the sources it names, its docs page, its
 * serverless.yml function and, for a Cognito trigger, its pool wiring and permission; nothing
 * in serverless.yml, functions/ or events/ lacks an entry. CONTRIBUTING.md lists the steps.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { readServerlessYml } from "../../scripts/local-env";
import { COGNITO_LOCAL_TRIGGERS, cognitoLocalConfig } from "../../scripts/local-stack";
import {
  cognitoTriggers,
  entryOf,
  eventFilesOf,
  FUNCTION_NAMES,
  lambdaLogicalId,
  NON_EVENT_FILES,
  splitHandler,
} from "../../scripts/registry";

const ROOT = resolve(__dirname, "..", "..");
const EVENT_FILES = readdirSync(join(ROOT, "events")).filter(
  (file) => file.endsWith(".json") && !NON_EVENT_FILES.includes(file),
);
const SERVICE = readServerlessYml(ROOT) as {
  params: { default: Record<string, unknown> };
  functions: Record<string, { handler?: string }>;
  resources: {
    Resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
    Outputs: Record<string, unknown>;
  };
};
const ENTRIES = FUNCTION_NAMES.map((name) => [name, entryOf(name)] as const);
const TRIGGERS = cognitoTriggers();

/** Every `Fn::GetAtt` target (`X.Arn` or `[X, Arn]`) inside `value`. */
function getAttTargets(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(getAttTargets);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key !== "Fn::GetAtt") return getAttTargets(inner);
    const target = Array.isArray(inner) ? inner[0] : String(inner).split(".")[0];
    return typeof target === "string" ? [target] : [];
  });
}

describe("the function registry", () => {
  test("names exactly serverless.yml's functions, with the same handlers", () => {
    // Act
    const declared = Object.fromEntries(
      Object.entries(SERVICE.functions).map(([name, fn]) => [name, fn.handler]),
    );

    // Assess
    expect(declared).toEqual(Object.fromEntries(ENTRIES.map(([name, e]) => [name, e.handler])));
  });

  test("every file in functions/ is an entry's handler", () => {
    // Prepare
    const handlers = new Set(ENTRIES.map(([, e]) => splitHandler(e.handler).file));

    // Act
    const orphans = readdirSync(join(ROOT, "functions"))
      .map((file) => `functions/${file}`)
      .filter((file) => !handlers.has(file));

    // Assess
    expect(orphans).toEqual([]);
  });

  test.each(ENTRIES)("%s: its handler file exports the handler", (_name, entry) => {
    // Prepare
    const { file, exportName } = splitHandler(entry.handler);

    // Act
    const source = existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), "utf8") : "";

    // Assess
    expect(source).toMatch(new RegExp(`export (const|(async )?function) ${exportName}\\b`));
  });

  test.each(ENTRIES)("%s: its shared/<area>/ exists and the handler uses it", (_name, entry) => {
    // Prepare
    const source = readFileSync(join(ROOT, splitHandler(entry.handler).file), "utf8");

    // Assess: only the sample endpoint (no Cognito trigger, no authorizer) has no area.
    if (entry.area === undefined) {
      expect(entry.cognito).toBeUndefined();
      expect(source).not.toMatch(/from "\.\.\/shared\//);
      return;
    }
    const dir = join(ROOT, "shared", entry.area);
    expect(existsSync(dir) && statSync(dir).isDirectory()).toBe(true);
    expect(readdirSync(dir).some((file) => file.endsWith(".ts"))).toBe(true);
    expect(source).toContain(`from "../shared/${entry.area}/`);
  });

  test.each(ENTRIES)("%s: its docs page exists and names it", (name, entry) => {
    // Act
    const page = existsSync(join(ROOT, entry.docs))
      ? readFileSync(join(ROOT, entry.docs), "utf8")
      : "";

    // Assess
    expect(page).toContain(name);
  });

  test.each(ENTRIES)("%s: has a row in the README's function table", (name, entry) => {
    // Prepare
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");

    // Act
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${name}\``));

    // Assess
    expect(row).toContain(splitHandler(entry.handler).file);
    expect(row).toContain(entry.docs);
  });

  test.each(ENTRIES)("%s: has sample events, of the trigger sources it names", (name, entry) => {
    // Act
    const events = eventFilesOf(name, EVENT_FILES);
    const sources = events.map(
      (file) =>
        (
          JSON.parse(readFileSync(join(ROOT, "events", file), "utf8")) as {
            triggerSource?: unknown;
          }
        ).triggerSource,
    );

    // Assess
    expect(events.length).toBeGreaterThan(0);
    if (entry.cognito !== undefined) {
      expect(entry.cognito.sources.length).toBeGreaterThan(0);
      expect(sources.filter((s) => !entry.cognito?.sources.includes(String(s)))).toEqual([]);
    }
  });

  test("every sample event belongs to exactly one function", () => {
    // Act
    const owners = EVENT_FILES.map(
      (file) =>
        [file, FUNCTION_NAMES.filter((name) => eventFilesOf(name, [file]).length > 0)] as const,
    );

    // Assess
    expect(owners.filter(([, names]) => names.length !== 1)).toEqual([]);
  });
});

describe("the registry's Cognito triggers and serverless.yml", () => {
  const resources = SERVICE.resources.Resources;
  const lambdaConfig = (resources.UserPool?.Properties?.LambdaConfig ?? {}) as Record<
    string,
    unknown
  >;

  test.each(TRIGGERS)("%s: the created pool's LambdaConfig slot names the function", (name, t) => {
    // Act
    const slot = lambdaConfig[t.slot];
    const legacy = t.legacySlot === undefined ? undefined : lambdaConfig[t.legacySlot];

    // Assess
    expect(getAttTargets(slot)).toEqual([lambdaLogicalId(name)]);
    // The unversioned field would conflict with the versioned configuration in CloudFormation.
    expect(legacy).toBeUndefined();
    if (t.kmsKey === true) expect(lambdaConfig).toHaveProperty("KMSKeyID");
  });

  test.each(TRIGGERS)("%s: the slot's event version is the registry's", (_name, t) => {
    // Act
    const text = JSON.stringify(lambdaConfig[t.slot]);

    // Assess
    if (t.version === undefined) {
      expect(text).not.toContain("LambdaVersion");
    } else if ("fixed" in t.version) {
      expect(text).toContain(`"LambdaVersion":"${t.version.fixed}"`);
    } else {
      expect(text).toContain(`"LambdaVersion":"\${param:${t.version.param}}"`);
      expect(t.version.choices).toContain(SERVICE.params.default[t.version.param]);
      expect(SERVICE.resources.Outputs).toHaveProperty(t.version.output);
    }
  });

  test.each(TRIGGERS)("%s: an opt-in has its parameter (off by default) and output", (_name, t) => {
    // Assess
    if (t.wiring === "always") {
      // Only the `triggers` parameter's Wire<Name> condition decides (resources/triggers.yml).
      const text = JSON.stringify(lambdaConfig[t.slot]);
      const conditions = [...text.matchAll(/"Fn::If":\["(\w+)"/g)].map((m) => m[1]);
      expect(conditions).toEqual([expect.stringMatching(/^Wire[A-Z]\w+$/)]);
      return;
    }
    expect(SERVICE.params.default[t.wiring.param]).toBe("false");
    expect(SERVICE.resources.Outputs).toHaveProperty(t.wiring.output);
    expect(JSON.stringify(lambdaConfig[t.slot])).toContain("Fn::If");
  });

  test.each(TRIGGERS)("%s: Cognito may invoke it, from the pool only", (name) => {
    // Act
    const permissions = Object.values(resources).filter(
      (r) =>
        r.Type === "AWS::Lambda::Permission" &&
        r.Properties?.Principal === "cognito-idp.amazonaws.com" &&
        getAttTargets(r.Properties?.FunctionName).includes(lambdaLogicalId(name)),
    );

    // Assess
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties?.SourceArn).toBe(`\${self:custom.userPool.arn}`);
  });

  test("the created pool wires no function the registry does not name as a trigger", () => {
    // Prepare
    const triggers = new Set(TRIGGERS.map(([name]) => lambdaLogicalId(name)));

    // Act
    const wired = getAttTargets(lambdaConfig).filter((id) => id.endsWith("LambdaFunction"));

    // Assess
    expect(wired.filter((id) => !triggers.has(id))).toEqual([]);
  });

  test("the local stack wires exactly the triggers cognito-local can call", () => {
    // Act
    const config = cognitoLocalConfig("http://127.0.0.1:1", "http://127.0.0.1:2") as {
      TriggerFunctions: Record<string, string>;
    };

    // Assess
    expect(Object.values(COGNITO_LOCAL_TRIGGERS).sort()).toEqual(
      TRIGGERS.filter(([, t]) => t.cognitoLocal)
        .map(([name]) => name)
        .sort(),
    );
    expect(Object.keys(config.TriggerFunctions).sort()).toEqual(
      TRIGGERS.filter(([, t]) => t.cognitoLocal)
        .map(([, t]) => t.trigger)
        .sort(),
    );
  });
});
