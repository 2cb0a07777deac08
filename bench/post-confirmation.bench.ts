/**
 * Post-confirmation: the pure decision path (profile and group derivation from the
 * event), which runs on every confirmation before any AWS call.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PostConfirmationTriggerEvent } from "aws-lambda";
import { planPostConfirmation } from "../shared/post-confirmation/decide";
import { loadProvisioningConfig } from "../shared/provisioning/config";
import { type BenchRow, formatMicros, medianMicros } from "./lib";

const TARGET_US = 50;

function event(name: string): PostConfirmationTriggerEvent {
  return JSON.parse(
    readFileSync(join(__dirname, "..", "events", `${name}.json`), "utf8"),
  ) as PostConfirmationTriggerEvent;
}

/** Median time of `planPostConfirmation` for a native and a federated event. */
export async function run(): Promise<BenchRow[]> {
  const config = loadProvisioningConfig({
    PROFILE_TABLE_NAME: "bench-profiles",
    DEFAULT_GROUP: "members",
    GROUP_BY_EMAIL_DOMAIN: JSON.stringify(
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`domain${i}.example`, `g${i}`])),
    ),
  });
  const rows: BenchRow[] = [];
  for (const name of ["post-confirmation-confirm-signup", "post-confirmation-federated"]) {
    const e = event(name);
    const input = {
      triggerSource: e.triggerSource,
      userName: e.userName,
      userPoolId: e.userPoolId,
      userAttributes: e.request.userAttributes,
    };
    const us = await medianMicros(() => planPostConfirmation(input, config, new Date()));
    rows.push({
      name: `post-confirmation: plan (${name.replace("post-confirmation-", "")})`,
      value: formatMicros(us),
      target: `< ${TARGET_US} us`,
      ok: us < TARGET_US,
    });
  }
  return rows;
}
