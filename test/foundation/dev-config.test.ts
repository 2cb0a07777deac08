/** `npm run dev`'s configuration of the functions: dev.params.json, the shell, --param. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_PARAMS_FILE, devParams, serviceParameters } from "../../scripts/dev-config";

const ROOT = join(__dirname, "..", "..");
const SERVICE = serviceParameters(ROOT);

function emptyRoot(params?: unknown): string {
  const root = mkdtempSync(join(tmpdir(), "dev-config-"));
  if (params !== undefined) {
    writeFileSync(
      join(root, DEV_PARAMS_FILE),
      typeof params === "string" ? params : JSON.stringify(params),
    );
  }
  return root;
}

describe("npm run dev configuration", () => {
  it("serverless.yml maps PRE_SIGNUP_DENIED_DOMAINS to the preSignUpDeniedDomains parameter", () => {
    expect(SERVICE.byVariable.PRE_SIGNUP_DENIED_DOMAINS).toBe("preSignUpDeniedDomains");
    expect(SERVICE.names.has("preSignUpDeniedDomains")).toBe(true);
  });

  it("the file, then the shell, then --param: each overrides the one before", () => {
    // Prepare
    const root = emptyRoot({ preSignUpDeniedDomains: "file.example", preSignUpInviteOnly: "true" });

    // Act
    const fromShell = devParams({
      argv: [],
      env: { PRE_SIGNUP_DENIED_DOMAINS: "example.com" },
      root,
      service: SERVICE,
    });
    const fromArgs = devParams({
      argv: ["--param", "preSignUpDeniedDomains=args.example", "--param=preSignUpInviteOnly=false"],
      env: { PRE_SIGNUP_DENIED_DOMAINS: "example.com" },
      root,
      service: SERVICE,
    });

    // Assess
    expect(fromShell.params).toEqual({
      preSignUpDeniedDomains: "example.com",
      preSignUpInviteOnly: "true",
    });
    expect(fromShell.sources).toContainEqual({
      name: "preSignUpDeniedDomains",
      from: "PRE_SIGNUP_DENIED_DOMAINS in your shell",
    });
    expect(fromArgs.params).toEqual({
      preSignUpDeniedDomains: "args.example",
      preSignUpInviteOnly: "false",
    });
  });

  it("a value may contain '=' (only the first one splits)", () => {
    const { params } = devParams({
      argv: ["--param", "preSignUpDeniedDomains=a=b"],
      env: {},
      root: emptyRoot(),
      service: SERVICE,
    });
    expect(params).toEqual({ preSignUpDeniedDomains: "a=b" });
  });

  it.each([
    [["--param", "nope=1"], '"nope" is not a parameter of serverless.yml'],
    [["--param", "postConfirmationProfileTableName=x"], "is set by the local stack itself"],
    [["--param", "preSignUpDeniedDomains"], "--param needs name=value"],
    [["--param"], "--param needs name=value"],
    [["--verbose"], 'unknown argument "--verbose"'],
  ])("refuses %j", (argv, message) => {
    expect(() => devParams({ argv, env: {}, root: emptyRoot(), service: SERVICE })).toThrow(
      message,
    );
  });

  it.each([
    ["{", "is not valid JSON"],
    ["[]", "must hold one object"],
    [{ preSignUpDeniedDomains: 1 }, "must be a string"],
    [{ unknownParam: "x" }, '"unknownParam" is not a parameter'],
  ])("refuses dev.params.json %j", (content, message) => {
    expect(() =>
      devParams({ argv: [], env: {}, root: emptyRoot(content), service: SERVICE }),
    ).toThrow(message);
  });
});
