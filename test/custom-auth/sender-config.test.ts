/** The local sender (the documented place a code is shown) and the configuration loaders. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sdkClientConfig } from "../../shared/aws/clients";
import {
  DEFAULT_BODY,
  DEFAULT_SUBJECT,
  loadCreateAuthConfig,
  loadDefineAuthConfig,
  loadVerifyAuthConfig,
} from "../../shared/custom-auth/config";
import { createCodeSender } from "../../shared/custom-auth/sender";
import { renderTemplate } from "../../shared/custom-auth/templates";
import { ConfigError, DependencyError } from "../../shared/errors";
import { DEFAULT_LOCAL_ATTEMPTS_FILE } from "../../shared/lockout/config";
import {
  LocalOutboxSender,
  SendRefusedError,
  SesEmailSender,
  sesClientConfig,
} from "../../shared/messaging/sender";

describe("LocalOutboxSender", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "custom-auth-outbox-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes each email to a new file in the outbox, readable by the owner only", async () => {
    const sender = new LocalOutboxSender(
      "no-reply@example.com",
      join(dir, "outbox"),
      undefined,
      () => 1000,
    );
    const message = {
      to: "jane.doe@example.com",
      subject: "Your code",
      text: "Code 123456",
      label: "custom-auth",
    };

    await sender.send(message);
    await sender.send(message);

    const files = readdirSync(join(dir, "outbox"));
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^1000-[0-9a-f]{6}-custom-auth-jane\.doe@example\.com\.txt$/);
    const path = join(dir, "outbox", files[0] as string);
    expect(readFileSync(path, "utf8")).toBe(
      "From: no-reply@example.com\nTo: jane.doe@example.com\nSubject: Your code\n\nCode 123456\n",
    );
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it("writes to stderr when no outbox directory is set", async () => {
    const written: string[] = [];
    const sender = new LocalOutboxSender("no-reply@example.com", undefined, (t: string) =>
      written.push(t),
    );

    await sender.send({
      to: "a@example.com",
      subject: "S",
      text: "Code 123456",
      label: "custom-auth",
    });

    expect(written.join("")).toContain(
      "----- local email (not sent) -----\nFrom: no-reply@example.com\nTo: a@example.com",
    );
    expect(written.join("")).toContain("Code 123456");
  });

  it("fails with a SendRefusedError (nothing written) that does not carry the message", async () => {
    // A file where the outbox directory should be: mkdir fails.
    const blocker = join(dir, "blocker");
    writeFileSync(blocker, "");
    const sender = new LocalOutboxSender("x@example.com", join(blocker, "outbox"));

    const error = await sender
      .send({ to: "a@b.c", subject: "S", text: "Code 987654", label: "custom-auth" })
      .catch((e: Error) => e);

    expect(error).toBeInstanceOf(SendRefusedError);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).not.toContain("987654");
  });
});

describe("createCodeSender", () => {
  it("in AWS mode builds one SES client with bounded timeouts and ONE attempt (no SDK resend)", () => {
    const makeSes = jest.fn(() => ({ send: jest.fn() }));
    const config = loadCreateAuthConfig({
      LOCAL_MODE: "false",
      CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
      AWS_CALL_TIMEOUT_MS: "1200",
      AWS_MAX_ATTEMPTS: "2",
    });

    const sender = createCodeSender(config, makeSes as never);

    expect(sender).toBeInstanceOf(SesEmailSender);
    expect(makeSes).toHaveBeenCalledTimes(1);
    expect(makeSes).toHaveBeenCalledWith(sesClientConfig(sdkClientConfig(config.common)));
    expect(makeSes).toHaveBeenCalledWith(
      expect.objectContaining({
        maxAttempts: 1,
        requestHandler: expect.objectContaining({ requestTimeout: 1200, connectionTimeout: 400 }),
      }),
    );
  });

  it("in local mode uses the outbox, unless a local SES endpoint is set", () => {
    const makeSes = jest.fn(() => ({ send: jest.fn() }));

    const local = createCodeSender(loadCreateAuthConfig({ LOCAL_MODE: "true" }), makeSes as never);
    const endpoint = createCodeSender(
      loadCreateAuthConfig({ LOCAL_MODE: "true", AWS_ENDPOINT_URL_SESV2: "http://127.0.0.1:8005" }),
      makeSes as never,
    );

    expect(local).toBeInstanceOf(LocalOutboxSender);
    expect(endpoint).toBeInstanceOf(SesEmailSender);
    expect(makeSes).toHaveBeenCalledTimes(1);
  });

  it("really constructs an SES v2 client by default", () => {
    const sender = createCodeSender(
      loadCreateAuthConfig({
        LOCAL_MODE: "false",
        CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
        AWS_REGION: "eu-west-1",
      }),
    );

    expect(sender).toBeInstanceOf(SesEmailSender);
  });
});

describe("configuration", () => {
  it("has safe defaults", () => {
    const define = loadDefineAuthConfig({});
    const create = loadCreateAuthConfig({ LOCAL_MODE: "true" });
    const verify = loadVerifyAuthConfig({});

    expect(define.maxAttempts).toBe(3);
    // Unlisted clients get the second factor only; passwordless is a per-client opt-in.
    expect([...define.flows.defaultFlows]).toEqual(["password-code"]);
    expect(define.eligibility.requireVerifiedEmail).toBe(true);
    expect(create.codeLength).toBe(6);
    expect(create.codeTtlSeconds).toBe(180);
    expect(create.fromAddress).toBe("no-reply@example.com");
    expect(create.template.subject.source).toBe(DEFAULT_SUBJECT);
    expect(create.template.body.source).toBe(DEFAULT_BODY);
    expect(create.pretendDelayMs).toBe(150);
    expect(create.configurationSet).toBeUndefined();
    expect(create.emailHint).toBe("masked");
    expect(verify.eligibility.requireVerifiedEmail).toBe(true);
  });

  it("parses lists and flows", () => {
    const define = loadDefineAuthConfig({
      CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: " a, b ,",
      CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: "c",
      CUSTOM_AUTH_DEFAULT_FLOWS: "none",
    });

    expect([...define.flows.passwordlessClientIds]).toEqual(["a", "b"]);
    expect([...define.flows.passwordCodeClientIds]).toEqual(["c"]);
    expect(define.flows.defaultFlows.size).toBe(0);
  });

  // serverless.yml passes an unset parameter as "" (params with empty defaults): that is unset.
  it.each([
    "CUSTOM_AUTH_EMAIL_SUBJECT",
    "CUSTOM_AUTH_EMAIL_BODY",
    "CUSTOM_AUTH_PRETEND_DELAY_MS",
    "CUSTOM_AUTH_SES_CONFIGURATION_SET",
    "CUSTOM_AUTH_EMAIL_HINT",
  ])("create: an empty or blank %s is unset (the default applies)", (name) => {
    const base = { LOCAL_MODE: "false", CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com" };
    const unset = loadCreateAuthConfig(base);

    expect(loadCreateAuthConfig({ ...base, [name]: "" })).toEqual(unset);
    expect(loadCreateAuthConfig({ ...base, [name]: "  " })).toEqual(unset);
  });

  it("create: the four optional settings are read when set", () => {
    const config = loadCreateAuthConfig({
      LOCAL_MODE: "false",
      CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
      CUSTOM_AUTH_EMAIL_SUBJECT: "Code {code}",
      CUSTOM_AUTH_EMAIL_BODY: "Use {code}",
      CUSTOM_AUTH_PRETEND_DELAY_MS: "40",
      CUSTOM_AUTH_SES_CONFIGURATION_SET: "auth-emails",
    });

    expect(config.template.subject.source).toBe("Code {code}");
    expect(config.template.body.source).toBe("Use {code}");
    expect(config.pretendDelayMs).toBe(40);
    expect(config.configurationSet).toBe("auth-emails");
  });

  it("create: an empty configuration set sends without ConfigurationSetName", async () => {
    const send = jest.fn(async (_command: { input: Record<string, unknown> }) => ({}));
    const sender = createCodeSender(
      loadCreateAuthConfig({
        LOCAL_MODE: "false",
        CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
        CUSTOM_AUTH_SES_CONFIGURATION_SET: "",
      }),
      () => ({ send }) as never,
    );

    await sender.send({ to: "a@example.com", subject: "S", text: "B", label: "custom-auth" });

    expect(send.mock.calls[0]?.[0].input).not.toHaveProperty("ConfigurationSetName");
  });

  it("define: an empty CUSTOM_AUTH_DEFAULT_FLOWS is the default (password-code only)", () => {
    expect([...loadDefineAuthConfig({ CUSTOM_AUTH_DEFAULT_FLOWS: "" }).flows.defaultFlows]).toEqual(
      ["password-code"],
    );
    expect([
      ...loadDefineAuthConfig({ CUSTOM_AUTH_DEFAULT_FLOWS: "passwordless, password-code" }).flows
        .defaultFlows,
    ]).toEqual(["passwordless", "password-code"]);
  });

  it.each<[Record<string, string>, string]>([
    [{ CUSTOM_AUTH_DEFAULT_FLOWS: "magic-links" }, "CUSTOM_AUTH_DEFAULT_FLOWS"],
    [{ CUSTOM_AUTH_MAX_ATTEMPTS: "0" }, "CUSTOM_AUTH_MAX_ATTEMPTS"],
    [{ CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL: "maybe" }, "CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL"],
  ])("define: %j is refused naming %s", (env, variable) => {
    expect(() => loadDefineAuthConfig(env)).toThrow(ConfigError);
    expect(() => loadDefineAuthConfig(env)).toThrow(variable);
  });

  it.each<[Record<string, string>, string]>([
    [{ LOCAL_MODE: "false" }, "CUSTOM_AUTH_FROM_ADDRESS"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_CODE_LENGTH: "3" }, "CUSTOM_AUTH_CODE_LENGTH"],
    // Under 6 digits a code is guessable across sign-ins (4 digits, 3 tries: 1 in 3,333 each).
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_CODE_LENGTH: "4" }, "CUSTOM_AUTH_CODE_LENGTH"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_CODE_LENGTH: "5" }, "CUSTOM_AUTH_CODE_LENGTH"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_CODE_LENGTH: "11" }, "CUSTOM_AUTH_CODE_LENGTH"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_CODE_TTL_SECONDS: "5" }, "CUSTOM_AUTH_CODE_TTL_SECONDS"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_BODY: "no placeholder" }, "CUSTOM_AUTH_EMAIL_BODY"],
    [
      { LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_BODY: "{code} in {minuts}" },
      "CUSTOM_AUTH_EMAIL_BODY",
    ],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_SUBJECT: "{cod}" }, "CUSTOM_AUTH_EMAIL_SUBJECT"],
    // A subject is one header line: a line break would start new headers (Bcc:...).
    [
      { LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_SUBJECT: "Your code\nBcc: x@evil.example" },
      "CUSTOM_AUTH_EMAIL_SUBJECT",
    ],
    [
      { LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_SUBJECT: "Your code\r\nBcc: x@evil.example" },
      "CUSTOM_AUTH_EMAIL_SUBJECT",
    ],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_SUBJECT: "Code\u0000" }, "CUSTOM_AUTH_EMAIL_SUBJECT"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_SUBJECT: "Code\u2028x" }, "CUSTOM_AUTH_EMAIL_SUBJECT"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_PRETEND_DELAY_MS: "soon" }, "CUSTOM_AUTH_PRETEND_DELAY_MS"],
    [{ LOCAL_MODE: "true", CUSTOM_AUTH_EMAIL_HINT: "partial" }, "CUSTOM_AUTH_EMAIL_HINT"],
  ])("create: %j is refused naming %s", (env, variable) => {
    expect(() => loadCreateAuthConfig(env)).toThrow(ConfigError);
    expect(() => loadCreateAuthConfig(env)).toThrow(variable);
  });

  it("lockout: off without CUSTOM_AUTH_ATTEMPTS_TABLE_NAME (empty is unset), defaults 10 in 900 s", () => {
    // Act
    const unset = loadCreateAuthConfig({ LOCAL_MODE: "true" });
    const empty = loadVerifyAuthConfig({ CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: " " });
    const on = loadVerifyAuthConfig({ CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "svc-dev-attempts" });

    // Assess
    expect(unset.lockout).toBeUndefined();
    expect(empty.lockout).toBeUndefined();
    expect(on.lockout).toEqual({
      tableName: "svc-dev-attempts",
      threshold: 10,
      windowSeconds: 900,
      dynamoEndpoint: undefined,
      awsRegion: undefined,
      localFile: DEFAULT_LOCAL_ATTEMPTS_FILE,
    });
  });

  it("lockout: create and verify read the same settings", () => {
    const env = {
      LOCAL_MODE: "true",
      CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts",
      CUSTOM_AUTH_LOCKOUT_THRESHOLD: "5",
      CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: "3600",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567",
      AWS_REGION: "eu-central-1",
      LOCAL_AUTH_ATTEMPTS_FILE: "/tmp/attempts.json",
    };

    const create = loadCreateAuthConfig(env).lockout;
    const verify = loadVerifyAuthConfig(env).lockout;

    expect(create).toEqual(verify);
    expect(create).toEqual({
      tableName: "attempts",
      threshold: 5,
      windowSeconds: 3600,
      dynamoEndpoint: "http://127.0.0.1:4567",
      awsRegion: "eu-central-1",
      localFile: "/tmp/attempts.json",
    });
    expect(
      loadVerifyAuthConfig({
        ...env,
        AWS_ENDPOINT_URL_DYNAMODB: "",
        AWS_ENDPOINT_URL: "http://x:1",
      }).lockout?.dynamoEndpoint,
    ).toBe("http://x:1");
  });

  it.each<[Record<string, string>, string]>([
    [{ CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "no spaces" }, "CUSTOM_AUTH_ATTEMPTS_TABLE_NAME"],
    [{ CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "ab" }, "CUSTOM_AUTH_ATTEMPTS_TABLE_NAME"],
    [{ CUSTOM_AUTH_LOCKOUT_THRESHOLD: "0" }, "CUSTOM_AUTH_LOCKOUT_THRESHOLD"],
    [{ CUSTOM_AUTH_LOCKOUT_THRESHOLD: "101" }, "CUSTOM_AUTH_LOCKOUT_THRESHOLD"],
    [{ CUSTOM_AUTH_LOCKOUT_THRESHOLD: "ten" }, "CUSTOM_AUTH_LOCKOUT_THRESHOLD"],
    [{ CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: "59" }, "CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS"],
    [{ CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: "86401" }, "CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS"],
    [{ CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: "15m" }, "CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS"],
  ])("lockout: %j is refused naming %s, by create and verify alike", (env, variable) => {
    // A bad threshold or window is refused even while the table is unset (the feature off).
    const full = { LOCAL_MODE: "true", ...env };

    expect(() => loadCreateAuthConfig(full)).toThrow(ConfigError);
    expect(() => loadCreateAuthConfig(full)).toThrow(variable);
    expect(() => loadVerifyAuthConfig(full)).toThrow(variable);
  });

  it("picks up a local SES endpoint from the SDK's standard variables", () => {
    expect(loadCreateAuthConfig({ LOCAL_MODE: "true" }).sesEndpoint).toBeUndefined();
    expect(
      loadCreateAuthConfig({ LOCAL_MODE: "true", AWS_ENDPOINT_URL_SESV2: "http://127.0.0.1:8005" })
        .sesEndpoint,
    ).toBe("http://127.0.0.1:8005");
  });

  it("renders templates, turning \\n in a one-line env value into a line break", () => {
    const config = loadCreateAuthConfig({
      LOCAL_MODE: "true",
      CUSTOM_AUTH_EMAIL_BODY: "Code: {code}\\nExpires in {minutes} min; {code} again",
    });

    expect(renderTemplate(config.template.body, { code: "123456", minutes: 3 })).toBe(
      "Code: 123456\nExpires in 3 min; 123456 again",
    );
  });
});
