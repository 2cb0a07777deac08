/**
 * Pre-signup trigger (PreSignUp_SignUp, PreSignUp_AdminCreateUser,
 * PreSignUp_ExternalProvider): who may register, auto-confirm / auto-verify,
 * and federated account linking. See docs/pre-signup.md.
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { sdkClientConfig } from "../shared/aws/clients";
import { createLogger } from "../shared/logger";
import { loadPreSignUpConfig } from "../shared/pre-signup/config";
import {
  CognitoUserDirectory,
  LocalUserDirectory,
  type UserDirectory,
} from "../shared/pre-signup/directory";
import { createPreSignUpHandler } from "../shared/pre-signup/handler";

// Cold start: config parsed and validated once, clients created once.
const config = loadPreSignUpConfig(process.env);
const logger = createLogger("preSignUp");

// Bounded timeouts and attempts (sdkClientConfig sets throwOnRequestTimeout); the handler adds
// one deadline per invocation (AWS_CALL_BUDGET_MS) for all its calls together.
const clientConfig = sdkClientConfig(config.common);

// Local mode uses the in-memory stand-in unless a real local engine's endpoint is set.
const directory: UserDirectory =
  config.common.localMode && config.cognitoEndpoint === undefined
    ? LocalUserDirectory.fromFile(config.localUsersFile, logger)
    : new CognitoUserDirectory(new CognitoIdentityProviderClient(clientConfig));

/** The Lambda handler Cognito invokes. */
export const handler = createPreSignUpHandler({
  config,
  directory,
  logger,
  timing: config.common,
});
