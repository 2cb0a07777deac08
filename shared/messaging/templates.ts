/**
 * Message templates: files under `templates/messages/<locale>/<kind>.<part>`, compiled and
 * checked once at cold start (placeholders known and where Cognito needs them, sizes within
 * Cognito's limits), then rendered per message by joining precompiled segments.
 */
import { ConfigError } from "../errors";
import { escapeHtml, htmlValue, MAX_VALUE_LENGTH, plainValue } from "./escape";

/**
 * Every message this suite writes: one per Cognito source suffix (`CustomMessage_SignUp` ->
 * `sign-up`), the custom-auth sign-in code email (`custom-auth-code`) and the magic-link
 * email (`custom-auth-magic-link`).
 */
export const MESSAGE_KINDS = [
  "sign-up",
  "admin-create-user",
  "resend-code",
  "forgot-password",
  "update-user-attribute",
  "verify-user-attribute",
  "authentication",
  "account-take-over-notification",
  "custom-auth-code",
  "custom-auth-magic-link",
] as const;
/** One message kind. */
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The file of each part of a message, after `<kind>.`. */
export const MESSAGE_PARTS = {
  subject: "subject.txt",
  html: "body.html",
  text: "body.txt",
  sms: "sms.txt",
} as const;
/** One part of a message. */
export type MessagePart = keyof typeof MESSAGE_PARTS;

/**
 * The placeholders a template may use. `{####}` is the code (the temporary password for
 * `admin-create-user`), `{username}` the user name, `{name}` the user's given name (else
 * `name`, else the email), `{email}` the user's email, `{appName}` the configured application
 * name, `{link}` the configured link base URL + `/<kind>?username=...&code=...` (in the
 * magic-link email: the sign-in link itself), `{minutes}` the code's or link's validity (the
 * custom-auth emails only).
 */
export const PLACEHOLDERS = [
  "####",
  "username",
  "name",
  "email",
  "appName",
  "link",
  "minutes",
] as const;
/** One placeholder, without its braces. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Cognito's limits (UserPool VerificationMessageTemplate / CustomMessage response), in characters. */
export const LIMITS = { subject: 140, email: 20_000, sms: 140 } as const;

/** Where templates live, relative to the repository root (named in every template error). */
export const TEMPLATE_ROOT = "templates/messages";

const KINDS_WITHOUT_CODE: ReadonlySet<MessageKind> = new Set([
  "account-take-over-notification",
  "custom-auth-magic-link",
]);
// Messages that know a validity in minutes (`{minutes}`).
const KINDS_WITH_MINUTES: ReadonlySet<MessageKind> = new Set([
  "custom-auth-code",
  "custom-auth-magic-link",
]);
// The magic-link email: `{link}` is the link being sent (not built from MESSAGES_LINK_BASE_URL),
// and its body must carry it.
const MAGIC_LINK_KIND: MessageKind = "custom-auth-magic-link";
/** Longest magic link `{link}` can be (base URL + `#` + token), for the size check. */
export const MAX_MAGIC_LINK_LENGTH = 2048;
// Messages with no SMS part (email only).
const KINDS_WITHOUT_SMS: ReadonlySet<MessageKind> = new Set([
  "account-take-over-notification",
  "custom-auth-code",
  "custom-auth-magic-link",
]);
// Placeholders each part may use. The subject and the SMS use only bounded values so their
// sizes are checked at cold start, not discovered at a user's sign-up.
const ALLOWED: Readonly<Record<MessagePart, ReadonlySet<Placeholder>>> = {
  subject: new Set(["appName", "minutes"]),
  sms: new Set(["####", "username", "appName"]),
  html: new Set(PLACEHOLDERS),
  text: new Set(PLACEHOLDERS),
};
const TOKEN = /\{([^{}\s]{1,40})\}/g;
const LOCALE_FOLDER = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const FILE_NAME = /^([a-z-]+)\.([a-z]+\.[a-z]+)$/;

/** A checked template: literal text and placeholders, alternating (even indexes are text). */
export interface CompiledTemplate {
  readonly file: string;
  readonly segments: readonly string[];
  readonly uses: ReadonlySet<Placeholder>;
}

/** The parts of one message in one locale (`sms` only where the trigger sends SMS). */
export interface MessageTemplate {
  readonly subject: CompiledTemplate;
  readonly html: CompiledTemplate;
  readonly text: CompiledTemplate;
  readonly sms: CompiledTemplate | undefined;
}

