/**
 * User migration: the decision path (attribute mapping, target 20 us), each hash check on its
 * own (bcrypt cost 10 as the default dummy, scrypt ln=15, PBKDF2-SHA256 600,000 iterations), and
 * the timing gap between an unknown user and a wrong password through the whole handler with
 * the default dummy hash (target: medians within 10% of each other, measured in this run).
 */
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import type { UserMigrationTriggerEvent } from "aws-lambda";
import bcrypt from "bcryptjs";
import sample from "../events/user-migration-authentication.json";
import { createLogger } from "../shared/logger";
import { loadUserMigrationConfig } from "../shared/user-migration/config";
import { dynamoLegacyStore } from "../shared/user-migration/dynamo-store";
import { createUserMigrationHandler } from "../shared/user-migration/handler";
import { parseLegacyHash, verifyPassword } from "../shared/user-migration/hashes";
import { planMigration } from "../shared/user-migration/mapping";
import { type BenchRow, formatMicros, median, medianMicros } from "./lib";

const DECISION_TARGET_US = 20;
const GAP_TARGET = 0.1;
const RUNS = 15;
const PASSWORD = "legacy-Passw0rd!";

function ab64(buffer: Buffer): string {
  return buffer.toString("base64").replace(/=+$/, "").replace(/\+/g, ".");
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Run the user migration benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const config = loadUserMigrationConfig({
    USER_MIGRATION_SOURCE: "dynamodb",
    USER_MIGRATION_TABLE_NAME: "legacy-users",
  });

  // The decision path: the mapping of a legacy record.
  const user = {
    fields: {
      email: " Jane.Doe@Example.com",
      given_name: "Jane",
      family_name: "Doe",
      locale: "en",
    },
    emailVerified: true,
  };
  const decision = await medianMicros(() => planMigration(user, config.attributeMap));
  rows.push({
    name: "user migration: decision (attribute mapping)",
    value: formatMicros(decision),
    target: `<= ${DECISION_TARGET_US} us`,
    ok: decision <= DECISION_TARGET_US,
  });

  // Each hash check on its own, at costs legacy systems use.
  const salt = randomBytes(16);
  const hashes: [string, string][] = [
    ["bcrypt cost 10 (default dummy)", bcrypt.hashSync(PASSWORD, 10)],
    [
      "scrypt ln=15 r=8 p=1",
      `$scrypt$ln=15,r=8,p=1$${ab64(salt)}$${ab64(scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }))}`,
    ],
    [
      "PBKDF2-SHA256 600,000",
      `$pbkdf2-sha256$600000$${ab64(salt)}$${ab64(pbkdf2Sync(PASSWORD, salt, 600000, 32, "sha256"))}`,
    ],
  ];
  for (const [label, stored] of hashes) {
    const hash = parseLegacyHash(stored);
    if (hash === undefined) throw new Error(`bench hash not parsed: ${label}`);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(await timeMs(() => verifyPassword(PASSWORD, hash)));
    rows.push({
      name: `user migration: hash check, ${label}`,
      value: `${median(samples).toFixed(1)} ms`,
    });
  }

  // Unknown user vs wrong password through the handler, the store answering at once (a fake
  // client: the gap under test is the trigger's own), the default dummy hash (bcrypt cost 10)
  // and a legacy hash of the same cost.
  const legacyHash = bcrypt.hashSync(PASSWORD, 10);
  const client = {
    send: async (command: { input: { Key: Record<string, { S: string }> } }) =>
      command.input.Key.username?.S === "jane.doe@example.com"
        ? { Item: { username: { S: "jane.doe@example.com" }, passwordHash: { S: legacyHash } } }
        : {},
  };
  const store = dynamoLegacyStore(
    client as never,
    { ...(config.table as NonNullable<typeof config.table>), emailVerifiedField: "emailVerified" },
    { parse: parseLegacyHash, verify: verifyPassword, dummy: config.dummyHash },
  );
  const logger = createLogger("userMigration");
  logger.setLogLevel("SILENT");
  const migrate = createUserMigrationHandler({ config, logger, store, attempts: undefined });
  const attempt = (userName: string) => {
    const event = structuredClone(sample) as unknown as UserMigrationTriggerEvent;
    event.userName = userName;
    event.request.password = "not-the-password";
    return migrate(event).catch(() => undefined);
  };
  const unknown: number[] = [];
  const wrong: number[] = [];
  await attempt("nobody@example.com");
  await attempt("jane.doe@example.com");
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so a slow moment of the machine hits both.
    unknown.push(await timeMs(() => attempt("nobody@example.com")));
    wrong.push(await timeMs(() => attempt("jane.doe@example.com")));
  }
  const [u, w] = [median(unknown), median(wrong)];
  const gap = Math.abs(u - w) / Math.max(u, w);
  rows.push({
    name: "user migration: unknown user / wrong password (median ms)",
    value: `${u.toFixed(1)} / ${w.toFixed(1)} ms, gap ${(gap * 100).toFixed(1)}%`,
    target: `gap <= ${GAP_TARGET * 100}%`,
    ok: gap <= GAP_TARGET,
  });
  return rows;
}
