/**
 * The magic-link signing key's interfaces and everything that needs no AWS SDK: the signature
 * format (P-256, r || s, low S), its check with a public key in memory, configured public
 * keys, and the local-mode stand-in for KMS (a PEM file). The KMS implementations: kms.ts.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as signWithKey,
  verify as verifyWithKey,
} from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Deadline } from "../../aws/clients";
import { ConfigError, DependencyError } from "../../errors";
import { SIGNATURE_BYTES, type SignatureCheck } from "./token";

/** Signs a link's payload: 64 bytes, r || s with low S. */
export interface LinkSigner {
  /** Where the key lives, for a debug line (no secret). */
  readonly label: string;
  sign(message: Buffer, deadline?: Deadline): Promise<Buffer>;
}

/** The public key that checks links, loaded once per container. */
export interface PublicKeySource {
  readonly label: string;
  /** The key (the first call may load it; later calls answer from memory). */
  get(deadline?: Deadline): Promise<KeyObject>;
}

/** The KMS key spec and signing algorithm magic links use. */
export const KEY_SPEC = "ECC_NIST_P256";
/** The KMS signing algorithm magic links use. */
export const SIGNING_ALGORITHM = "ECDSA_SHA_256";

// The order of the P-256 group: a signature (r, s) is as valid as (r, n - s), so only the
// low one is issued and accepted, and a token has one spelling.
const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const HALF_ORDER = P256_ORDER >> 1n;
const HALF = SIGNATURE_BYTES / 2;

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function toFixed(value: bigint): Buffer {
  const hex = value.toString(16).padStart(HALF * 2, "0");
  return Buffer.from(hex, "hex");
}

/** `r || s` with S replaced by n - S when it is in the upper half. */
function lowS(r: bigint, s: bigint): Buffer {
  const low = s > HALF_ORDER ? P256_ORDER - s : s;
  return Buffer.concat([toFixed(r), toFixed(low)]);
}

/** Read one DER INTEGER at `offset`; undefined when malformed. */
function derInteger(der: Uint8Array, offset: number): { value: bigint; next: number } | undefined {
  if (der[offset] !== 0x02) return undefined;
  const length = der[offset + 1];
  if (length === undefined || length === 0 || length > HALF + 1) return undefined;
  const start = offset + 2;
  if (start + length > der.length) return undefined;
  return { value: toBigInt(der.subarray(start, start + length)), next: start + length };
}

/**
 * Convert KMS's DER signature (SEQUENCE of two INTEGERs) to 64-byte r || s with low S.
 * Throws a DependencyError on anything else (KMS never sends it).
 */
export function derToRawSignature(der: Uint8Array): Buffer {
  const fail = () => new DependencyError("KMS Sign returned a signature that is not ECDSA DER");
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw fail();
  const r = derInteger(der, 2);
  const s = r && derInteger(der, r.next);
  if (r === undefined || s === undefined || s.next !== der.length) throw fail();
  if (r.value === 0n || s.value === 0n || r.value >= P256_ORDER || s.value >= P256_ORDER) {
    throw fail();
  }
  return lowS(r.value, s.value);
}

/**
 * The signature check for `publicKey`: ECDSA P-256 / SHA-256 over the bytes, 64-byte r || s,
 * low S only. Never throws.
 */
export function signatureCheck(publicKey: KeyObject): SignatureCheck {
  return (bytes, signature) => {
    if (signature.length !== SIGNATURE_BYTES) return false;
    if (toBigInt(signature.subarray(HALF)) > HALF_ORDER) return false;
    try {
      return verifyWithKey(
        "sha256",
        bytes,
        { key: publicKey, dsaEncoding: "ieee-p1363" },
        signature,
      );
    } catch {
      return false;
    }
  };
}

/** True for a P-256 EC key object. */
export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1";
}

/**
 * A P-256 public key from configuration (PEM, or base64 DER SubjectPublicKeyInfo as KMS
 * GetPublicKey returns it). Throws a ConfigError naming `variable`.
 */
export function parsePublicKey(variable: string, text: string): KeyObject {
  let key: KeyObject;
  try {
    key = text.includes("-----BEGIN")
      ? createPublicKey({ key: text.replace(/\\n/g, "\n"), format: "pem" })
      : createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
  } catch {
    throw new ConfigError(variable, "is not a PEM or base64 DER public key");
  }
  if (!isP256(key)) throw new ConfigError(variable, "must be an ECC_NIST_P256 (P-256) public key");
  return key;
}

/** A public key known at cold start (configuration, or the local key file). */
export function staticPublicKeySource(key: KeyObject, label: string): PublicKeySource {
  const ready = Promise.resolve(key);
  return { label, get: () => ready };
}

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
      const raw = signWithKey("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
      return lowS(toBigInt(raw.subarray(0, HALF)), toBigInt(raw.subarray(HALF)));
    },
  };
}

/**
 * A signer whose module loads apart from the handler's (once per container): `load` starts
 * when this is called, so the KMS client loads during the cold start only when a signer is
 * built at all (magic links on), and is ready before the first link. A failed build is not
 * kept: the next `sign` tries again.
 */
export function preloadedLinkSigner(label: string, load: () => Promise<LinkSigner>): LinkSigner {
  let loading: Promise<LinkSigner> | undefined;
  const start = (): Promise<LinkSigner> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  // A failure here surfaces (and is retried) at the first sign, not as an unhandled rejection.
  start().catch(() => undefined);
  return {
    label,
    async sign(message, deadline) {
      return (await start()).sign(message, deadline);
    },
  };
}

/**
 * A public-key source built on its first `get` (once per container): verify loads the KMS
 * client at its first `kms:GetPublicKey`, not at cold start. A failed build is not kept.
 */
export function lazyPublicKeySource(
  label: string,
  load: () => Promise<PublicKeySource>,
): PublicKeySource {
  let loading: Promise<PublicKeySource> | undefined;
  return {
    label,
    async get(deadline) {
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return (await loading).get(deadline);
    },
  };
}
