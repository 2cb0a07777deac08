import {
  AdminCreateUserCommand,
  AdminLinkProviderForUserCommand,
  AliasExistsException,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  TooManyRequestsException,
  UsernameExistsException,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import type { CallTiming } from "../../shared/aws/clients";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type { PreSignUpTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { CognitoUserDirectory } from "../../shared/pre-signup/cognito-directory";
import { DEFAULT_LINKED_MESSAGE } from "../../shared/pre-signup/config";
import { MESSAGES } from "../../shared/pre-signup/decide";
import { createPreSignUpHandler } from "../../shared/pre-signup/handler";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import {
  fakeNative,
  INVALID_SOURCE_USER,
  installFakeCognito,
  MERGING_NOT_SUPPORTED,
} from "./fake-cognito";
import { configFrom } from "./helpers";

const cognito = mockClient(CognitoIdentityProviderClient);
const meta = { $metadata: {} };

function build(env: Record<string, string> = {}, timing?: CallTiming) {
  const client = new CognitoIdentityProviderClient({ region: "eu-west-1" });
  const config = configFrom(env);
  return createPreSignUpHandler({
    config,
    directory: new CognitoUserDirectory(client),
    logger: createLogger("preSignUp"),
    timing: timing ?? config.common,
  });
}

/** The options object each `client.send` received (aws-sdk-client-mock records every argument). */
function sendOptions(): { abortSignal?: AbortSignal; requestTimeout?: number }[] {
  return cognito.calls().map((call) => ((call.args as unknown[])[1] ?? {}) as never);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function nativeUser(over: Partial<UserType> = {}): UserType {
  return {
    Username: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
    UserStatus: "CONFIRMED",
    Enabled: true,
    Attributes: [
      { Name: "email", Value: "jane.doe@example.com" },
      { Name: "email_verified", Value: "true" },
    ],
    ...over,
  };
}

const federatedEvent = () => loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider");

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  cognito.reset();
});

describe("pre-signup handler: sign-up and admin-create", () => {
  it("answers the sample sign-up with every flag off by default, calling no Cognito API", async () => {
    // Prepare
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    // Act
    const result = await build()(event);
    // Assess
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(cognito.calls()).toHaveLength(0);
  });

  it("refuses a denied domain with the user-facing message", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    await expect(build({ PRE_SIGNUP_DENIED_DOMAINS: "example.com" })(event)).rejects.toThrow(
      MESSAGES.domainDenied,
    );
  });

  it("auto-confirms admin-created users when configured (validationData: null accepted)", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-admin-create-user");
    const result = await build({ PRE_SIGNUP_AUTO_CONFIRM_ADMIN_CREATED: "true" })(event);
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
  });

  it("checks invite codes without ever logging them", async () => {
    // Prepare
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "welcome-2026" };
    const good = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    const bad = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    bad.request.validationData = { inviteCode: "guess-1234" };
    const handler = build(env);
    // Act
    const accepted = await handler(good);
    const refused = handler(bad);
    // Assess
    expect(accepted.response.autoConfirmUser).toBe(false);
    await expect(refused).rejects.toThrow(MESSAGES.inviteInvalid);
    expect(output.text()).not.toContain("welcome-2026");
    expect(output.text()).not.toContain("guess-1234");
  });

  it("answers an event of another trigger with the generic message", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    (event as { triggerSource: string }).triggerSource = "PostConfirmation_ConfirmSignUp";
    await expect(build()(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
  });
});

