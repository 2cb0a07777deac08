/**
 * Messages: template rendering per message (target 50 us), the custom message bundle (50 KB,
 * cold import 20 ms, no AWS SDK or Encryption SDK in it), and the custom email sender's bundle
 * and cold import against a minimal Encryption SDK decrypt handler built and measured in the
 * same run (target: within 1.2x, the SDK modules they require included).
 *
 * Cold imports are held to their targets by the median of the runs, as in the bundles bench; the
 * fastest run is printed beside (other work on a shared machine only ever adds time, so it is
 * the figure closest to the code's own cost). The two sides of the ratio run alternately.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CustomEmailSenderTriggerEvent, CustomMessageTriggerEvent } from "aws-lambda";
import sampleSender from "../events/custom-email-sender-forgot-password.json";
import sampleCustomMessage from "../events/custom-message-sign-up-markup-name.json";
import { bundleFunction } from "../scripts/bundle";
import { localEnvironment } from "../scripts/local-env";
import { REGISTRY } from "../scripts/registry";
import { loadCustomEmailSenderConfig } from "../shared/custom-email-sender/config";
import { planEmail } from "../shared/custom-email-sender/plan";
import { buildCustomMessage } from "../shared/custom-message/build";
import { loadCustomMessageConfig } from "../shared/custom-message/config";
import { type BenchRow, formatMicros, median, medianMicros } from "./lib";

const ROOT = resolve(__dirname, "..");
const OUT_DIR = join(ROOT, ".esbuild", `bench-messages-${process.pid}`);
const RENDER_TARGET_US = 50;
const CUSTOM_MESSAGE_KB = 50;
const CUSTOM_MESSAGE_IMPORT_MS = 20;
const SENDER_RATIO = 1.2;
const RUNS = 15;
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** Milliseconds `require(bundle)` takes in a fresh node process, everything it requires included. */
function coldImportMs(bundleFile: string, env: NodeJS.ProcessEnv): number {
  const script =
    "const t=process.hrtime.bigint();require(process.argv[1]);" +
    "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
  const out = execFileSync(process.execPath, ["-e", script, bundleFile], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return Number(out.toString().trim());
}

function functionEnv(name: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...localEnvironment(ROOT, name),
    AWS_REGION: "eu-west-1",
    // Outside local mode, as in AWS: the KMS keyring and the DynamoDB record are built.
    CUSTOM_EMAIL_SENDER_KMS_KEY_ARN: KEY_ARN,
    CUSTOM_EMAIL_SENDER_CODE_HASH_KEY: "k".repeat(40),
    KEY_ARN,
  };
}

/** Run the messages benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // Rendering: the custom message decision (escaping a hostile given_name), and the sender's plan.
  const cm = loadCustomMessageConfig({ MESSAGES_APP_NAME: "Acme" });
  const event = sampleCustomMessage as unknown as CustomMessageTriggerEvent;
  const render = await medianMicros(() => buildCustomMessage(event, cm.catalog));
  rows.push({
    name: "messages: custom message render (sign-up, escaped name)",
    value: formatMicros(render),
    target: `<= ${RENDER_TARGET_US} us`,
    ok: render <= RENDER_TARGET_US,
  });
  const ces = loadCustomEmailSenderConfig({
    MESSAGES_APP_NAME: "Acme",
    CUSTOM_EMAIL_SENDER_KMS_KEY_ARN: KEY_ARN,
    CUSTOM_EMAIL_SENDER_FROM_ADDRESS: "no-reply@example.com",
    CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME: "bench",
    CUSTOM_EMAIL_SENDER_CODE_HASH_KEY: "k".repeat(40),
  });
  const senderEvent = sampleSender as unknown as CustomEmailSenderTriggerEvent;
  const plan = await medianMicros(() =>
    planEmail(senderEvent, "123456", ces.catalog, ces.codeHashKey),
  );
  rows.push({
    name: "messages: custom email sender render + key HMAC (fr)",
    value: formatMicros(plan),
    target: `<= ${RENDER_TARGET_US} us`,
    ok: plan <= RENDER_TARGET_US,
  });

  mkdirSync(OUT_DIR, { recursive: true });
  try {
    const message = await bundleFunction(REGISTRY.customMessage.handler, join(OUT_DIR, "cm.js"));
    const kb = statSync(message.file).size / 1024;
    const heavy = [...message.externals, ...message.packages].filter((p) =>
      /^@aws-(sdk|crypto)\//.test(p),
    );
    rows.push({
      name: "messages: customMessage bundle (no AWS SDK, no Encryption SDK)",
      value: `${kb.toFixed(1)} KB${heavy.length > 0 ? ` + ${heavy.join(", ")}` : ""}`,
      target: `<= ${CUSTOM_MESSAGE_KB} KB, none`,
      ok: kb <= CUSTOM_MESSAGE_KB && heavy.length === 0,
    });
    const messageEnv = functionEnv("customMessage");
    coldImportMs(message.file, messageEnv);
    const messageRuns = Array.from({ length: RUNS }, () => coldImportMs(message.file, messageEnv));
    const messageMs = median(messageRuns);
    rows.push({
      name: `messages: customMessage cold import (median of ${RUNS}; fastest)`,
      value: `${messageMs.toFixed(1)} ms (${Math.min(...messageRuns).toFixed(1)} ms)`,
      target: `<= ${CUSTOM_MESSAGE_IMPORT_MS} ms`,
      ok: messageMs <= CUSTOM_MESSAGE_IMPORT_MS,
    });

    const sender = await bundleFunction(
      REGISTRY.customEmailSender.handler,
      join(OUT_DIR, "ces.js"),
    );
    const minimal = await bundleFunction(
      "bench/fixtures/minimal-decrypt.handler",
      join(OUT_DIR, "minimal.js"),
    );
    const senderKb = statSync(sender.file).size / 1024;
    const minimalKb = statSync(minimal.file).size / 1024;
    rows.push({
      name: "messages: minimal Encryption SDK decrypt handler bundle",
      value: `${minimalKb.toFixed(1)} KB`,
    });
    rows.push({
      name: "messages: customEmailSender bundle / minimal",
      value: `${senderKb.toFixed(1)} KB (${(senderKb / minimalKb).toFixed(2)}x)`,
      target: `<= ${SENDER_RATIO}x`,
      ok: senderKb / minimalKb <= SENDER_RATIO,
    });
    // Alternate the two so machine load falls on both alike; the SDK modules they require count.
    const senderEnv = functionEnv("customEmailSender");
    coldImportMs(sender.file, senderEnv);
    coldImportMs(minimal.file, senderEnv);
    const senderMs: number[] = [];
    const minimalMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      senderMs.push(coldImportMs(sender.file, senderEnv));
      minimalMs.push(coldImportMs(minimal.file, senderEnv));
    }
    const s = median(senderMs);
    const m = median(minimalMs);
    const fastest = Math.min(...senderMs) / Math.min(...minimalMs);
    rows.push({
      name: `messages: minimal decrypt handler cold import incl. SDK (median of ${RUNS}; fastest)`,
      value: `${m.toFixed(1)} ms (${Math.min(...minimalMs).toFixed(1)} ms)`,
    });
    rows.push({
      name: "messages: customEmailSender cold import incl. SDK / minimal (medians; fastest)",
      value: `${s.toFixed(1)} ms (${(s / m).toFixed(2)}x; fastest ${fastest.toFixed(2)}x)`,
      target: `<= ${SENDER_RATIO}x`,
      ok: s / m <= SENDER_RATIO,
    });
  } finally {
    rmSync(OUT_DIR, { recursive: true, force: true });
  }
  return rows;
}
