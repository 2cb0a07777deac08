/**
 * The messaging layer: template files checked at cold start (errors name the file), locale
 * choice, escaping of user values, and the generated template module kept in step with
 * templates/messages/.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { generatedModule, readTemplateFiles } from "../../scripts/build-templates";
import { ConfigError } from "../../shared/errors";
import { loadMessagingConfig, parseLinkBaseUrl } from "../../shared/messaging/config";
import { escapeHtml, plainValue } from "../../shared/messaging/escape";
import { chooseLocale, normaliseLocale } from "../../shared/messaging/locale";
import { loadMessageCatalog, writeMessage } from "../../shared/messaging/messages";
import { TEMPLATE_FILES } from "../../shared/messaging/template-files.generated";
import { MESSAGE_KINDS, type MessageKind } from "../../shared/messaging/templates";

const config = { defaultLocale: "en", appName: "Acme", linkBaseUrl: undefined };
const CM_KINDS = MESSAGE_KINDS.filter((k) => k !== "account-take-over-notification");

/** The repository's files with `path` replaced (or removed when `text` is undefined). */
function withFile(path: string, text: string | undefined): Record<string, string> {
  const files: Record<string, string> = { ...TEMPLATE_FILES };
  if (text === undefined) delete files[path];
  else files[path] = text;
  return files;
}

