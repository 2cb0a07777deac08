/** Reading the local outbox (LOCAL_OUTBOX_DIR: one file per email) for the code a user would type. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The code in the newest outbox email to `email` written after `since` (ms), waiting up to
 * 10 s for it to appear. The code is the first run of 6 to 10 digits of the text part.
 */
export async function codeFromOutbox(dir: string, email: string, since: number): Promise<string> {
  const suffix = `-${email.replace(/[^A-Za-z0-9@._-]/g, "_")}.txt`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter(
        // Files are named `<epoch ms>-...`: the time the email was written.
        (name) => name.endsWith(suffix) && Number(name.split("-")[0]) >= since,
      );
    } catch {
      names = [];
    }
    const newest = names.sort().at(-1);
    if (newest !== undefined) {
      const text = readFileSync(join(dir, newest), "utf8").split("\n----- HTML -----")[0] ?? "";
      const code = /\b(\d{6,10})\b/.exec(text.split("\n\n").slice(1).join("\n\n"))?.[1];
      if (code !== undefined) return code;
    }
    if (Date.now() > deadline) throw new Error(`no email to ${email} in ${dir}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}
