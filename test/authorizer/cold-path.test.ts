/**
 * What the authorizer's deployment bundle loads before its first answer: a fresh node process
 * runs the bundle (built as serverless.yml builds it, with plugins/esbuild-plugins.js) on a
 * TOKEN event in deployed mode, with a bundled JWKS and revocation off, and reports the Node
 * modules it loaded. aws-jwt-verify's `https` (with `tls`, `net` and the HTTP client) must not be
 * among them; the stand-in loads it at its first `request`. Speed itself is `npm run bench`'s.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../../scripts/bundle";
import { accessClaims, CLIENT_ID, generateKey, POOL_ID, signJwt, tokenEvent } from "./tokens";

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, "..", "..");
const BUILD_DIR = join(ROOT, ".esbuild");
mkdirSync(BUILD_DIR, { recursive: true });
const OUT_DIR = mkdtempSync(join(BUILD_DIR, "cold-path-test-"));
afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

const NETWORK_MODULES = ["NativeModule https", "NativeModule tls", "NativeModule net"];

/** Run `script` in a fresh node with `args`; its stdout, parsed as JSON. */
function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): unknown {
  const out = execFileSync(process.execPath, ["-e", script, ...args], { env, encoding: "utf8" });
  return JSON.parse(out);
}

describe("the authorizer's cold path", () => {
  test("answers the first Allow without loading https, tls or net (revocation off)", async () => {
    // Prepare
    const { file } = await bundleFunction("functions/authorizer.handler", join(OUT_DIR, "a.js"));
    const key = generateKey();
    const event = tokenEvent(`Bearer ${signJwt(key, accessClaims())}`);
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: "eu-west-1",
      AUTHORIZER_CONFIG: JSON.stringify({ routes: [{ route: "GET /hello" }] }),
      AUTHORIZER_USER_POOL_ID: POOL_ID,
      AUTHORIZER_CLIENT_IDS: CLIENT_ID,
      AUTHORIZER_JWKS: JSON.stringify({ [POOL_ID]: { keys: [key.jwk] } }),
    };
    // The list is copied before stdout is touched: a piped stdout loads net itself.
    const script = `require(process.argv[1]).handler(JSON.parse(process.argv[2])).then((r) => {
      const loaded = process.moduleLoadList.slice();
      process.stdout.write(JSON.stringify({ effect: r.policyDocument.Statement[0].Effect, loaded }));
    });`;

    // Act
    const result = runNode(script, [file, JSON.stringify(event)], env) as {
      effect: string;
      loaded: string[];
    };

    // Assess
    expect(result.effect).toBe("Allow");
    expect(result.loaded.filter((m) => NETWORK_MODULES.includes(m))).toEqual([]);
    expect(result.loaded).toContain("NativeModule crypto");
  });

  test("the https stand-in loads https at its first request, and passes the call on", () => {
    // Prepare: a request to a closed loopback port fails, through the real https module.
    const script = `const shim = require(process.argv[1]);
      const before = process.moduleLoadList.includes("NativeModule https");
      const req = shim.request("https://127.0.0.1:1/", { method: "GET" });
      req.on("error", (e) => process.stdout.write(JSON.stringify({
        before, after: process.moduleLoadList.includes("NativeModule https"), code: e.code,
      })));
      req.end();`;

    // Act
    const result = runNode(script, [join(ROOT, "plugins/lazy-https.js")], {
      PATH: process.env.PATH,
    });

    // Assess
    expect(result).toEqual({ before: false, after: true, code: "ECONNREFUSED" });
  });
});
