/** The user migration trigger's sources (the registry and the handler read them). */
import type { UserMigrationTriggerEvent } from "aws-lambda";

/** The trigger sources this handler answers. */
export const USER_MIGRATION_SOURCES = [
  "UserMigration_Authentication",
  "UserMigration_ForgotPassword",
] as const satisfies readonly UserMigrationTriggerEvent["triggerSource"][];
