/**
 * The user migration handler: on `UserMigration_Authentication` it checks the password against
 * the legacy store (counting failures in the cross-sign-in lockout); on
 * `UserMigration_ForgotPassword` it finds the user without one. Either way Cognito creates the
 * user CONFIRMED, with the mapped attributes and no welcome message.
 */
import type { Context, UserMigrationTriggerEvent } from "aws-lambda";
import type { Deadline } from "../aws/clients";
import { cognitoTrigger } from "../cognito-trigger";
import { UserFacingError } from "../errors";
import { type AttemptStore, attemptsKey } from "../lockout/attempt-store";
import { isLockedOut } from "../lockout/decide";
import { failOpen } from "../lockout/fail-open";
import type { Logger } from "../logger";
import type { UserMigrationConfig } from "./config";
import { planMigration } from "./mapping";
import { USER_MIGRATION_SOURCES } from "./sources";
import type { LegacyUser, LegacyUserStore } from "./store";

/** The one text for an unknown user, a wrong password, a locked-out user and an unusable record. */
export const MIGRATION_REFUSED_MESSAGE = "Incorrect username or password.";

/** The user is not migrated; the message never says why. */
export class MigrationRefusedError extends UserFacingError {
  constructor() {
    super(MIGRATION_REFUSED_MESSAGE);
  }
}

/** Build the handler from its cold-start config, logger and stores. */
export function createUserMigrationHandler(deps: {
  readonly config: UserMigrationConfig;
  readonly logger: Logger;
  readonly store: LegacyUserStore;
  readonly attempts: AttemptStore | undefined;
  readonly now?: () => number;
}): (event: UserMigrationTriggerEvent, context?: Context) => Promise<UserMigrationTriggerEvent> {
  const { config, logger, store, attempts } = deps;
  const now = deps.now ?? Date.now;
  const lockout = attempts && config.lockout ? { store: attempts, ...config.lockout } : undefined;

  async function authenticate(
    event: UserMigrationTriggerEvent,
    userName: string,
    deadline: Deadline,
  ) {
    const password = event.request?.password;
    if (typeof password !== "string" || password === "") throw new MigrationRefusedError();
    const key = attemptsKey(event.userPoolId, event.userName);
    if (lockout) {
      const count = await failOpen(logger, "read", () => lockout.store.read(key, now(), deadline));
      if (isLockedOut(count, lockout.threshold, now())) {
        logger.info("Migration refused", { reason: "locked-out" });
        throw new MigrationRefusedError();
      }
    }
    const result = await store.authenticate(userName, password, deadline);
    if (result.kind === "refused") {
      if (lockout) {
        await failOpen(logger, "record-failure", () =>
          lockout.store.recordFailure(key, now(), lockout.windowSeconds, deadline),
        );
      }
      logger.info("Migration refused", { reason: "unknown-user-or-wrong-password" });
      throw new MigrationRefusedError();
    }
    if (lockout) {
      const outcome = await failOpen(logger, "clear", () =>
        lockout.store.clearUnlessLocked(key, now(), lockout.threshold, deadline),
      );
      if (outcome === "locked") {
        logger.info("Migration refused", { reason: "locked-out" });
        throw new MigrationRefusedError();
      }
    }
    return result.user;
  }

  return cognitoTrigger<UserMigrationTriggerEvent>(
    logger,
    USER_MIGRATION_SOURCES,
    // The wrapper's one deadline (AWS_CALL_BUDGET_MS, or less when the Lambda has less time
    // left) bounds the lockout calls and the legacy store's.
    async (event, _context, deadline) => {
      const typed = event.userName ?? "";
      const userName = config.lowercaseUserName ? typed.trim().toLowerCase() : typed;
      if (userName === "") throw new MigrationRefusedError();
      let user: LegacyUser | undefined;
      if (event.triggerSource === "UserMigration_Authentication") {
        user = await authenticate(event, userName, deadline);
      } else {
        user = await store.find(userName, deadline);
        if (user === undefined) {
          logger.info("Migration refused", { reason: "unknown-user" });
          throw new MigrationRefusedError();
        }
      }
      const plan = planMigration(user, config.attributeMap);
      if (plan.kind === "refuse") {
        logger.warn("Migration refused", { reason: plan.reason });
        throw new MigrationRefusedError();
      }
      event.response.userAttributes = plan.userAttributes;
      event.response.finalUserStatus = "CONFIRMED";
      event.response.messageAction = "SUPPRESS";
      // Only where Cognito can deliver: an address the legacy system verified.
      event.response.desiredDeliveryMediums = ["EMAIL"];
      event.response.forceAliasCreation = false;
      logger.info("User migrated", {
        source: event.triggerSource,
        attributes: Object.keys(plan.userAttributes),
        emailVerified: plan.userAttributes.email_verified === "true",
      });
      return event;
    },
    { timing: config.common },
  );
}
