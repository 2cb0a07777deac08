/**
 * Properties: no input whose email is in a denied domain (or a subdomain of
 * one) is ever accepted, whatever the case, plus tag, trailing dot, spacing,
 * trigger source, or the other rules (allow-list, auto-confirm, invite); an
 * allow-list admits no unverified federated email; the ListUsers filter
 * cannot be escaped; linking only ever targets the one verified native user.
 */
import fc from "fast-check";
import type { PreSignUpTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import {
  type DirectoryUser,
  decideLink,
  decideSignUp,
  type PreSignUpSource,
} from "../../shared/pre-signup/decide";
import { createPreSignUpHandler } from "../../shared/pre-signup/handler";
import { hashInviteCode } from "../../shared/pre-signup/invite";
import { LocalUserDirectory } from "../../shared/pre-signup/local-directory";
import { emailFilter, usernameFilter } from "../../shared/pre-signup/provider";
import { captureOutput } from "../helpers/logs";
import { parseFilter } from "./fake-cognito";
import { plainConfig, request } from "./helpers";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const domain = fc
  .tuple(label, fc.constantFrom("com", "org", "io", "co.uk"))
  .map(([l, tld]) => `${l}.${tld}`);
const source = fc.constantFrom<PreSignUpSource>(
  "PreSignUp_SignUp",
  "PreSignUp_AdminCreateUser",
  "PreSignUp_ExternalProvider",
);

/** Randomise the case of each character. */
function randomCase(value: string, flips: boolean[]): string {
  return [...value].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join("");
}

/** An email in `denied` (maybe in a subdomain), disguised every way that must not matter. */
const disguisedEmail = (denied: string) =>
  fc
    .record({
      local: fc.string({ minLength: 1, maxLength: 20 }),
      tag: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      sub: fc.option(label, { nil: undefined }),
      flips: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      trailingDot: fc.boolean(),
      pad: fc.constantFrom("", " ", "\t"),
    })
    .map(({ local, tag, sub, flips, trailingDot, pad }) => {
      const host = randomCase(sub === undefined ? denied : `${sub}.${denied}`, flips);
      const plus = tag === undefined ? "" : `+${tag}`;
      return `${pad}${local}${plus}@${host}${trailingDot ? "." : ""}${pad}`;
    });

const scenario = fc
  .record({
    denied: fc.array(domain, { minLength: 1, maxLength: 3 }),
    allowedExtra: fc.array(domain, { maxLength: 2 }),
    allowDenied: fc.boolean(),
    trustDenied: fc.boolean(),
    inviteOnly: fc.boolean(),
    pick: fc.nat(),
    source,
  })
  .chain((s) => {
    const denied = s.denied[s.pick % s.denied.length] ?? "example.com";
    return fc.record({ s: fc.constant(s), email: disguisedEmail(denied) });
  });

function configOf(s: {
  denied: string[];
  allowedExtra: string[];
  allowDenied: boolean;
  trustDenied: boolean;
  inviteOnly: boolean;
}) {
  return plainConfig({
    deniedDomains: s.denied,
    allowedDomains: s.allowDenied ? [...s.allowedExtra, ...s.denied] : s.allowedExtra,
    autoConfirmDomains: s.trustDenied ? s.denied : [],
    inviteOnly: s.inviteOnly,
    inviteCodeDigests: [hashInviteCode("code")],
    autoConfirmAdminCreated: true,
  });
}

describe("property: a denied domain is never accepted", () => {
  it("decideSignUp denies every disguised email in a denied domain", () => {
    fc.assert(
      fc.property(scenario, ({ s, email }) => {
        const decision = decideSignUp(
          request({
            triggerSource: s.source,
            userName: "Google_1",
            userAttributes: { email, email_verified: "true" },
            validationData: { inviteCode: "code" },
          }),
          configOf(s),
        );
        expect(decision.kind).toBe("deny");
      }),
      { numRuns: 2000 },
    );
  });

  it("any accepted arbitrary email ends in no denied domain (independent check)", () => {
    const denied = ["evil.com", "spam.example.org"];
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.emailAddress(), disguisedEmail("evil.com")),
        source,
        (email, triggerSource) => {
          const decision = decideSignUp(
            request({ triggerSource, userName: "Google_1", userAttributes: { email } }),
            plainConfig({ deniedDomains: denied }),
          );
          if (decision.kind === "allow") {
            const tail = email.trim().toLowerCase().replace(/\.+$/, "");
            for (const d of denied) {
              expect(tail.endsWith(`@${d}`) || tail.endsWith(`.${d}`)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the handler refuses every disguised denied email, from every trigger source", async () => {
    const output = captureOutput();
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ s, email }) => {
          const handler = createPreSignUpHandler({
            config: configOf(s),
            directory: new LocalUserDirectory([]),
            logger: createLogger("preSignUp"),
          });
          const event = {
            version: "1",
            region: "eu-west-1",
            userPoolId: "eu-west-1_EXAMPLE01",
            userName: "Google_1",
            callerContext: { awsSdkVersion: "x", clientId: "c" },
            triggerSource: s.source,
            request: {
              userAttributes: { email, email_verified: "true" },
              validationData: { inviteCode: "code" },
            },
            response: {},
          } as unknown as PreSignUpTriggerEvent;
          await expect(handler(event)).rejects.toThrow();
        }),
        { numRuns: 300 },
      );
    } finally {
      output.restore();
    }
  });
});

