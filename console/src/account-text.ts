// Account ids are whatever an IM client chose, and Unicode lets one pass for another: a
// right-to-left override (U+202E) reverses what follows it, a zero-width space (U+200B) or a
// soft hyphen (U+00AD) shows nothing, so "alice\u200B" looks exactly like "alice" (#23).
// The console shows such characters as visible escapes, ⟨U+202E⟩, never the characters.
// Pure: the views render the parts (views/account.ts), the tests check them directly.

export interface AccountPart {
  /** The text shown: the characters as they are, or one hidden character's escape. */
  readonly text: string;
  /** True for the escape of an invisible, bidi-control or lone-surrogate character. */
  readonly escaped: boolean;
}

/**
 * Characters that show nothing or move other text: controls (Cc), format characters (Cf:
 * every bidi control, zero-width space and joiners, the BOM, soft hyphen), the other
 * default-ignorable code points (variation selectors, Hangul fillers, tags), line and
 * paragraph separators, spaces other than U+0020 (they pass for one), and lone surrogates.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Zs}\uD800-\uDFFF]/u;

/** "⟨U+202E⟩": the code point in hex, at least four digits, as Unicode writes it. */
export const escapeCodePoint = (codePoint: number): string =>
  `⟨U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}⟩`;

/**
 * The account as runs of plain text and one escape per hidden character. A space (U+0020)
 * is shown as it is, except at the start or the end, where it shows nothing either.
 */
export function accountParts(account: string): AccountPart[] {
  const parts: AccountPart[] = [];
  const chars = [...account]; // by code point; a lone surrogate is one item
  let plain = "";
  chars.forEach((char, i) => {
    const edgeSpace = char === " " && (i === 0 || i === chars.length - 1);
    if (!edgeSpace && (char === " " || !HIDDEN.test(char))) {
      plain += char;
      return;
    }
    if (plain !== "") parts.push({ text: plain, escaped: false });
    plain = "";
    parts.push({ text: escapeCodePoint(char.codePointAt(0)!), escaped: true });
  });
  if (plain !== "") parts.push({ text: plain, escaped: false });
  return parts;
}

/** The account with every hidden character escaped: for a title, an aria-label, a message. */
export const escapedAccount = (account: string): string =>
  accountParts(account)
    .map((p) => p.text)
    .join("");

/** True when the account holds a character the console shows escaped. */
export const hasHiddenCharacters = (account: string): boolean => accountParts(account).some((p) => p.escaped);