describe("pre-signup handler: federated linking", () => {
  it("links a verified federated email to the native user, then asks for a retry", async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    // Act
    const outcome = build()(federatedEvent());
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(ListUsersCommand)[0]?.args[0].input).toEqual({
      UserPoolId: "eu-west-1_EXAMPLE01",
      Filter: 'email = "jane.doe@example.com"',
      Limit: 60,
    });
    // The IdP's mixed-case spelling is searched too (the filter is an exact match).
    expect(cognito.commandCalls(ListUsersCommand)[1]?.args[0].input.Filter).toBe(
      'email = "Jane.Doe@example.com"',
    );
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: "eu-west-1_EXAMPLE01",
      DestinationUser: {
        ProviderName: "Cognito",
        ProviderAttributeValue: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
      },
      SourceUser: {
        ProviderName: "Google",
        ProviderAttributeName: "Cognito_Subject",
        ProviderAttributeValue: "109876543210987654321",
      },
    });
  });

  it("with PRE_SIGNUP_AFTER_LINK=continue, returns the event after linking", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const result = await build({ PRE_SIGNUP_AFTER_LINK: "continue" })(federatedEvent());
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(1);
  });

  it("restores the provider name's case from a lower-cased userName", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const event = federatedEvent();
    event.userName = "google_109876543210987654321";
    await expect(build()(event)).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    const source = cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input
      .SourceUser;
    expect(source?.ProviderName).toBe("Google");
  });

  it("keeps a provider not trusted for linking separate, with no Cognito call", async () => {
    // Prepare: a native user with the same verified email exists, but only SAML-Corp may link.
    const event = federatedEvent();

    // Act
    const result = await build({ PRE_SIGNUP_LINK_PROVIDERS: "SAML-Corp" })(event);

    // Assess: signed in as a user of its own (its verified email still verified); the native
    // account is not reached.
    expect(result.response.autoVerifyEmail).toBe(true);
    expect(cognito.calls()).toHaveLength(0);
  });

  it("never calls Cognito for an email the IdP did not verify", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider-unverified");
    const result = await build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(event);
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(cognito.calls()).toHaveLength(0);
  });

  it("after 'Merging is not currently supported', reads the destination's identities: listed means linked", async () => {
    // Prepare: Cognito refuses the link; the destination already lists the identity.
    const identities = JSON.stringify([
      { userId: "109876543210987654321", providerName: "Google", providerType: "Google" },
    ]);
    const linked = nativeUser();
    linked.Attributes?.push({ Name: "identities", Value: identities });
    cognito
      .on(ListUsersCommand)
      .resolves({ Users: [nativeUser()] })
      .on(ListUsersCommand, { Filter: 'username = "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f"' })
      .resolves({ Users: [linked] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejects(new InvalidParameterException({ message: MERGING_NOT_SUPPORTED, ...meta }));
    // Act
    const outcome = build()(federatedEvent());
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(ListUsersCommand).map((c) => c.args[0].input.Filter)).toContain(
      'username = "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f"',
    );
  });

  it.each([
    [
      "InvalidParameterException (Merging...)",
      () => new InvalidParameterException({ message: MERGING_NOT_SUPPORTED, ...meta }),
    ],
    [
      "InvalidParameterException (Invalid SourceUser...)",
      () => new InvalidParameterException({ message: INVALID_SOURCE_USER, ...meta }),
    ],
    [
      "AliasExistsException",
      () =>
        new AliasExistsException({ message: "An account with the email already exists.", ...meta }),
    ],
  ])(
    "after %s, fails with the generic message when the destination does not list the identity",
    async (_name, error) => {
      // Prepare: the identity is linked elsewhere (or the request was refused): not "already linked".
      cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
      cognito.on(AdminLinkProviderForUserCommand).rejects(error());
      // Act / Assess
      await expect(build()(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
      expect(output.text()).toContain("the destination does not list the identity");
    },
  );

  it("after AliasExistsException, treats an identity the destination lists as linked", async () => {
    const user = nativeUser();
    user.Attributes?.push({
      Name: "identities",
      Value: JSON.stringify([{ userId: "109876543210987654321", providerName: "Google" }]),
    });
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [nativeUser()] })
      .resolvesOnce({ Users: [nativeUser()] })
      .resolves({ Users: [user] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejects(new AliasExistsException({ message: "alias exists", ...meta }));
    await expect(build()(federatedEvent())).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
  });

  it("links with the case-preserved subject from PRE_SIGNUP_SUBJECT_ATTRIBUTE, not the lower-cased userName", async () => {
    // Prepare: an earlier link was made with the lower-cased subject; it is a different identity.
    const users = installFakeCognito(cognito, [
      fakeNative({ identities: [{ providerName: "Okta", userId: "00uabc123def456ghi7" }] }),
    ]);
    const env = {
      PRE_SIGNUP_IDENTITY_PROVIDERS: "Okta",
      PRE_SIGNUP_SUBJECT_ATTRIBUTE: "custom:idp_sub",
    };
    // Act
    const outcome = build(env)(
      loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider-oidc"),
    );
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(
      cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input.SourceUser,
    ).toEqual({
      ProviderName: "Okta",
      ProviderAttributeName: "Cognito_Subject",
      ProviderAttributeValue: "00uAbC123dEf456GhI7",
    });
    expect(users[0]?.identities).toContainEqual({
      providerName: "Okta",
      userId: "00uAbC123dEf456GhI7",
    });
  });

  it("without the subject attribute, links with the userName's subject and warns that its case is unconfirmed", async () => {
    installFakeCognito(cognito, [fakeNative()]);
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider-oidc");
    await expect(build({ PRE_SIGNUP_IDENTITY_PROVIDERS: "Okta" })(event)).rejects.toThrow(
      DEFAULT_LINKED_MESSAGE,
    );
    expect(
      cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input.SourceUser
        ?.ProviderAttributeValue,
    ).toBe("00uabc123def456ghi7");
    expect(output.text()).toContain("Federated subject case unconfirmed");
  });

  it("skips the link call when the native user already lists the identity", async () => {
    const identities = JSON.stringify([
      { userId: "109876543210987654321", providerName: "Google", providerType: "Google" },
    ]);
    const user = nativeUser();
    user.Attributes?.push({ Name: "identities", Value: identities });
    cognito.on(ListUsersCommand).resolves({ Users: [user] });
    await expect(build()(federatedEvent())).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("keeps a separate federated user when no native user exists (default policy)", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const result = await build()(federatedEvent());
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("creates the native user (suppressed message, verified email) and links, with create-native", async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: "new-uuid" } });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    // Act
    const outcome = build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent());
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: "eu-west-1_EXAMPLE01",
      Username: "jane.doe@example.com",
      UserAttributes: [
        { Name: "email", Value: "jane.doe@example.com" },
        { Name: "email_verified", Value: "true" },
      ],
      MessageAction: "SUPPRESS",
      ClientMetadata: { preSignUpPurpose: "federated-link" },
    });
    expect(
      cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input.DestinationUser,
    ).toEqual({ ProviderName: "Cognito", ProviderAttributeValue: "new-uuid" });
  });

  it("links to the user a concurrent sign-in created when AdminCreateUser says it exists", async () => {
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [] })
      .resolvesOnce({ Users: [] })
      .resolves({ Users: [nativeUser({ UserStatus: "FORCE_CHANGE_PASSWORD" })] });
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: "User account already exists", ...meta }));
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    await expect(
      build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent()),
    ).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(1);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(1);
  });

  it("handles two concurrent first sign-ins: one native user, one link, both told to retry", async () => {
    // Prepare: a stateful fake of the calls, as Cognito behaves (the second link is refused
    // with "Merging is not currently supported"; the destination then lists the identity).
    const users = installFakeCognito(cognito, [], {
      before: () => new Promise((r) => setImmediate(r)),
    });
    const handler = build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" });
    // Act
    const results = await Promise.allSettled([
      handler(federatedEvent()),
      handler(federatedEvent()),
    ]);
    // Assess
    for (const result of results) {
      expect(result).toMatchObject({
        status: "rejected",
        reason: { message: DEFAULT_LINKED_MESSAGE },
      });
    }
    expect(users).toHaveLength(1);
    expect(users[0]?.identities).toEqual([
      { providerName: "Google", userId: "109876543210987654321" },
    ]);
  });

  it("fails with the generic message when ListUsers is throttled, and links nothing", async () => {
    cognito
      .on(ListUsersCommand)
      .rejects(new TooManyRequestsException({ message: "Rate exceeded", ...meta }));
    await expect(build()(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
    expect(output.text()).toContain("TooManyRequestsException");
  });

  it("fails with the generic message when the link call is throttled or invalid", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejectsOnce(new TooManyRequestsException({ message: "Rate exceeded", ...meta }))
      .rejects(new InvalidParameterException({ message: "Invalid SourceUser", ...meta }));
    const handler = build();
    await expect(handler(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    await expect(handler(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
  });

  it("fails with the generic message when AdminCreateUser fails otherwise", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new TooManyRequestsException({ message: "Rate exceeded", ...meta }));
    await expect(
      build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent()),
    ).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("refuses to link when several native users have the email", async () => {
    cognito
      .on(ListUsersCommand)
      .resolves({ Users: [nativeUser(), nativeUser({ Username: "other-uuid" })] });
    await expect(build()(federatedEvent())).rejects.toThrow(MESSAGES.severalAccounts);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("escapes the email in the ListUsers filter", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const event = federatedEvent();
    event.request.userAttributes.email = 'jane"or\\x@example.com';
    await build()(event);
    expect(cognito.commandCalls(ListUsersCommand)[0]?.args[0].input.Filter).toBe(
      'email = "jane\\"or\\\\x@example.com"',
    );
  });

  it("in invite-only mode, refuses a federated sign-up with no account to link to", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "x-1" };
    await expect(build(env)(federatedEvent())).rejects.toThrow(MESSAGES.federatedInviteOnly);
  });
});

describe("pre-signup handler: one deadline per invocation", () => {
  it("passes every Cognito call the invocation's abort signal and a capped per-attempt timeout", async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejects(new InvalidParameterException({ message: MERGING_NOT_SUPPORTED, ...meta }));
    // Act
    await expect(build()(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    // Assess: ListUsers x2 (two spellings), the link, the identities check.
    const options = sendOptions();
    expect(options).toHaveLength(4);
    const signal = options[0]?.abortSignal;
    expect(signal).toBeInstanceOf(AbortSignal);
    for (const option of options) {
      expect(option.abortSignal).toBe(signal);
      expect(option.requestTimeout).toBeGreaterThan(0);
      expect(option.requestTimeout).toBeLessThanOrEqual(1500);
    }
    // The invocation is over: anything still running is aborted.
    expect(signal?.aborted).toBe(true);
  });

  it("caps each call's timeout at the time left, and starts no call after the deadline", async () => {
    // Prepare: 300 ms for everything; ListUsers takes 320 ms.
    cognito.on(ListUsersCommand).callsFake(async () => {
      await sleep(320);
      return { Users: [nativeUser()] };
    });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const handler = build({}, { awsCallBudgetMs: 300, awsCallTimeoutMs: 1500 });
    // Act
    const outcome = handler(federatedEvent());
    // Assess: the generic message, logged as a deadline failure, and no link call.
    await expect(outcome).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
    expect(sendOptions()[0]?.requestTimeout).toBeLessThanOrEqual(300);
    const failed = output.jsonLines().find((l) => l.message === "Trigger failed");
    expect(failed?.errorType).toBe("DeadlineExceededError");
  });

  it("uses less than the Lambda's remaining time when that is shorter than the budget", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    const context = { getRemainingTimeInMillis: () => 300 } as never;
    await expect(build()(federatedEvent(), context)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    // 300 ms left minus the reserve for the reply: not enough to start a call.
    expect(cognito.calls()).toHaveLength(0);
  });

  it("searches the two spellings of the email concurrently, and once when they are the same", async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    cognito.on(ListUsersCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(20);
      inFlight -= 1;
      return { Users: [] };
    });
    const lower = federatedEvent();
    lower.request.userAttributes.email = "jane.doe@example.com";
    // Act
    await build()(federatedEvent());
    const mixedCalls = cognito.commandCalls(ListUsersCommand).length;
    cognito.resetHistory();
    await build()(lower);
    // Assess
    expect(mixedCalls).toBe(2);
    expect(most).toBe(2);
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(1);
  });
});