/** Any `email_verified` an IdP may send that is not the string "true" (in any case), or none. */
const notVerified = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("false", "False", "FALSE", "", " ", "0", "1", "yes", "null", "true "),
  fc.string().filter((v) => v.toLowerCase() !== "true"),
);

describe("property: an allow-list admits no federated email its IdP did not verify", () => {
  it("decideSignUp denies every federated sign-up with an unverified email when an allow-list is set", () => {
    fc.assert(
      fc.property(
        fc.array(domain, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        notVerified,
        fc.boolean(),
        (allowed, pick, verified, trustAllowed) => {
          const target = allowed[pick % allowed.length] ?? "example.com";
          // Prepare: an address in an allowed domain, the IdP's word on it not "true".
          const attributes: Record<string, string> = { email: `ceo@${target}` };
          if (verified !== undefined) attributes.email_verified = verified;
          // Act
          const decision = decideSignUp(
            request({
              triggerSource: "PreSignUp_ExternalProvider",
              userName: "Facebook_1",
              userAttributes: attributes,
            }),
            plainConfig({
              allowedDomains: allowed,
              autoConfirmDomains: trustAllowed ? allowed : [],
            }),
          );
          // Assess
          expect(decision).toMatchObject({ kind: "deny", reason: "federated-email-not-verified" });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("property: with federated linking on, no self sign-up gets an unproven verified email", () => {
  it("a trusted-domain self sign-up is confirmed but never email-verified", () => {
    fc.assert(
      fc.property(
        fc.array(domain, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        label,
        (trusted, pick, local) => {
          const target = trusted[pick % trusted.length] ?? "example.com";
          const config = plainConfig({ autoConfirmDomains: trusted, linkFederated: true });
          const decision = decideSignUp(
            request({ userAttributes: { email: `${local}@${target}` } }),
            config,
          );
          expect(decision).toMatchObject({
            kind: "allow",
            response: { autoConfirmUser: true, autoVerifyEmail: false },
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("property: the ListUsers filter value cannot be escaped", () => {
  it("any email or username, quotes and backslashes included, reads back as exactly itself", () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[a"\\ =^]{0,12}$/),
      fc.emailAddress().map((e) => `${e}" or email ^= "`),
    );
    fc.assert(
      fc.property(hostile, (value) => {
        expect(parseFilter(emailFilter(value))).toEqual({ name: "email", value });
        expect(parseFilter(usernameFilter(value))).toEqual({ name: "username", value });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("property: linking targets only the one verified native user", () => {
  const user = fc.record({
    username: fc.constantFrom("u1", "u2", "u3", "Google_1", "Facebook_2"),
    status: fc.constantFrom(
      "CONFIRMED",
      "UNCONFIRMED",
      "FORCE_CHANGE_PASSWORD",
      "RESET_REQUIRED",
      "EXTERNAL_PROVIDER",
      undefined,
    ),
    enabled: fc.boolean(),
    emailVerified: fc.boolean(),
    identities: fc.constant([]),
  }) as fc.Arbitrary<DirectoryUser>;

  it("never links to an unverified or federated user, and links only when exactly one verified native user exists", () => {
    fc.assert(
      fc.property(
        fc.array(user, { maxLength: 6 }),
        fc.constantFrom("allow-separate", "create-native"),
        fc.boolean(),
        (users, policy, inviteOnly) => {
          // Act
          const decision = decideLink(
            { email: "jane@example.com", identity: { providerName: "Google", subject: "9" } },
            users,
            plainConfig({ noNativeUserPolicy: policy as never, inviteOnly }),
          );
          // Assess
          const owners = users.filter((u) => u.status !== "EXTERNAL_PROVIDER" && u.emailVerified);
          if (decision.kind === "link") {
            expect(owners).toHaveLength(1);
            expect(owners[0]?.enabled).toBe(true);
            expect(decision.destination).toBe(owners[0]?.username);
          }
          if (decision.kind === "create-native-and-link") {
            expect(users.every((u) => u.status === "EXTERNAL_PROVIDER")).toBe(true);
          }
          if (owners.length === 1 && owners[0]?.enabled) expect(decision.kind).toBe("link");
        },
      ),
      { numRuns: 2000 },
    );
  });
});
