/**
 * serverless.yml's `resources:` is split into `resources/*.yml` through `${file(...)}`: every
 * file is included, and `readServerlessYml` (which the tests and scripts read the service
 * through) follows the includes as the framework does.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readServerlessYml } from "../../scripts/local-env";
import { ROOT } from "./template";

describe("serverless.yml resource files", () => {
  test("every resources/*.yml file is included, and only those", () => {
    // Prepare
    const files = readdirSync(join(ROOT, "resources"))
      .filter((f) => f.endsWith(".yml"))
      .map((f) => `\${file(./resources/${f})}`);
    const raw = readServerlessYml(ROOT, { followIncludes: false }).resources;

    // Assess
    expect(Array.isArray(raw)).toBe(true);
    // (JS sources, such as resources/alarms.js, are included alongside.)
    const yml = (raw as string[]).filter((include) => include.endsWith(".yml)}"));
    expect([...yml].sort()).toEqual(files.sort());
  });

  test("the included files merge into one Resources / Conditions / Outputs", () => {
    // Act
    const resources = readServerlessYml(ROOT).resources as Record<string, Record<string, unknown>>;

    // Assess: one resource of each file, and the conditions they share.
    expect(Object.keys(resources).sort()).toEqual(["Conditions", "Outputs", "Resources"]);
    for (const id of [
      "ProfileTable",
      "UserPool",
      "PreSignUpCognitoPolicy",
      "PreSignUpCognitoPermission",
    ]) {
      expect(resources.Resources).toHaveProperty(id);
    }
    expect(resources.Conditions).toHaveProperty("CreateUserPool");
    expect(resources.Outputs).toHaveProperty("PreTokenLambdaVersion");
  });

  describe("with a service of its own", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "sls-files-"));
      mkdirSync(join(dir, "resources"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test("follows nested includes, keys and CloudFormation tags", () => {
      // Prepare
      writeFileSync(
        join(dir, "serverless.yml"),
        `service: s\ncustom: \${file(./resources/custom.yml):inner}\nresources:\n  - \${file(./resources/a.yml)}\n`,
      );
      writeFileSync(join(dir, "resources/custom.yml"), "inner:\n  x: 1\n");
      writeFileSync(
        join(dir, "resources/a.yml"),
        "Resources:\n  A:\n    Type: T\n    Properties:\n      P: !GetAtt B.Arn\n      Q: !Ref B\n",
      );

      // Act
      const doc = readServerlessYml(dir);

      // Assess
      expect(doc.custom).toEqual({ x: 1 });
      expect(doc.resources).toEqual({
        Resources: {
          A: { Type: "T", Properties: { P: { "Fn::GetAtt": "B.Arn" }, Q: { Ref: "B" } } },
        },
      });
    });

    test("refuses a logical id defined in two files", () => {
      // Prepare
      writeFileSync(
        join(dir, "serverless.yml"),
        `service: s\nresources:\n  - \${file(./resources/a.yml)}\n  - \${file(./resources/b.yml)}\n`,
      );
      writeFileSync(join(dir, "resources/a.yml"), "Resources:\n  A: {Type: T}\n");
      writeFileSync(join(dir, "resources/b.yml"), "Resources:\n  A: {Type: U}\n");

      // Act + Assess
      expect(() => readServerlessYml(dir)).toThrow("Resources.A defined twice");
    });
  });
});