/** What {@link loadCatalog} checks the files against. */
export interface CatalogOptions {
  /** The locale used when the user's has no templates; must hold every message in `kinds`. */
  readonly defaultLocale: string;
  /** The messages the trigger writes. */
  readonly kinds: readonly MessageKind[];
  /** Whether the trigger writes SMS (then `sms.txt` is required). */
  readonly sms: boolean;
  /** The `{appName}` value; unset, a template using `{appName}` is refused. */
  readonly appName: string | undefined;
  /** The `{link}` base (no trailing slash); a template using `{link}` without it is refused. */
  readonly linkBaseUrl: string | undefined;
  /** The variable naming the link base URL, for the error. */
  readonly linkVariable: string;
  /** The variable naming the default locale, for the error. */
  readonly localeVariable: string;
}

/** Every template, checked; look up with {@link Catalog.get}. */
export interface Catalog {
  readonly options: CatalogOptions;
  /** Locales with at least one message. */
  readonly locales: ReadonlySet<string>;
  /** The message in `locale`, or undefined when that locale does not have it. */
  get(locale: string, kind: MessageKind): MessageTemplate | undefined;
}

function templateError(file: string, problem: string): ConfigError {
  return new ConfigError(`${TEMPLATE_ROOT}/${file}`, problem);
}

/** The worst-case length a placeholder adds to an email (escaped user values grow up to 6x). */
function maxLength(placeholder: Placeholder, kind: MessageKind, options: CatalogOptions): number {
  switch (placeholder) {
    case "appName":
      return escapeHtml(options.appName ?? "").length;
    case "minutes":
      return 4;
    case "link":
      if (kind === MAGIC_LINK_KIND) return escapeHtml("&").length * MAX_MAGIC_LINK_LENGTH;
      return (options.linkBaseUrl?.length ?? 0) + 64 + 3 * 6 * MAX_VALUE_LENGTH;
    default:
      return 6 * MAX_VALUE_LENGTH;
  }
}

/** Split and check one template file (see the module comment). */
export function compileTemplate(
  file: string,
  source: string,
  kind: MessageKind,
  part: MessagePart,
  options: CatalogOptions,
): CompiledTemplate {
  if (source.trim() === "") throw templateError(file, "is empty");
  const segments: string[] = [];
  const uses = new Set<Placeholder>();
  let last = 0;
  for (const match of source.matchAll(TOKEN)) {
    const name = match[1] ?? "";
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      // Literal braces with a space inside (`{ color: red }` in CSS) are not tokens.
      throw templateError(
        file,
        `has an unknown placeholder {${name}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}`,
      );
    }
    const placeholder = name as Placeholder;
    if (!ALLOWED[part].has(placeholder)) {
      throw templateError(
        file,
        `may not use {${placeholder}} (the ${part} allows ${[...ALLOWED[part]].map((p) => `{${p}}`).join(" ")})`,
      );
    }
    if (placeholder === "minutes" && !KINDS_WITH_MINUTES.has(kind)) {
      throw templateError(file, "may not use {minutes}: only the custom-auth emails know it");
    }
    if (placeholder === "####" && KINDS_WITHOUT_CODE.has(kind)) {
      throw templateError(file, "may not use {####}: this message carries no code");
    }
    if (placeholder === "appName" && options.appName === undefined) {
      throw templateError(file, "uses {appName} but MESSAGES_APP_NAME is not set");
    }
    if (placeholder === "link" && kind !== MAGIC_LINK_KIND && options.linkBaseUrl === undefined) {
      throw templateError(file, `uses {link} but ${options.linkVariable} is not set`);
    }
    segments.push(source.slice(last, match.index), placeholder);
    uses.add(placeholder);
    last = match.index + match[0].length;
  }
  segments.push(source.slice(last));
  const template: CompiledTemplate = { file, segments, uses };

  if (part !== "subject" && !KINDS_WITHOUT_CODE.has(kind) && !uses.has("####")) {
    throw templateError(
      file,
      "must contain the code placeholder {####} (Cognito refuses a message without it)",
    );
  }
  if (part !== "subject" && kind === MAGIC_LINK_KIND && !uses.has("link")) {
    throw templateError(file, "must contain {link} (the email exists to carry the link)");
  }
  if (part !== "subject" && kind === "admin-create-user" && !uses.has("username")) {
    throw templateError(file, "must contain {username} (Cognito requires it in the invitation)");
  }
  if (part === "subject" || part === "sms") {
    // Bounded placeholders only: Cognito counts `{####}` and `{username}` as written.
    const length = Array.from(
      renderSegments(template, {
        appName: options.appName,
        "####": "{####}",
        username: "{username}",
      }),
    ).length;
    const limit = part === "subject" ? LIMITS.subject : LIMITS.sms;
    if (length > limit)
      throw templateError(file, `is ${length} characters; Cognito allows ${limit}`);
    if (part === "subject" && /[\p{Cc}\u2028\u2029]/u.test(source.replace(/\n$/, ""))) {
      throw templateError(file, "must be one line");
    }
  } else {
    let worst = 0;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] ?? "";
      worst += i % 2 === 0 ? segment.length : maxLength(segment as Placeholder, kind, options);
    }
    if (worst > LIMITS.email) {
      throw templateError(
        file,
        `can reach ${worst} characters with long user values; Cognito allows ${LIMITS.email}`,
      );
    }
  }
  return template;
}