function loadError(
  files: Record<string, string>,
  kinds: readonly MessageKind[] = CM_KINDS,
  cfg = config,
): ConfigError {
  try {
    loadMessageCatalog(cfg, kinds, true, files);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("the repository's templates", () => {
  test("load for both triggers (custom message with SMS, email sender with every kind)", () => {
    // Act
    const withSms = loadMessageCatalog(config, CM_KINDS, true);
    const email = loadMessageCatalog(config, MESSAGE_KINDS, false);

    // Assess
    expect([...withSms.locales].sort()).toEqual(["en", "fr"]);
    expect(email.get("en", "account-take-over-notification")).toBeDefined();
  });

  test("the generated module matches templates/messages/ (run npm run templates after editing)", () => {
    // Prepare
    const generated = readFileSync(
      join(__dirname, "../../shared/messaging/template-files.generated.ts"),
      "utf8",
    );

    // Assess
    expect(generated).toBe(generatedModule(readTemplateFiles()));
  });
});

describe("template checks at cold start name the file", () => {
  test.each([
    [
      "en/sign-up.body.html",
      "<p>Hello {nmae}, {####}</p>",
      /templates\/messages\/en\/sign-up\.body\.html has an unknown placeholder \{nmae\}/,
    ],
    [
      "en/sign-up.body.html",
      "<p>Hello {name}</p>",
      /en\/sign-up\.body\.html must contain the code placeholder \{####\}/,
    ],
    ["en/sign-up.sms.txt", "Hello", /en\/sign-up\.sms\.txt must contain the code placeholder/],
    [
      "en/admin-create-user.body.txt",
      "Password {####}",
      /en\/admin-create-user\.body\.txt must contain \{username\}/,
    ],
    [
      "en/sign-up.sms.txt",
      `{####} ${"x".repeat(140)}`,
      /en\/sign-up\.sms\.txt is 147 characters; Cognito allows 140/,
    ],
    ["en/sign-up.subject.txt", "x".repeat(141), /en\/sign-up\.subject\.txt is 141 characters/],
    ["en/sign-up.subject.txt", "Hi {name}", /en\/sign-up\.subject\.txt may not use \{name\}/],
    ["en/sign-up.subject.txt", "Line one\nline two", /en\/sign-up\.subject\.txt must be one line/],
    ["en/sign-up.body.html", `{####}${"x".repeat(20_000)}`, /en\/sign-up\.body\.html can reach/],
    [
      "en/sign-up.body.html",
      "<p>{link} {####}</p>",
      /en\/sign-up\.body\.html uses \{link\} but MESSAGES_LINK_BASE_URL is not set/,
    ],
    ["en/sign-up.body.html", "   \n", /en\/sign-up\.body\.html is empty/],
    ["en/sigup.body.html", "{####}", /en\/sigup\.body\.html is not a template name/],
    [
      "english/sign-up.body.html",
      "{####}",
      /english\/sign-up\.body\.html is not in a locale folder/,
    ],
    ["fr/resend-code.subject.txt", "Code", /fr\/resend-code\.body\.html is missing/],
  ])("%s: %s", (path, text, message) => {
    // Act
    const error = loadError(withFile(path, text));

    // Assess
    expect(error.message).toMatch(message);
  });

  test("a default locale without a message is refused, naming MESSAGES_DEFAULT_LOCALE", () => {
    // Act
    const error = loadError(TEMPLATE_FILES, CM_KINDS, { ...config, defaultLocale: "fr" });

    // Assess
    expect(error.message).toMatch(
      /fr\/admin-create-user\.\* is missing: MESSAGES_DEFAULT_LOCALE=fr/,
    );
  });

  test("an account-take-over message may not use the code (it carries none)", () => {
    // Act
    const error = loadError(
      withFile("en/account-take-over-notification.body.txt", "Code {####}"),
      MESSAGE_KINDS,
    );

    // Assess
    expect(error.message).toMatch(/may not use \{####\}/);
  });

  test("CSS braces with spaces are text, not placeholders", () => {
    // Prepare
    const files = withFile("en/sign-up.body.html", "<style>p { color: red }</style><p>{####}</p>");

    // Act
    const catalog = loadMessageCatalog(config, CM_KINDS, true, files);
    const html = writeMessage(catalog, "sign-up", {
      userName: "u",
      codeParameter: "{####}",
      attributes: {},
    }).html;

    // Assess
    expect(html).toBe("<style>p { color: red }</style><p>{####}</p>");
  });
});

describe("rendering", () => {
  const catalog = loadMessageCatalog(config, MESSAGE_KINDS, false);

  test("a given_name of <script> arrives as text in the HTML, and plain in the text part", () => {
    // Act
    const message = writeMessage(catalog, "sign-up", {
      userName: "u1",
      code: "123456",
      attributes: { given_name: '<script>alert("x")</script>', email: "a@example.com" },
    });

    // Assess
    expect(message.html).toContain("Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,");
    expect(message.html).not.toContain("<script>");
    expect(message.text).toContain('Hello <script>alert("x")</script>,');
    expect(message.html).toContain("<strong>123456</strong>");
  });

  test("a user value cannot carry a placeholder Cognito would fill in", () => {
    // Act
    const message = writeMessage(catalog, "sign-up", {
      userName: "u1",
      codeParameter: "{####}",
      attributes: { given_name: "{####} {username}" },
    });

    // Assess: one {####}, the template's
    expect(message.html.split("{####}")).toHaveLength(2);
    expect(message.text.split("{####}")).toHaveLength(2);
  });

  test("a temporary password is escaped in the HTML", () => {
    // Act
    const message = writeMessage(catalog, "admin-create-user", {
      userName: "jane",
      code: "a<b&c",
      attributes: {},
    });

    // Assess
    expect(message.html).toContain("<strong>a&lt;b&amp;c</strong>");
    expect(message.text).toContain("Temporary password: a<b&c");
  });

  test("the user's locale picks the folder, by exact match, then language, then the default", () => {
    // Act
    const fr = writeMessage(catalog, "sign-up", {
      userName: "u",
      code: "1",
      attributes: { locale: "fr_CA" },
    });
    const de = writeMessage(catalog, "sign-up", {
      userName: "u",
      code: "1",
      attributes: { locale: "de-DE" },
    });
    const frMissing = writeMessage(catalog, "resend-code", {
      userName: "u",
      code: "1",
      attributes: { locale: "fr" },
    });

    // Assess
    expect([fr.locale, de.locale, frMissing.locale]).toEqual(["fr", "en", "en"]);
    expect(fr.subject).toBe("Confirmez votre compte Acme");
  });

  test("links come from the configured base URL, with the code as Cognito's stand-in", () => {
    // Prepare
    const files = withFile("en/sign-up.body.html", '<a href="{link}">Confirm</a> {####}');
    const linked = loadMessageCatalog(
      { ...config, linkBaseUrl: "https://app.example.com/auth" },
      CM_KINDS,
      true,
      files,
    );

    // Act
    const message = writeMessage(linked, "sign-up", {
      userName: 'a"b&c',
      codeParameter: "{####}",
      attributes: {},
    });

    // Assess
    expect(message.html).toBe(
      '<a href="https://app.example.com/auth/sign-up?username=a%22b%26c&amp;code={####}">Confirm</a> {####}',
    );
  });
});

describe("the custom-auth code email", () => {
  test("renders the code and its validity, in the user's locale", () => {
    // Prepare
    const catalog = loadMessageCatalog(config, ["custom-auth-code"], false);

    // Act
    const en = writeMessage(catalog, "custom-auth-code", {
      userName: "u",
      code: "424242",
      minutes: 3,
      attributes: {},
    });
    const fr = writeMessage(catalog, "custom-auth-code", {
      userName: "u",
      code: "424242",
      minutes: 3,
      attributes: { locale: "fr-BE" },
    });

    // Assess
    expect(en.subject).toBe("Your sign-in code");
    expect(en.text).toContain("Your sign-in code is 424242. It expires in 3 minutes.");
    expect(en.html).toContain("<strong>424242</strong>");
    expect(fr.text).toContain("Il expire dans 3 minutes.");
    expect(en.sms).toBeUndefined();
  });

  test("{minutes} belongs to the custom-auth code email only", () => {
    // Act
    const error = loadError(withFile("en/sign-up.body.txt", "{####} within {minutes} minutes"));

    // Assess
    expect(error.message).toMatch(/en\/sign-up\.body\.txt may not use \{minutes\}/);
  });
});

describe("escaping properties", () => {
  test("escaped HTML holds no markup character and no brace", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(escapeHtml(value)).not.toMatch(/[<>"'`{}]/);
      }),
    );
  });

  test("a plain value is one line without braces, at most 256 characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (value) => {
        const out = plainValue(value);
        expect(out).not.toMatch(/[\n\r{}\u2028\u2029]/);
        expect(Array.from(out).length).toBeLessThanOrEqual(256);
      }),
    );
  });
});

