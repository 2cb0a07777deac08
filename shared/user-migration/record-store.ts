/**
 * A {@link LegacyUserStore} over records that hold a password hash, whatever reads them (the
 * DynamoDB table in dynamo-store.ts, the local file in local-store.ts). SDK-free.
 */
import type { Deadline } from "../aws/clients";
import { legacyFlagIsTrue } from "./mapping";
import type { HashChecker, LegacyUser, LegacyUserStore } from "./store";

/** The table and its fields. */
export interface LegacyTableShape {
  readonly tableName: string;
  readonly keyAttribute: string;
  readonly hashField: string;
  readonly emailVerifiedField: string;
}

/** Where a legacy record is read from: the table's item, or the local file's entry. */
export type RecordReader = (
  userName: string,
  deadline: Deadline,
) => Promise<Record<string, unknown> | undefined>;

/**
 * A {@link LegacyUserStore} over records holding a password hash (the table, the local file):
 * one read per call, and one hash check per `authenticate` whether or not the user exists.
 */
export function recordLegacyStore(
  read: RecordReader,
  shape: Pick<LegacyTableShape, "hashField" | "emailVerifiedField">,
  hashes: HashChecker,
): LegacyUserStore {
  function toUser(fields: Record<string, unknown>): LegacyUser {
    const { [shape.hashField]: _hash, ...rest } = fields;
    return { fields: rest, emailVerified: legacyFlagIsTrue(fields[shape.emailVerifiedField]) };
  }

  return {
    async authenticate(userName, password, deadline) {
      const fields = await read(userName, deadline);
      const stored = fields === undefined ? undefined : hashes.parse(fields[shape.hashField]);
      // Unknown user, or no usable hash: check the dummy so every refusal costs one hash check.
      const matches = await hashes.verify(password, stored ?? hashes.dummy);
      if (fields === undefined || stored === undefined || !matches) return { kind: "refused" };
      return { kind: "authenticated", user: toUser(fields) };
    },
    async find(userName, deadline) {
      const fields = await read(userName, deadline);
      return fields === undefined ? undefined : toUser(fields);
    },
  };
}
