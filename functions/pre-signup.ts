/**
 * Pre-signup trigger (PreSignUp_SignUp, PreSignUp_AdminCreateUser,
 * PreSignUp_ExternalProvider): who may register, auto-confirm / auto-verify,
 * and federated account linking. See docs/pre-signup.md.
 */
import { sdkClientConfig } from "../shared/aws/clients";
import { createLogger } from "../shared/logger";
import { loadPreSignUpConfig } from "../shared/pre-signup/config";
import { lazyDirectory, type UserDirectory } from "../shared/pre-signup/directory";
import { createPreSignUpHandler } from "../shared/pre-signup/handler";
import { LocalUserDirectory } from "../shared/pre-signup/local-directory";

// Cold start: config parsed and validated once.
const config = loadPreSignUpConfig(process.env);
const logger = createLogger("preSignUp");

// Bounded timeouts and attempts (sdkClientConfig sets throwOnRequestTimeout); the handler adds
// one deadline per invocation (AWS_CALL_BUDGET_MS) for all its calls together.
const clientConfig = sdkClientConfig(config.common);

// Only federated sign-ins call Cognito. Loading its SDK client costs about as much as the rest
// of the cold start together, so it is loaded on the first federated sign-in (once per
// container), not for every sign-up. Safe here: which path runs follows from the event's
// trigger source, which the caller already knows, so the first call's extra time says nothing
// about any user. Local mode uses the in-memory stand-in unless a local engine's endpoint is set.
const directory: UserDirectory =
  config.common.localMode && config.cognitoEndpoint === undefined
    ? LocalUserDirectory.fromFile(config.localUsersFile, logger)
    : lazyDirectory(async () =>
        (await import("../shared/pre-signup/cognito-directory")).createCognitoUserDirectory(
          clientConfig,
        ),
      );

/** The Lambda handler Cognito invokes. */
export const handler = createPreSignUpHandler({
  config,
  directory,
  logger,
  timing: config.common,
});
