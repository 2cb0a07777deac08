/**
 * How user-supplied values enter a message: escaped for HTML, reduced to one line of plain
 * text elsewhere, and never able to carry a placeholder (`{####}`, `{username}`) that Cognito
 * would then fill in where the template did not put it.
 */

/** The longest user value placed in a message (longer attribute values are cut here). */
export const MAX_VALUE_LENGTH = 256;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
  "{": "&#123;",
  "}": "&#125;",
};
const HTML_SPECIAL = /[&<>"'`{}]/g;

// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
const CONTROL = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * `value` as one line of plain text: control characters and line breaks become one space,
 * braces are dropped (no placeholder can be smuggled in), at most {@link MAX_VALUE_LENGTH}
 * characters.
 */
export function plainValue(value: string): string {
  return Array.from(value.replace(CONTROL, " ").replace(/[{}]/g, ""))
    .slice(0, MAX_VALUE_LENGTH)
    .join("")
    .trim();
}

/** Escape `text` for an HTML text node or a quoted attribute value (`"` and `'` both). */
export function escapeHtml(text: string): string {
  return text.replace(HTML_SPECIAL, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** A user value for an HTML message: {@link plainValue}, then {@link escapeHtml}. */
export function htmlValue(value: string): string {
  return escapeHtml(plainValue(value));
}