describe("locale", () => {
  test.each([
    ["fr_ca", "fr-CA"],
    ["FR", "fr"],
    ["pt-br", "pt-BR"],
    ["zh-Hant-TW", "zh"],
    ["", undefined],
    ["<x>", undefined],
  ])("normaliseLocale(%j) = %j", (input, expected) => {
    expect(normaliseLocale(input)).toBe(expected);
  });

  test("an unusable locale gets the default", () => {
    expect(chooseLocale("klingon!", () => true, "en")).toBe("en");
  });
});

describe("messaging config", () => {
  test("MESSAGES_APP_NAME is required", () => {
    expect(() => loadMessagingConfig({})).toThrow(/MESSAGES_APP_NAME is required/);
  });

  test.each([
    ["http://app.example.com", /https URL/],
    ["https://app.example.com/?next=x", /no query/],
    ["not a url", /absolute URL/],
  ])("MESSAGES_LINK_BASE_URL %s is refused", (value, message) => {
    expect(() =>
      loadMessagingConfig({ MESSAGES_APP_NAME: "Acme", MESSAGES_LINK_BASE_URL: value }),
    ).toThrow(message);
  });

  test("a link base URL loses its trailing slash; http is accepted for localhost", () => {
    expect(parseLinkBaseUrl("X", "https://app.example.com/auth/")).toBe(
      "https://app.example.com/auth",
    );
    expect(parseLinkBaseUrl("X", "http://localhost:3000")).toBe("http://localhost:3000");
  });

  test("a bad default locale is refused", () => {
    expect(() =>
      loadMessagingConfig({ MESSAGES_APP_NAME: "A", MESSAGES_DEFAULT_LOCALE: "EN" }),
    ).toThrow(/MESSAGES_DEFAULT_LOCALE/);
  });
});
