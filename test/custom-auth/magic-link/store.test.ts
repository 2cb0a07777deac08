/**
 * The live-links store on a real engine (dynalite) and its local file stand-in: one live link
 * per user, replaced by a new one, throttled, used once; two concurrent uses of one link
 * (through the whole use path: parse, signature, conditional delete): exactly one succeeds.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dynamoLiveLinkStore,
  nonceTableDefinition,
} from "../../../shared/custom-auth/magic-link/dynamodb-live-link-store";
import { staticPublicKeySource } from "../../../shared/custom-auth/magic-link/link-signer";
import { issueLink, useLink } from "../../../shared/custom-auth/magic-link/links";
import type { LiveLinkStore } from "../../../shared/custom-auth/magic-link/live-link-store";
import { localLinkSigner } from "../../../shared/custom-auth/magic-link/local-link-signer";
import { localLiveLinkStore } from "../../../shared/custom-auth/magic-link/local-live-link-store";
import { type LocalDynamo, startDynalite } from "../../helpers/dynalite";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const SUBJECT = {
  pool: "eu-west-1_TESTPOOL",
  user: "11111111-2222-3333-4444-555555555555",
  sub: "11111111-2222-3333-4444-555555555555",
};
const SETTINGS = { baseUrl: "https://app.example.com/magic", ttlSeconds: 900, throttleSeconds: 60 };
const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const signer = localLinkSigner(keys.privateKey, "test");
const publicKey = staticPublicKeySource(keys.publicKey, "test");

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const tokenOf = (url: string) => url.slice(url.indexOf("#") + 1);

describe.each<[string, () => Promise<LiveLinkStore>]>([
  [
    "DynamoDB (dynalite)",
    async () => {
      tables += 1;
      const table = `magic-links-${tables}`;
      await dynamo.createTable(nonceTableDefinition(table));
      return dynamoLiveLinkStore(dynamo.client, table);
    },
  ],
  [
    "local JSON file",
    async () => localLiveLinkStore(join(mkdtempSync(join(tmpdir(), "links-")), "l.json")),
  ],
])("magic links over %s", (_name, makeStore) => {
  let store: LiveLinkStore;
  beforeEach(async () => {
    store = await makeStore();
  });
  const use = (token: string, at = NOW) => useLink({ publicKey, store }, token, SUBJECT, at);

  it("a link signs in once; the second use is refused", async () => {
    // Prepare
    const issued = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW);
    if (issued.outcome !== "issued") throw new Error("not issued");

    // Act
    const first = await use(tokenOf(issued.url), NOW + 5_000);
    const second = await use(tokenOf(issued.url), NOW + 6_000);

    // Assess
    expect(issued.url.startsWith("https://app.example.com/magic#")).toBe(true);
    expect(issued.expiresAt).toBe(NOW + 900_000);
    expect(first).toBe("valid");
    expect(second).toBe("used-or-replaced");
  });

  it("a new link replaces the old one: the older link no longer works", async () => {
    const older = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW);
    const newer = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW + 61_000);
    if (older.outcome !== "issued" || newer.outcome !== "issued") throw new Error("not issued");

    expect(await use(tokenOf(older.url), NOW + 62_000)).toBe("used-or-replaced");
    expect(await use(tokenOf(newer.url), NOW + 62_000)).toBe("valid");
  });

  it("throttles: a second request within the throttle changes nothing, after it replaces", async () => {
    const first = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW);
    const tooSoon = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW + 59_000);
    const later = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW + 60_000);
    if (first.outcome !== "issued") throw new Error("not issued");

    expect(tooSoon).toEqual({ outcome: "throttled" });
    expect(later.outcome).toBe("issued");
    expect(await use(tokenOf(first.url), NOW + 61_000)).toBe("used-or-replaced");
  });

  it("no throttle with throttleSeconds 0", async () => {
    const settings = { ...SETTINGS, throttleSeconds: 0 };
    await issueLink({ signer, store }, SUBJECT, settings, NOW);
    const again = await issueLink({ signer, store }, SUBJECT, settings, NOW);

    expect(again.outcome).toBe("issued");
  });

  it("an expired link is refused before the store is asked, and the store refuses it too", async () => {
    const issued = await issueLink({ signer, store }, SUBJECT, SETTINGS, NOW);
    if (issued.outcome !== "issued") throw new Error("not issued");

    expect(await use(tokenOf(issued.url), NOW + 900_000)).toBe("expired");
    expect(await store.consume(`${SUBJECT.pool}#${SUBJECT.user}`, "x", NOW + 900_000)).toBe(
      "rejected",
    );
  });

  it("another user's link is refused without consuming it", async () => {
    const other = { ...SUBJECT, user: "other-user", sub: "other-sub" };
    const issued = await issueLink({ signer, store }, other, SETTINGS, NOW);
    if (issued.outcome !== "issued") throw new Error("not issued");

    expect(await use(tokenOf(issued.url))).toBe("wrong-user");
    expect(await useLink({ publicKey, store }, tokenOf(issued.url), other, NOW)).toBe("valid");
  });
});

describe("race (dynalite)", () => {
  it("two concurrent uses of one link: exactly one succeeds, every time", async () => {
    // Prepare
    await dynamo.createTable(nonceTableDefinition("magic-links-race"));
    const store = dynamoLiveLinkStore(dynamo.client, "magic-links-race");

    for (let round = 0; round < 10; round++) {
      const issued = await issueLink(
        { signer, store },
        SUBJECT,
        { ...SETTINGS, throttleSeconds: 0 },
        NOW,
      );
      if (issued.outcome !== "issued") throw new Error("not issued");
      const token = tokenOf(issued.url);

      // Act
      const verdicts = await Promise.all([
        useLink({ publicKey, store }, token, SUBJECT, NOW + 1_000),
        useLink({ publicKey, store }, token, SUBJECT, NOW + 1_000),
      ]);

      // Assess
      expect(verdicts.sort()).toEqual(["used-or-replaced", "valid"]);
    }
  });
});