describe("pre-signup handler: adversarial review", () => {
  const linkCalls = () =>
    cognito.commandCalls(AdminLinkProviderForUserCommand).map((c) => c.args[0].input);

  it("follows ListUsers pagination: a native user on a later page is found and linked", async () => {
    // Prepare: ListUsers may return fewer users than Limit (even none) with a PaginationToken.
    installFakeCognito(
      cognito,
      [
        fakeNative({ username: "Facebook_1", status: "EXTERNAL_PROVIDER", emailVerified: false }),
        fakeNative({ username: "someone-else", email: "someone@example.com" }),
        fakeNative({ username: "native-on-page-3" }),
      ],
      { pageSize: 1 },
    );
    // Act
    const outcome = build()(federatedEvent());
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(linkCalls()[0]?.DestinationUser?.ProviderAttributeValue).toBe("native-on-page-3");
    for (const call of cognito.commandCalls(ListUsersCommand)) {
      expect(call.args[0].input.Limit).toBeLessThanOrEqual(60);
    }
  });

  it("sees several verified native users even when they are on different pages, and refuses", async () => {
    installFakeCognito(
      cognito,
      [fakeNative({ username: "native-a" }), fakeNative({ username: "native-b" })],
      { pageSize: 1 },
    );
    await expect(build()(federatedEvent())).rejects.toThrow(MESSAGES.severalAccounts);
    expect(linkCalls()).toHaveLength(0);
  });

  it("fails closed (generic message, no link) when the pages do not end", async () => {
    cognito
      .on(ListUsersCommand)
      .callsFake(async () => ({ Users: [], PaginationToken: "again-and-again" }));
    await expect(build()(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(linkCalls()).toHaveLength(0);
    expect(cognito.commandCalls(ListUsersCommand).length).toBeLessThanOrEqual(2 * 10);
  });

  it("an unverified squatter with the victim's email does not block linking to the verified owner", async () => {
    // Prepare: with email as an alias, only verified emails are unique; anyone can sign up
    // natively with the victim's address and leave it unverified.
    installFakeCognito(cognito, [
      fakeNative({ username: "squatter", emailVerified: false, status: "UNCONFIRMED" }),
      fakeNative({ username: "owner" }),
    ]);
    // Act / Assess: linked to the owner, never to the squatter.
    await expect(build()(federatedEvent())).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(linkCalls().map((c) => c.DestinationUser?.ProviderAttributeValue)).toEqual(["owner"]);
  });

  it("never links into a squatter's unverified account, even when it is the only native user", async () => {
    installFakeCognito(cognito, [fakeNative({ username: "squatter", emailVerified: false })]);
    const result = await build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent());
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(linkCalls()).toHaveLength(0);
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
  });

  it("refuses when two verified native users differ only by the case of the email", async () => {
    installFakeCognito(cognito, [
      fakeNative({ username: "lower", email: "jane.doe@example.com" }),
      fakeNative({ username: "mixed", email: "Jane.Doe@example.com" }),
    ]);
    await expect(build()(federatedEvent())).rejects.toThrow(MESSAGES.severalAccounts);
    expect(linkCalls()).toHaveLength(0);
  });

  it("create-native: a username squatted by a user with another email keeps the federated user separate", async () => {
    // Prepare: in a pool with free-form usernames, someone registered the victim's address as
    // their *username* (with their own email). AdminCreateUser then answers
    // UsernameExistsException, and no user has the victim's email.
    const users = installFakeCognito(cognito, [
      fakeNative({ username: "jane.doe@example.com", email: "attacker@evil.example" }),
    ]);
    // Act
    const result = await build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent());
    // Assess: signed in as a separate user (as with allow-separate), not locked out for good.
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(linkCalls()).toHaveLength(0);
    expect(users).toHaveLength(1);
    expect(output.text()).toContain("Federated user kept separate");
  });

  it.each([
    ["boolean true", true],
    ['"1"', "1"],
    ['"yes"', "yes"],
    ['" true"', " true"],
    ['"False"', "False"],
    ["null", null],
    ["missing", undefined],
  ])(
    "treats email_verified %s as unverified: no Cognito call, nothing verified",
    async (_label, value) => {
      // Prepare
      const event = federatedEvent();
      const attributes = event.request.userAttributes as Record<string, unknown>;
      if (value === undefined) delete attributes.email_verified;
      else attributes.email_verified = value;
      // Act
      const result = await build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(event);
      // Assess
      expect(result.response).toEqual({
        autoConfirmUser: false,
        autoVerifyEmail: false,
        autoVerifyPhone: false,
      });
      expect(cognito.calls()).toHaveLength(0);
    },
  );

  it('accepts email_verified "True" (any case of the string true) as verified', async () => {
    installFakeCognito(cognito, [fakeNative()]);
    const event = federatedEvent();
    event.request.userAttributes.email_verified = "True";
    await expect(build()(event)).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
  });

  it.each(["Google_", "_109876543210987654321", "nounderscore"])(
    "keeps a federated user whose userName %s does not parse separate, with no Cognito call",
    async (userName) => {
      const event = federatedEvent();
      event.userName = userName;
      const result = await build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(event);
      expect(result.response.autoConfirmUser).toBe(true);
      expect(cognito.calls()).toHaveLength(0);
    },
  );

  it("in invite-only mode, tells a federated user how to get in (there is no code field to fill)", async () => {
    installFakeCognito(cognito, []);
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "x-1" };
    await expect(build(env)(federatedEvent())).rejects.toThrow(MESSAGES.federatedInviteOnly);
    const unverified = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider-unverified");
    await expect(build(env)(unverified)).rejects.toThrow(MESSAGES.federatedInviteOnly);
  });

  it("reads an invite code from clientMetadata when validationData is null", async () => {
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "welcome-2026" };
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    (event.request as Record<string, unknown>).validationData = null;
    event.request.clientMetadata = { inviteCode: "welcome-2026" };
    await expect(build(env)(event)).resolves.toBeDefined();
    delete event.request.clientMetadata;
    await expect(build(env)(event)).rejects.toThrow(MESSAGES.inviteRequired);
  });

  it("exempts admin-created users (CLIENT_ID_NOT_APPLICABLE, validationData null) from invite-only", async () => {
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "welcome-2026" };
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-admin-create-user");
    expect(event.callerContext.clientId).toBe("CLIENT_ID_NOT_APPLICABLE");
    await expect(build(env)(event)).resolves.toBeDefined();
  });
});
