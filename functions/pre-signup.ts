/**
 * Pre-signup trigger (PreSignUp_SignUp, PreSignUp_AdminCreateUser,
 * PreSignUp_ExternalProvider): who may register, auto-confirm / auto-verify,
 * and federated account linking. See docs/pre-signup.md.
 */
import { createLogger } from "../shared/logger";
import { createUserDirectory } from "../shared/pre-signup/adapters";
import { loadPreSignUpConfig } from "../shared/pre-signup/config";
import { createPreSignUpHandler } from "../shared/pre-signup/handler";

// Cold start: config parsed and validated once; the directory (Cognito, loaded on the first
// federated sign-in, or the local stand-in) chosen once.
const config = loadPreSignUpConfig(process.env);
const logger = createLogger("preSignUp");
const directory = createUserDirectory(config, logger);

/** The Lambda handler Cognito invokes. */
export const handler = createPreSignUpHandler({
  config,
  directory,
  logger,
  timing: config.common,
});
