/**
 * Choose the pre-signup trigger's {@link UserDirectory} from its config, once per container:
 *
 * | mode | directory |
 * | --- | --- |
 * | AWS (`localMode` false) | Cognito (cognito-directory.ts), loaded on first use |
 * | local, `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` set | that engine (cognito-local), loaded on first use |
 * | local, no endpoint | the in-memory stand-in seeded from `PRE_SIGNUP_LOCAL_USERS_FILE` (local-directory.ts) |
 */
import { sdkClientConfig } from "../aws/clients";
import type { Logger } from "../logger";
import type { PreSignUpConfig } from "./config";
import { lazyDirectory, type UserDirectory } from "./directory";
import { LocalUserDirectory } from "./local-directory";

/**
 * Build the directory for `config`. Only federated sign-ins call Cognito, and loading its SDK
 * client costs about as much as the rest of the cold start together, so the Cognito directory
 * is imported on the first federated sign-in (once per container), not for every sign-up. Safe
 * here: which path runs follows from the event's trigger source, which the caller already
 * knows, so the first call's extra time says nothing about any user.
 */
export function createUserDirectory(config: PreSignUpConfig, logger: Logger): UserDirectory {
  if (config.common.localMode && config.cognitoEndpoint === undefined) {
    return LocalUserDirectory.fromFile(config.localUsersFile, logger);
  }
  // Bounded timeouts and attempts (sdkClientConfig sets throwOnRequestTimeout); the handler adds
  // one deadline per invocation (AWS_CALL_BUDGET_MS) for all its calls together.
  const clientConfig = sdkClientConfig(config.common);
  return lazyDirectory(async () =>
    (await import("./cognito-directory")).createCognitoUserDirectory(clientConfig),
  );
}
