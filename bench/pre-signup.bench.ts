/**
 * Pre-signup: median time of the pure decision path (no I/O), with every rule
 * on: domain allow/deny lists, invite code (SHA-256 + constant-time compare
 * against 50 digests), required attributes, patterns, E.164 phone; and the
 * federated plan + link decision. Target: under 50 us per decision.
 */
import { loadPreSignUpConfig } from "../shared/pre-signup/config";
import {
  decideLink,
  decideSignUp,
  planFederated,
  type SignUpRequest,
} from "../shared/pre-signup/decide";
import { type BenchRow, formatMicros, medianMicros } from "./lib";

const TARGET_US = 50;

const config = loadPreSignUpConfig({
  LOCAL_MODE: "false",
  PRE_SIGNUP_ALLOWED_DOMAINS: Array.from({ length: 20 }, (_, i) => `corp${i}.example`).join(","),
  PRE_SIGNUP_DENIED_DOMAINS: Array.from({ length: 50 }, (_, i) => `spam${i}.example`).join(","),
  PRE_SIGNUP_AUTO_CONFIRM_DOMAINS: "corp19.example",
  PRE_SIGNUP_INVITE_ONLY: "true",
  PRE_SIGNUP_INVITE_CODES: Array.from({ length: 50 }, (_, i) => `invite-code-${i}`).join(","),
  PRE_SIGNUP_REQUIRED_ATTRIBUTES: "given_name,family_name",
  PRE_SIGNUP_ATTRIBUTE_PATTERNS: '{"custom:employee_id":"^E\\\\d{6}$"}',
  PRE_SIGNUP_REQUIRE_E164_PHONE: "true",
});

const signUp: SignUpRequest = {
  triggerSource: "PreSignUp_SignUp",
  userName: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
  userAttributes: {
    email: "Jane.Doe+news@EU.Corp19.Example",
    given_name: "Jane",
    family_name: "Doe",
    phone_number: "+14155550100",
    "custom:employee_id": "E123456",
  },
  validationData: { inviteCode: "invite-code-49" },
  clientMetadata: {},
};

const federated: SignUpRequest = {
  triggerSource: "PreSignUp_ExternalProvider",
  userName: "google_109876543210987654321",
  userAttributes: { email: "jane.doe@corp3.example", email_verified: "true" },
  validationData: {},
  clientMetadata: {},
};
const nativeUsers = [
  {
    username: "5f3c2a1e",
    status: "CONFIRMED",
    enabled: true,
    emailVerified: true,
    identities: [],
  },
];

function federatedPath(): unknown {
  const decision = decideSignUp(federated, config);
  if (decision.kind !== "allow" || !decision.federated) throw new Error("unexpected");
  const plan = planFederated(decision.federated, config);
  return plan.kind === "lookup" ? decideLink(plan, nativeUsers, config) : plan;
}

/** The figures `npm run bench` prints. */
export async function run(): Promise<BenchRow[]> {
  if (decideSignUp(signUp, config).kind !== "allow") throw new Error("bench input is refused");
  const selfSignUp = await medianMicros(() => decideSignUp(signUp, config));
  const linking = await medianMicros(federatedPath);
  return [
    {
      name: "pre-signup: decideSignUp, every rule on (median)",
      value: formatMicros(selfSignUp),
      target: `< ${TARGET_US} us`,
      ok: selfSignUp < TARGET_US,
    },
    {
      name: "pre-signup: federated decide + plan + link decision (median)",
      value: formatMicros(linking),
      target: `< ${TARGET_US} us`,
      ok: linking < TARGET_US,
    },
  ];
}
