/**
 * Which AWS SDK clients each function's deployment bundle loads at cold start. The SDK is
 * external (the runtime ships it), but requiring a client still costs ~90 ms of a cold start:
 * a function that makes no AWS call must load none (the define step once loaded the DynamoDB
 * client through the shared handlers module), and the others exactly the clients they call.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../../scripts/bundle";
import { FUNCTIONS } from "../../scripts/functions";

const COGNITO = "@aws-sdk/client-cognito-identity-provider";
const DYNAMODB = "@aws-sdk/client-dynamodb";
const SES = "@aws-sdk/client-sesv2";
const KMS = "@aws-sdk/client-kms";
// Powertools Idempotency marshals its records with it.
const DYNAMODB_UTIL = "@aws-sdk/util-dynamodb";

const EXPECTED: Readonly<Record<keyof typeof FUNCTIONS, readonly string[]>> = {
  preSignUp: [COGNITO],
  postConfirmation: [COGNITO, DYNAMODB],
  postAuthentication: [COGNITO, DYNAMODB],
  preTokenGeneration: [],
  defineAuthChallenge: [],
  createAuthChallenge: [DYNAMODB, SES],
  verifyAuthChallenge: [DYNAMODB],
  customMessage: [],
  customEmailSender: [DYNAMODB, DYNAMODB_UTIL, KMS, SES],
  authorizer: [],
  hello: [],
};

// Under the git-ignored .esbuild/, like serverless-esbuild's own output.
const BUILD_DIR = join(resolve(__dirname, "..", ".."), ".esbuild");
mkdirSync(BUILD_DIR, { recursive: true });
const OUT_DIR = mkdtempSync(join(BUILD_DIR, "bundles-test-"));

afterAll(() => {
  rmSync(OUT_DIR, { recursive: true, force: true });
});

describe("deployment bundles", () => {
  test.each(Object.entries(FUNCTIONS))(
    "%s loads only the AWS SDK clients it calls",
    async (name, handler) => {
      // Act
      const { externals } = await bundleFunction(handler, join(OUT_DIR, `${name}.js`));

      // Assess
      expect(externals).toEqual(
        [...(EXPECTED[name as keyof typeof FUNCTIONS] ?? ["(unlisted)"])].sort(),
      );
    },
  );
});
