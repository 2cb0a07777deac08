import { resolve } from "node:path";
import { localEnvironment } from "../../scripts/local-env";
import { loadPreTokenConfig } from "../../shared/pre-token-generation/config";
import type { PreTokenEvent } from "../../shared/pre-token-generation/handler";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

const ROOT = resolve(__dirname, "..", "..");
type Handler = (event: PreTokenEvent) => Promise<PreTokenEvent>;

/** Import functions/pre-token-generation.ts afresh (a cold start) with `env` as process.env. */
function coldStart(env: Record<string, string>): Handler {
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      handler = (require("../../functions/pre-token-generation") as { handler: Handler }).handler;
    });
    if (!handler) throw new Error("handler not exported");
    return handler;
  } finally {
    process.env = saved;
  }
}

describe("functions/pre-token-generation", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  it("fails at cold start on a mapping onto a reserved claim, naming the variable and the claim", () => {
    // Prepare
    const env = {
      PRE_TOKEN_CONFIG: JSON.stringify({ claims: [{ claim: "sub", attribute: "custom:id" }] }),
    };
    // Act
    let error: unknown;
    try {
      coldStart(env);
    } catch (caught) {
      error = caught;
    }
    // Assess (the isolated module registry has its own ConfigError class: compare by name)
    expect(error).toMatchObject({ name: "ConfigError", variable: "PRE_TOKEN_CONFIG" });
    expect((error as Error).message).toContain(
      'PRE_TOKEN_CONFIG.claims[0].claim: "sub" is a reserved claim',
    );
  });

  it("ships a serverless.yml configuration that loads without warnings", () => {
    // Prepare
    const env = localEnvironment(ROOT, "preTokenGeneration");
    // Act
    const config = loadPreTokenConfig(env);
    // Assess
    expect(env.PRE_TOKEN_MUTABLE_SOURCE).toBe("warn");
    expect(config.warnings).toEqual([]);
    expect(config.roles?.claim).toBe("roles");
  });

  it("answers the sample V2 event with the serverless.yml configuration", async () => {
    // Prepare
    const handler = coldStart(
      localEnvironment(ROOT, "preTokenGeneration") as Record<string, string>,
    );
    const event = loadEvent<PreTokenEvent>("pre-token-generation-v2-refresh-tokens");
    // Act
    const result = await handler(event);
    // Assess
    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { display_name: "Bob Example", roles: ["member"] },
          claimsToSuppress: [],
        },
        accessTokenGeneration: {
          claimsToAddOrOverride: { roles: ["member"] },
          claimsToSuppress: [],
          scopesToAdd: ["api/read"],
          scopesToSuppress: ["api/write"],
        },
      },
    });
  });
});
