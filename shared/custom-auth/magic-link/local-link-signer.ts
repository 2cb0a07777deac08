/**
 * The local-mode stand-in for KMS (no KMS endpoint set): a P-256 private key in a PEM file,
 * signing in memory to the same format as KMS. No AWS SDK import.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as signWithKey,
} from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../../errors";
import { derToRawSignature, isP256, type LinkSigner } from "./link-signer";

/**
 * The local stand-in's key pair: a PKCS#8 PEM P-256 private key in `file` (created, mode
 * 0600, when missing). Throws a ConfigError naming `variable` when the file holds anything else.
 */
export function loadLocalKeyPair(
  variable: string,
  file: string,
): { readonly privateKey: KeyObject; readonly publicKey: KeyObject } {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ConfigError(variable, `names a file that cannot be read (${file})`);
    }
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new ConfigError(variable, `names a file that is not a PEM private key (${file})`);
  }
  if (!isP256(privateKey)) {
    throw new ConfigError(variable, `must hold a P-256 private key (${file})`);
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** The local stand-in for KMS: signs with a private key in memory, the same output format. */
export function localLinkSigner(privateKey: KeyObject, label: string): LinkSigner {
  return {
    label,
    async sign(message) {
      // DER, as KMS returns it, through the same conversion to r || s with low S.
      return derToRawSignature(
        signWithKey("sha256", message, { key: privateKey, dsaEncoding: "der" }),
      );
    },
  };
}
