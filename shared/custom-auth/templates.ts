/**
 * Email templates with two placeholders, `{code}` and `{minutes}`, checked at
 * cold start so a typo (`{cod}`) fails the deploy's first invocation, not a user's sign-in.
 */
import { ConfigError } from "../errors";
import { writeMessage } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";

/** A validated template string. */
export interface Template {
  readonly source: string;
}

/** Subject and body of the code email. */
export interface EmailTemplate {
  readonly subject: Template;
  readonly body: Template;
}

const PLACEHOLDER = /\{([A-Za-z_]+)\}/g;
const KNOWN = new Set(["code", "minutes"]);

// Control characters (C0, DEL, C1: CR, LF, NEL...) and the Unicode line and paragraph
// separators: none may appear in a header line.
const NOT_ONE_LINE = /[\p{Cc}\u2028\u2029]/u;

/** How a template is checked. */
export interface TemplateRules {
  /** `{code}` must appear (the body: an email without the code is useless). */
  readonly needsCode: boolean;
  /**
   * No line break or other control character (the subject: it is one header line, so a line
   * break would start new headers in any sender that writes the message itself).
   */
  readonly singleLine: boolean;
}

/** Validate `source` (from variable `name`) against `rules`: only known placeholders, and `rules`. */
export function compileTemplate(name: string, source: string, rules: TemplateRules): Template {
  if (rules.singleLine && NOT_ONE_LINE.test(source)) {
    throw new ConfigError(name, "must be one line, without line breaks or control characters");
  }
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(match[1] ?? "")) {
      throw new ConfigError(
        name,
        `has an unknown placeholder {${match[1]}}; use {code} or {minutes}`,
      );
    }
  }
  if (rules.needsCode && !source.includes("{code}")) {
    throw new ConfigError(name, "must contain the {code} placeholder");
  }
  return { source };
}

/** Fill a template's placeholders. */
export function renderTemplate(
  template: Template,
  values: { readonly code: string; readonly minutes: number },
): string {
  return template.source.replace(PLACEHOLDER, (whole, key: string) =>
    key === "code" ? values.code : key === "minutes" ? String(values.minutes) : whole,
  );
}

/** The code email, ready to send: subject, text, and HTML when the repository's templates wrote it. */
export interface CodeEmail {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/**
 * Render the code email: through the messaging layer's `custom-auth-code` templates in the
 * user's locale when `catalog` is given, else with the plain-text `template` (the
 * CUSTOM_AUTH_EMAIL_SUBJECT / CUSTOM_AUTH_EMAIL_BODY override).
 */
export function renderCodeEmail(
  template: EmailTemplate,
  catalog: Catalog | undefined,
  values: {
    readonly code: string;
    readonly minutes: number;
    readonly userName: string;
    readonly attributes: Readonly<Record<string, string>>;
  },
): CodeEmail {
  if (catalog === undefined) {
    return {
      subject: renderTemplate(template.subject, values),
      text: renderTemplate(template.body, values),
    };
  }
  const message = writeMessage(catalog, "custom-auth-code", values);
  return { subject: message.subject, text: message.text, html: message.html };
}
