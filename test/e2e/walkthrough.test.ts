/**
 * docs/local-walkthrough.md as typed: its `bash` blocks run in order, in one shell state,
 * against a stack started here (the AWS CLI on this machine is v1, so AWS_DEFAULT_REGION and
 * --endpoint-url are exercised; curl for the API). The confirmation code is the one
 * cognito-local printed, as the page tells the reader to copy it.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type LocalStack, stackInfo, startLocalStack } from "../../scripts/local-stack";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const page = readFileSync(join(ROOT, "docs/local-walkthrough.md"), "utf8");

/** The page's ```bash blocks, in order. */
const blocks = [...page.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] as string);

jest.setTimeout(180_000);

describe("docs/local-walkthrough.md", () => {
  let stack: LocalStack;
  let dir: string;
  const state = () => join(dir, "state.sh");

  /** Run one block with the variables the blocks before it set; return what it printed. */
  async function block(script: string): Promise<string> {
    const { stdout } = await run(
      "bash",
      [
        "-ec",
        `source ${state()}\n${script}\ndeclare -p | grep -v '^declare -[a-zA-Z]*r' > ${state()}.next || true\nmv ${state()}.next ${state()}`,
      ],
      { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } },
    );
    return stdout;
  }

  beforeAll(async () => {
    stack = await startLocalStack();
    dir = mkdtempSync(join(tmpdir(), "walkthrough-"));
    mkdirSync(join(dir, ".local"));
    writeFileSync(join(dir, ".local", "stack.json"), JSON.stringify(stackInfo(stack)));
    writeFileSync(state(), "");
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("runs as written: sign up, code, confirm, sign in, claims, 200 / 401 / 403, legacy user migrated", async () => {
    expect(blocks).toHaveLength(9);
    const [setup, signUp, code, confirm, signIn, decode, allowed, forbidden, legacy] = blocks as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];

    await block(setup);
    expect(await block(signUp)).toContain('"UserConfirmed": false');

    // The code cognito-local printed for this sign-up (the page: "copy it").
    const printed = stack.output().replace(/[│\s]+/g, " ");
    const found = /confirmation code is (?:<strong>)?(\d{6})/.exec(printed)?.[1];
    expect(found).toBeDefined();
    expect(code).toMatch(/^CODE=\d+ /m);
    await block(code.replace(/^CODE=\d+/m, `CODE=${found}`));

    expect((await block(confirm)).trim()).toBe("members");
    await block(signIn);
    const claims = await block(decode);
    expect(claims).toContain("display_name: 'Jane Doe'");
    expect(claims).toContain("'cognito:groups': [ 'members' ]");
    expect((await block(allowed)).split("\n").slice(0, 2)).toEqual(["200", "401"]);
    expect((await block(forbidden)).trim()).toBe("403");
    expect((await block(legacy)).trim().split(/\s+/)).toEqual(["True", "CONFIRMED", "true"]);
  });
});
