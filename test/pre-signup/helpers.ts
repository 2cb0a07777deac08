/** Shared fixtures of the pre-signup tests. */
import { loadPreSignUpConfig, type PreSignUpConfig } from "../../shared/pre-signup/config";
import type { DecisionConfig, SignUpRequest } from "../../shared/pre-signup/decide";

/** The default config (every rule off), with `env` applied: the same parser as production. */
export function configFrom(env: Record<string, string> = {}): PreSignUpConfig {
  return loadPreSignUpConfig({ LOCAL_MODE: "false", ...env });
}

/** A plain decision config with every rule off, plus `overrides`. */
export function plainConfig(overrides: Partial<DecisionConfig> = {}): DecisionConfig {
  return {
    allowedDomains: [],
    deniedDomains: [],
    inviteOnly: false,
    inviteCodeDigests: [],
    inviteCodeKey: "inviteCode",
    autoConfirmDomains: [],
    autoVerifyTrustedDomains: false,
    autoConfirmAdminCreated: false,
    autoVerifyFederatedEmail: true,
    requiredAttributes: [],
    attributePatterns: new Map(),
    requireE164Phone: false,
    allowListRequiresVerifiedEmail: true,
    linkFederated: true,
    noNativeUserPolicy: "allow-separate",
    afterLink: "fail-with-message",
    linkedMessage: "Linked. Please sign in again.",
    identityProviders: [],
    linkProviders: [],
    subjectAttribute: undefined,
    ...overrides,
  };
}

/** A plain sign-up request. */
export function request(overrides: Partial<SignUpRequest> = {}): SignUpRequest {
  return {
    triggerSource: "PreSignUp_SignUp",
    userName: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
    userAttributes: { email: "jane@example.com" },
    validationData: {},
    clientMetadata: {},
    ...overrides,
  };
}
