/**
 * Email templates with two placeholders, `{code}` and `{minutes}`, checked at
 * cold start so a typo (`{cod}`) fails the deploy's first invocation, not a user's sign-in.
 */
import { ConfigError } from "../errors";

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

/** Validate `source` (from variable `name`): only known placeholders; `{code}` required when `needsCode`. */
export function compileTemplate(name: string, source: string, needsCode: boolean): Template {
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(match[1] ?? "")) {
      throw new ConfigError(
        name,
        `has an unknown placeholder {${match[1]}}; use {code} or {minutes}`,
      );
    }
  }
  if (needsCode && !source.includes("{code}")) {
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
