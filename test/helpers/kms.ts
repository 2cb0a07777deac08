/**
 * A KMS stand-in for asymmetric signing (no local KMS engine runs here): aws-sdk-client-mock
 * answers `Sign` and `GetPublicKey` for one ECC_NIST_P256 key generated with node:crypto,
 * signing for real in DER as KMS does, so the tests check real signatures.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import {
  GetPublicKeyCommand,
  KMSClient,
  type KMSClientResolvedConfig,
  NotFoundException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  SignCommand,
} from "@aws-sdk/client-kms";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";

/** The fake key's id (an ARN-shaped string). */
export const FAKE_KEY_ID =
  "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

/** One fake asymmetric KMS key and the mock that serves it. */
export interface FakeKms {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The mock of every KMSClient (restore it after the suite). */
  readonly mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, KMSClientResolvedConfig>;
  /** A client whose calls the mock answers. */
  readonly client: KMSClient;
  /** Number of Sign and GetPublicKey calls so far. */
  calls(name: "Sign" | "GetPublicKey"): number;
}

/** Mock KMSClient with a fresh P-256 key `FAKE_KEY_ID`; other key ids get NotFoundException. */
export function fakeKms(): FakeKms {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const mock = mockClient(KMSClient);
  const notFound = () =>
    new NotFoundException({ message: "Key not found", $metadata: { httpStatusCode: 400 } });
  mock.on(SignCommand).callsFake(async (input) => {
    if (input.KeyId !== FAKE_KEY_ID) throw notFound();
    if (input.SigningAlgorithm !== "ECDSA_SHA_256" || input.MessageType !== "RAW") {
      throw new Error(`unexpected Sign input ${input.SigningAlgorithm}/${input.MessageType}`);
    }
    // DER (ASN.1 SEQUENCE of r and s), as KMS returns ECDSA signatures.
    return {
      KeyId: FAKE_KEY_ID,
      SigningAlgorithm: "ECDSA_SHA_256",
      Signature: new Uint8Array(
        sign("sha256", Buffer.from(input.Message as Uint8Array), privateKey),
      ),
    };
  });
  mock.on(GetPublicKeyCommand).callsFake(async (input) => {
    if (input.KeyId !== FAKE_KEY_ID) throw notFound();
    return {
      KeyId: FAKE_KEY_ID,
      KeySpec: "ECC_NIST_P256",
      KeyUsage: "SIGN_VERIFY",
      SigningAlgorithms: ["ECDSA_SHA_256"],
      PublicKey: new Uint8Array(publicKey.export({ type: "spki", format: "der" })),
    };
  });
  const client = new KMSClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return {
    keyId: FAKE_KEY_ID,
    privateKey,
    publicKey,
    mock,
    client,
    calls: (name) =>
      name === "Sign"
        ? mock.commandCalls(SignCommand).length
        : mock.commandCalls(GetPublicKeyCommand).length,
  };
}