/** Fill a compiled template with already-escaped values (a missing value renders empty). */
export function renderSegments(
  template: CompiledTemplate,
  values: Partial<Readonly<Record<Placeholder, string>>>,
): string {
  const { segments } = template;
  let out = segments[0] ?? "";
  for (let i = 1; i < segments.length; i += 2) {
    out += (values[segments[i] as Placeholder] ?? "") + (segments[i + 1] ?? "");
  }
  return out;
}

/**
 * Check the template files of `options.kinds` (every file's name) and build the catalog. `files`
 * maps paths relative to {@link TEMPLATE_ROOT} (`en/sign-up.body.html`) to their text. Throws a ConfigError naming the
 * file at fault: an unknown file, locale folder or placeholder, a required placeholder or part
 * missing, a size over Cognito's limits, or a default locale without every message.
 */
export function loadCatalog(
  files: Readonly<Record<string, string>>,
  options: CatalogOptions,
): Catalog {
  const parts = new Map<string, Map<MessageKind, Partial<Record<MessagePart, CompiledTemplate>>>>();
  const fileParts = Object.entries(MESSAGE_PARTS) as [MessagePart, string][];
  for (const [path, source] of Object.entries(files)) {
    const [locale = "", name = "", ...rest] = path.split("/");
    if (rest.length > 0 || !LOCALE_FOLDER.test(locale)) {
      throw templateError(path, "is not in a locale folder (`en`, `pt-BR`)");
    }
    const match = FILE_NAME.exec(name);
    const kind = MESSAGE_KINDS.find((k) => k === match?.[1]);
    const part = fileParts.find(([, suffix]) => suffix === match?.[2])?.[0];
    if (kind === undefined || part === undefined) {
      throw templateError(
        path,
        `is not a template name: <kind>.<part> with kind one of ${MESSAGE_KINDS.join(", ")} and part one of ${Object.values(MESSAGE_PARTS).join(", ")}`,
      );
    }
    // Another trigger's message: that trigger checks it (its name was checked above).
    if (!options.kinds.includes(kind)) continue;
    // A trailing newline is an editor's, not the message's.
    const text = source.replace(/\r?\n$/, "");
    const byKind = parts.get(locale) ?? new Map();
    parts.set(locale, byKind);
    const entry = byKind.get(kind) ?? {};
    byKind.set(kind, entry);
    entry[part] = compileTemplate(path, text, kind, part, options);
  }

  const catalog = new Map<string, Map<MessageKind, MessageTemplate>>();
  for (const [locale, byKind] of parts) {
    const messages = new Map<MessageKind, MessageTemplate>();
    catalog.set(locale, messages);
    for (const [kind, entry] of byKind) {
      // A message is complete or absent (then the default locale's is used), never half.
      for (const part of [
        "subject",
        "html",
        "text",
        ...(options.sms && !KINDS_WITHOUT_SMS.has(kind) ? ["sms" as const] : []),
      ] as MessagePart[]) {
        if (entry[part] === undefined) {
          throw templateError(
            `${locale}/${kind}.${MESSAGE_PARTS[part]}`,
            "is missing: a message needs all its parts in each locale that has it",
          );
        }
      }
      const { subject, html, text } = entry as Required<typeof entry>;
      messages.set(kind, { subject, html, text, sms: options.sms ? entry.sms : undefined });
    }
  }
  const fallback = catalog.get(options.defaultLocale);
  for (const kind of options.kinds) {
    if (fallback?.get(kind) === undefined) {
      throw templateError(
        `${options.defaultLocale}/${kind}.*`,
        `is missing: ${options.localeVariable}=${options.defaultLocale} must have every message`,
      );
    }
  }
  return new MessageCatalog(options, catalog);
}

