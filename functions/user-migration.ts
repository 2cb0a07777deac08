/**
 * User migration trigger: moves a user from the legacy directory (a DynamoDB table of password
 * hashes, or the old system's HTTPS endpoint) into the pool at their first sign-in or password
 * reset. See docs/user-migration.md.
 */
import type { UserMigrationTriggerHandler } from "aws-lambda";
import { createLogger } from "../shared/logger";
import { createUserMigrationAdapters } from "../shared/user-migration/adapters";
import { loadUserMigrationConfig } from "../shared/user-migration/config";
import { createUserMigrationHandler } from "../shared/user-migration/handler";

// Cold start: config parsed, clients created once per container.
const config = loadUserMigrationConfig(process.env);
const logger = createLogger("userMigration");
const adapters = createUserMigrationAdapters(config);
logger.debug("User migration adapters", adapters.describe);

const userMigration = createUserMigrationHandler({
  config,
  logger,
  store: adapters.store,
  attempts: adapters.attempts,
});

/** The Lambda handler Cognito invokes. */
export const handler: UserMigrationTriggerHandler = (event, context) =>
  userMigration(event, context);
