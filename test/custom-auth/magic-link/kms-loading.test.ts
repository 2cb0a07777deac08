/**
 * When the KMS client is built: verify's public-key source builds it at the first key fetch
 * (once, and again after a failed build); create's signer starts building it when the signer is
 * built (magic links on), never when magic links are off (no signer). The loaded modules
 * themselves are pinned per bundle in test/deployment/bundles.test.ts.
 */
import { loadCommonConfig } from "../../../shared/config/common";
import {
  createLinkSigner,
  createPublicKeySource,
} from "../../../shared/custom-auth/magic-link/adapters";
import { loadMagicLinkConfig } from "../../../shared/custom-auth/magic-link/config";
import {
  type LinkSigner,
  lazyPublicKeySource,
  type PublicKeySource,
  preloadedLinkSigner,
  signatureCheck,
} from "../../../shared/custom-auth/magic-link/keys";
import { kmsLinkSigner, kmsPublicKeySource } from "../../../shared/custom-auth/magic-link/kms";
import { type FakeKms, fakeKms } from "../../helpers/kms";

let kms: FakeKms;
beforeEach(() => {
  kms = fakeKms();
});
afterEach(() => {
  kms.mock.restore();
});

const message = Buffer.from("eyJ2IjoxfQ", "ascii");

function onEnv(): Record<string, string> {
  return {
    LOCAL_MODE: "false",
    AWS_REGION: "eu-west-1",
    CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "links",
    CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: kms.keyId,
    CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "https://app.example.com/sign-in/magic",
  };
}

describe("KMS client loading", () => {
  it("verify builds no KMS client until the first key fetch, then one for every fetch", async () => {
    // Prepare
    const env = onEnv();
    const common = loadCommonConfig(env);
    const config = loadMagicLinkConfig(env, common);
    if (config === undefined) throw new Error("magic links should be on");
    const makeKms = jest.fn(() => kms.client);

    // Act
    const source = createPublicKeySource(config, common, { makeKms });
    const before = makeKms.mock.calls.length;
    const [a, b] = await Promise.all([source.get(), source.get()]);
    await source.get();

    // Assess
    expect(before).toBe(0);
    expect(makeKms).toHaveBeenCalledTimes(1);
    expect(kms.calls("GetPublicKey")).toBe(1);
    expect(a).toBe(b);
    expect(source.label).toBe(`kms:${kms.keyId}`);
  });

  it("create starts building its KMS client with the signer, and signs with it", async () => {
    // Prepare
    const env = onEnv();
    const common = loadCommonConfig(env);
    const config = loadMagicLinkConfig(env, common);
    if (config === undefined) throw new Error("magic links should be on");
    const makeKms = jest.fn(() => kms.client);

    // Act
    const signer = createLinkSigner(config, common, { makeKms });
    await new Promise((resolve) => setImmediate(resolve));
    const built = makeKms.mock.calls.length;
    const signature = await signer.sign(message);
    await signer.sign(message);

    // Assess: built before any link, once; the signature is the key's.
    expect(built).toBe(1);
    expect(makeKms).toHaveBeenCalledTimes(1);
    expect(kms.calls("Sign")).toBe(2);
    expect(signatureCheck(kms.publicKey)(message, signature)).toBe(true);
  });

  it("is off with magic links off: no config, so no signer or key source is built", () => {
    // Act
    const env = { LOCAL_MODE: "false" };

    // Assess
    expect(loadMagicLinkConfig(env, loadCommonConfig(env))).toBeUndefined();
  });

  it("does not keep a failed build: the next call tries again", async () => {
    // Prepare
    const sourceLoad = jest
      .fn<Promise<PublicKeySource>, []>()
      .mockRejectedValueOnce(new Error("module failed to load"))
      .mockResolvedValue(kmsPublicKeySource(kms.client, kms.keyId));
    const signerLoad = jest
      .fn<Promise<LinkSigner>, []>()
      .mockRejectedValueOnce(new Error("module failed to load"))
      .mockResolvedValue(kmsLinkSigner(kms.client, kms.keyId));
    const source = lazyPublicKeySource("kms:test", sourceLoad);
    const signer = preloadedLinkSigner("kms:test", signerLoad);

    // Act / Assess: the signer's first build (at creation) failed; its first sign retries.
    expect(sourceLoad).not.toHaveBeenCalled();
    expect(signerLoad).toHaveBeenCalledTimes(1);
    await expect(source.get()).rejects.toThrow("module failed to load");
    await expect(source.get()).resolves.toBeDefined();
    await expect(signer.sign(message)).resolves.toHaveLength(64);
    expect(sourceLoad).toHaveBeenCalledTimes(2);
    expect(signerLoad).toHaveBeenCalledTimes(2);
  });
});
