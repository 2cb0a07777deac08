/**
 * Inbound federation: the decision path (mapping an OIDC and a SAML event with groups, target
 * 20 us each).
 */
import type { InboundFederationTriggerEvent } from "aws-lambda";
import oidc from "../events/inbound-federation-oidc.json";
import saml from "../events/inbound-federation-saml.json";
import { loadInboundFederationConfig } from "../shared/inbound-federation/config";
import { planFederation } from "../shared/inbound-federation/map";
import { type BenchRow, formatMicros, medianMicros } from "./lib";

const DECISION_TARGET_US = 20;

/** Run the inbound federation benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const config = loadInboundFederationConfig({
    PRE_SIGNUP_LINK_PROVIDERS: "Okta,CorpSAML",
    INBOUND_FEDERATION_MAPPINGS: JSON.stringify({
      Okta: {
        attributes: {
          email: "email",
          given_name: "given_name",
          family_name: "family_name",
          name: "name",
        },
        groups: { claim: "groups", attribute: "custom:groups" },
      },
      CorpSAML: {
        attributes: {
          email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
          given_name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        },
        groups: {
          claim: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
          attribute: "custom:roles",
        },
        emailVerified: "always",
      },
    }),
  });
  const rows: BenchRow[] = [];
  for (const [label, event] of [
    ["OIDC", oidc],
    ["SAML", saml],
  ] as const) {
    const request = (event as unknown as InboundFederationTriggerEvent).request;
    const us = await medianMicros(() =>
      planFederation(
        { providerName: request.providerName, attributes: request.attributes },
        config,
      ),
    );
    rows.push({
      name: `inbound federation: decision (${label} mapping)`,
      value: formatMicros(us),
      target: `<= ${DECISION_TARGET_US} us`,
      ok: us <= DECISION_TARGET_US,
    });
  }
  return rows;
}
