/**
 * The signing key's two implementations behind one interface: KMS (aws-sdk-client-mock with a
 * real P-256 key, DER signatures as KMS returns them) and the local PEM file; the public key
 * fetched once and cached; configured public keys.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import {
  kmsLinkSigner,
  kmsPublicKeySource,
} from "../../../shared/custom-auth/magic-link/kms-link-signer";
import {
  derToRawSignature,
  parsePublicKey,
  signatureCheck,
} from "../../../shared/custom-auth/magic-link/link-signer";
import {
  loadLocalKeyPair,
  localLinkSigner,
} from "../../../shared/custom-auth/magic-link/local-link-signer";
import { ConfigError, DependencyError } from "../../../shared/errors";
import { type FakeKms, fakeKms } from "../../helpers/kms";

let kms: FakeKms;
beforeEach(() => {
  kms = fakeKms();
});
afterEach(() => {
  kms.mock.restore();
});

const message = Buffer.from("eyJ2IjoxfQ", "ascii");

describe("KMS signer and public key", () => {
  it("signs with kms:Sign; the signature checks with the key from kms:GetPublicKey", async () => {
    // Prepare
    const signer = kmsLinkSigner(kms.client, kms.keyId);
    const source = kmsPublicKeySource(kms.client, kms.keyId);

    // Act
    const signature = await signer.sign(message);
    const check = signatureCheck(await source.get());

    // Assess
    expect(signature).toHaveLength(64);
    expect(check(message, signature)).toBe(true);
    expect(check(Buffer.from("eyJ2IjoyfQ", "ascii"), signature)).toBe(false);
    expect(kms.calls("Sign")).toBe(1);
  });

  it("always issues the low-S form (KMS returns either)", async () => {
    const signer = kmsLinkSigner(kms.client, kms.keyId);
    const half = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551") >> 1n;

    for (let i = 0; i < 40; i++) {
      const signature = await signer.sign(Buffer.from(`message ${i}`));
      expect(BigInt(`0x${signature.subarray(32).toString("hex")}`) <= half).toBe(true);
    }
  });

  it("fetches the public key once for any number of checks, concurrent ones included", async () => {
    const source = kmsPublicKeySource(kms.client, kms.keyId);

    await Promise.all([source.get(), source.get(), source.get()]);
    for (let i = 0; i < 10; i++) await source.get();

    expect(kms.calls("GetPublicKey")).toBe(1);
  });

  it("tries the fetch again after a failure (a failed fetch is not cached)", async () => {
    // Prepare
    kms.mock
      .on(GetPublicKeyCommand)
      .rejectsOnce(Object.assign(new Error("slow down"), { name: "ThrottlingException" }))
      .resolves({
        KeySpec: "ECC_NIST_P256",
        KeyUsage: "SIGN_VERIFY",
        PublicKey: new Uint8Array(kms.publicKey.export({ type: "spki", format: "der" })),
      });
    const source = kmsPublicKeySource(kms.client, kms.keyId);

    // Act
    const first = source.get();

    // Assess
    await expect(first).rejects.toBeInstanceOf(DependencyError);
    await expect(first).rejects.toThrow("KMS GetPublicKey failed: ThrottlingException");
    expect((await source.get()).equals(kms.publicKey)).toBe(true);
    expect(kms.calls("GetPublicKey")).toBe(2);
  });

  it("refuses a key that is not ECC_NIST_P256 / SIGN_VERIFY", async () => {
    kms.mock.on(GetPublicKeyCommand).resolves({
      KeySpec: "RSA_2048",
      KeyUsage: "SIGN_VERIFY",
      PublicKey: new Uint8Array([1, 2, 3]),
    });
    const source = kmsPublicKeySource(kms.client, kms.keyId);

    await expect(source.get()).rejects.toThrow("is RSA_2048/SIGN_VERIFY, not ECC_NIST_P256");
  });

  it("names the failed call when the key does not exist", async () => {
    const signer = kmsLinkSigner(kms.client, "alias/missing");

    await expect(signer.sign(message)).rejects.toThrow("KMS Sign failed: NotFoundException");
  });

  it.each([
    ["not a SEQUENCE", [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ["wrong length", [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ["trailing bytes", [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]],
    ["zero r", [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]],
  ])("refuses a DER signature that is %s", (_name, bytes) => {
    expect(() => derToRawSignature(Uint8Array.from(bytes))).toThrow(DependencyError);
  });
});

describe("local key file", () => {
  it("creates the key (mode 0600) on first use and reuses it; its signatures check", async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), "ml-key-")), "sub", "key.pem");

    // Act
    const first = loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", file);
    const second = loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", file);
    const signature = await localLinkSigner(first.privateKey, "file").sign(message);

    // Assess
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toContain("BEGIN PRIVATE KEY");
    expect(signatureCheck(second.publicKey)(message, signature)).toBe(true);
  });

  it("refuses a file holding something else, naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "ml-key-"));
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "not a key");
    const rsa = join(dir, "rsa.pem");
    writeFileSync(
      rsa,
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
    );

    expect(() => loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", garbage)).toThrow(
      "Invalid configuration: LOCAL_MAGIC_LINK_KEY_FILE names a file that is not a PEM private key",
    );
    expect(() => loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", rsa)).toThrow(
      "LOCAL_MAGIC_LINK_KEY_FILE must hold a P-256 private key",
    );
  });
});

describe("configured public key", () => {
  it("reads PEM (with \\n escapes) and base64 DER, refuses other keys naming the variable", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const der = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const other = generateKeyPairSync("ec", { namedCurve: "secp384r1" })
      .publicKey.export({ type: "spki", format: "der" })
      .toString("base64");

    expect(parsePublicKey("X", pem).equals(publicKey)).toBe(true);
    expect(parsePublicKey("X", pem.replace(/\n/g, "\\n")).equals(publicKey)).toBe(true);
    expect(parsePublicKey("X", der).equals(publicKey)).toBe(true);
    expect(() => parsePublicKey("X", other)).toThrow(ConfigError);
    expect(() => parsePublicKey("X", "nonsense")).toThrow("Invalid configuration: X is not");
  });
});
