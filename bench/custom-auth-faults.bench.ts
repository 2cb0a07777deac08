/**
 * custom-auth while SES fails: how much longer (or shorter) a real user's create step takes than
 * an unknown user's who typed the same email, on the real clock, with the real SES v2 client
 * against loopback stand-ins (refusing at once; never answering). Interleaved runs; the figure is
 * the gap between the two paths' median durations. Target: under 20% of the send slot.
 */

import createFirst from "../events/custom-auth-create-first.json";
import createUnknown from "../events/custom-auth-create-user-not-found.json";
import { loadCreateAuthConfig } from "../shared/custom-auth/config";
import { createIssueAuthChallengeHandler } from "../shared/custom-auth/handlers";
import { createCodeSender } from "../shared/custom-auth/sender";
import type { CreateAuthChallengeTriggerEvent } from "../shared/events";
import { createLogger } from "../shared/logger";
import { type SesBehaviour, startSesServer } from "../test/helpers/ses-server";
import { type BenchRow, median } from "./lib";

const SLOT_MS = 100;
const CLIENT_TIMEOUT_MS = 200;
const ROUNDS = 15;

async function gap(behaviour: SesBehaviour): Promise<{ real: number; unknown: number }> {
  const server = await startSesServer(behaviour);
  try {
    const config = loadCreateAuthConfig({
      LOCAL_MODE: "true",
      AWS_ENDPOINT_URL_SESV2: server.endpoint,
      AWS_REGION: "eu-west-1",
      CUSTOM_AUTH_PRETEND_DELAY_MS: String(SLOT_MS),
      AWS_CALL_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
    });
    const logger = createLogger("createAuthChallenge");
    // Every real create logs an ERROR line here; the bench prints figures only.
    logger.setLogLevel("SILENT");
    const handler = createIssueAuthChallengeHandler({
      config,
      logger,
      sender: createCodeSender(config),
    });
    const real = (): CreateAuthChallengeTriggerEvent => structuredClone(createFirst) as never;
    const unknown = (): CreateAuthChallengeTriggerEvent => {
      const event = structuredClone(createUnknown) as unknown as CreateAuthChallengeTriggerEvent;
      event.userName = "jane.doe@example.com";
      return event;
    };
    const timed = async (event: CreateAuthChallengeTriggerEvent): Promise<number> => {
      const started = performance.now();
      await handler(event);
      return performance.now() - started;
    };
    // One real failure first: the container has then seen what a failing send costs.
    await timed(real());
    const durations = { real: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      durations.real.push(await timed(real()));
      durations.unknown.push(await timed(unknown()));
    }
    return { real: median(durations.real), unknown: median(durations.unknown) };
  } finally {
    await server.close();
  }
}

/** Run the custom-auth fault benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [label, behaviour, slot] of [
    ["SES rejecting", { kind: "reject" }, SLOT_MS],
    ["SES not answering", { kind: "hang" }, CLIENT_TIMEOUT_MS],
  ] as const) {
    const { real, unknown } = await gap(behaviour);
    const difference = Math.abs(real - unknown);
    rows.push({
      name: `custom-auth: create gap real vs unknown, ${label}`,
      value: `${difference.toFixed(1)} ms (${real.toFixed(0)} vs ${unknown.toFixed(0)} ms)`,
      target: `< ${(slot * 0.2).toFixed(0)} ms`,
      ok: difference < slot * 0.2,
    });
  }
  return rows;
}
