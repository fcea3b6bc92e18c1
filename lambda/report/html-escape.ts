const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// What the HTML parser would report as an error, shown instead as something visible and valid:
// C0 controls (tab, line feed, carriage return aside) and DEL as their Control Pictures (U+2400
// block, three bytes each where a JSON-encoded API response spends six); C1 controls, lone
// surrogates and noncharacters as U+FFFD.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[&<>"']|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\u0080-\u009F\p{Cs}\p{Noncharacter_Code_Point}]/gu;
// The same without quotes, for text between tags only, where quotes mean nothing: JSON values are
// full of them, and as entities each would cost six bytes of the page budget instead of one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_IN_TEXT = /[&<>]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\u0080-\u009F\p{Cs}\p{Noncharacter_Code_Point}]/gu;

function replacement(c: string): string {
  const entity = ENTITIES[c];
  if (entity) return entity;
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '\u2421' : '\uFFFD';
}

/**
 * Everything from ISC goes through here: text in, text out, never markup. Only scalars: a value of
 * unknown shape is made text (bounded) by value-text.ts first, never serialised here.
 */
export function escapeHtml(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(UNSAFE, replacement);
}

/** Escapes text that goes between tags (never into an attribute): quotes stay as they are. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, replacement);
}