/** The checked templates by locale and kind (a class: two loads of the same files compare equal). */
class MessageCatalog implements Catalog {
  readonly locales: ReadonlySet<string>;

  constructor(
    readonly options: CatalogOptions,
    private readonly byLocale: ReadonlyMap<string, ReadonlyMap<MessageKind, MessageTemplate>>,
  ) {
    this.locales = new Set(byLocale.keys());
  }

  get(locale: string, kind: MessageKind): MessageTemplate | undefined {
    return this.byLocale.get(locale)?.get(kind);
  }
}

/** The user and code a message is written for. Values are raw; rendering escapes them. */
export interface MessageInput {
  /** The user name (in `{link}`, and `{username}` unless `usernameParameter` is given). */
  readonly userName: string;
  /** Cognito's `{username}` stand-in, written as is (Cognito fills it in), when it sends the message. */
  readonly usernameParameter?: string;
  /** The code itself (a sender that delivers the message), escaped like any value. */
  readonly code?: string;
  /** Cognito's `{####}` stand-in, written as is, when Cognito sends the message. */
  readonly codeParameter?: string;
  /** The code's or link's validity in minutes (`{minutes}`, the custom-auth emails). */
  readonly minutes?: number;
  /** The magic link (`{link}` of the magic-link email), as built from configuration only. */
  readonly link?: string;
  /** The user's attributes (given_name, name, email are read). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A rendered message. */
export interface RenderedMessage {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly sms: string | undefined;
}

/** `{link}` before escaping: `<base>/<kind>?username=<u>` and `&code=` when the code belongs in it. */
function linkPrefix(base: string, kind: MessageKind, userName: string): string {
  return `${base}/${kind}?username=${encodeURIComponent(userName)}`;
}

/**
 * Render `template` for `input`. User values are escaped in the HTML and made plain one-line
 * text elsewhere; the code and user name stand-ins pass through untouched. The temporary
 * password (`admin-create-user`) never goes into a link: links carry one-time codes only.
 */
export function renderMessage(
  template: MessageTemplate,
  kind: MessageKind,
  input: MessageInput,
  options: Pick<CatalogOptions, "appName" | "linkBaseUrl">,
): RenderedMessage {
  const attributes = input.attributes;
  const name = attributes.given_name || attributes.name || attributes.email || "";
  const email = attributes.email ?? "";
  const codeRaw = input.codeParameter ?? input.code ?? "";
  const codeIsParameter = input.codeParameter !== undefined;
  const usernameIsParameter = input.usernameParameter !== undefined;

  const plain: Partial<Record<Placeholder, string>> = {
    "####": codeIsParameter ? codeRaw : plainValue(codeRaw),
    username: usernameIsParameter ? (input.usernameParameter ?? "") : plainValue(input.userName),
    name: plainValue(name),
    email: plainValue(email),
    appName: options.appName ?? "",
    minutes: String(input.minutes ?? ""),
  };
  const html: Partial<Record<Placeholder, string>> = {
    "####": codeIsParameter ? codeRaw : escapeHtml(codeRaw),
    username: usernameIsParameter ? (input.usernameParameter ?? "") : htmlValue(input.userName),
    name: htmlValue(name),
    email: htmlValue(email),
    appName: escapeHtml(options.appName ?? ""),
    minutes: String(input.minutes ?? ""),
  };
  if (kind === MAGIC_LINK_KIND) {
    plain.link = input.link ?? "";
    html.link = escapeHtml(input.link ?? "");
  } else if (options.linkBaseUrl !== undefined) {
    const prefix = linkPrefix(options.linkBaseUrl, kind, input.userName);
    const withCode = kind !== "admin-create-user" && !KINDS_WITHOUT_CODE.has(kind);
    const code = codeIsParameter ? codeRaw : encodeURIComponent(codeRaw);
    plain.link = withCode ? `${prefix}&code=${code}` : prefix;
    html.link = withCode ? `${escapeHtml(prefix)}&amp;code=${code}` : escapeHtml(prefix);
  }
  return {
    subject: renderSegments(template.subject, plain),
    html: renderSegments(template.html, html),
    text: renderSegments(template.text, plain),
    sms: template.sms === undefined ? undefined : renderSegments(template.sms, plain),
  };
}
