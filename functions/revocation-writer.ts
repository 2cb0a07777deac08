/**
 * Revocation writer: fed by an EventBridge rule on the CloudTrail events of Cognito sign-outs,
 * disabled and deleted users, and token revocations; records `sub -> revokedAt` in the table
 * the authorizer reads. See docs/authorizer.md#revocation-writer.
 */
import { createLogger } from "../shared/logger";
import { createRevocationWriterAdapters } from "../shared/revocation/adapters";
import { loadRevocationWriterConfig } from "../shared/revocation/config";
import {
  createRevocationWriterHandler,
  type RevocationWriterResult,
} from "../shared/revocation/handler";

// Cold start: config parsed (a bad value fails here, naming the variable) and clients created once.
const config = loadRevocationWriterConfig(process.env);
const logger = createLogger("revocationWriter");
const adapters = createRevocationWriterAdapters(config, logger);
logger.debug("Revocation writer adapters", adapters.describe);

const write = createRevocationWriterHandler({ config, logger, ...adapters });

/** The Lambda handler EventBridge invokes (asynchronously: a thrown error is retried). */
export const handler = (event: unknown): Promise<RevocationWriterResult> => write(event);
