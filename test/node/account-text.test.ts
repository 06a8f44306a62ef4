// The console's account display (console/src/account-text.ts): invisible and bidi-control
// characters become visible escapes, so an account cannot pass for another (#23).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountParts, escapedAccount, hasHiddenCharacters } from "../../console/src/account-text";

describe("accountParts", () => {
  it("leaves an ordinary account as one plain part, spaces, accents and scripts included", () => {
    for (const account of ["alice", "bob smith", "Zoë", "用户-42", "مستخدم", "a_b.c@d"]) {
      expect(accountParts(account)).toEqual([{ text: account, escaped: false }]);
      expect(hasHiddenCharacters(account)).toBe(false);
    }
  });

  it("escapes a right-to-left override, so 'alice' cannot be spelt backwards behind it", () => {
    expect(accountParts("\u202Eecila")).toEqual([
      { text: "⟨U+202E⟩", escaped: true },
      { text: "ecila", escaped: false },
    ]);
    expect(escapedAccount("ali\u202Dce\u202C")).toBe("ali⟨U+202D⟩ce⟨U+202C⟩");
  });

  it("escapes zero-width, invisible and bidi characters", () => {
    const hidden = {
      "\u200B": "⟨U+200B⟩", // zero-width space
      "\u200C": "⟨U+200C⟩", // zero-width non-joiner
      "\u200D": "⟨U+200D⟩", // zero-width joiner
      "\u200E": "⟨U+200E⟩", // left-to-right mark
      "\u200F": "⟨U+200F⟩", // right-to-left mark
      "\u061C": "⟨U+061C⟩", // Arabic letter mark
      "\u2066": "⟨U+2066⟩", // left-to-right isolate
      "\u2069": "⟨U+2069⟩", // pop directional isolate
      "\u2060": "⟨U+2060⟩", // word joiner
      "\uFEFF": "⟨U+FEFF⟩", // byte order mark
      "\u00AD": "⟨U+00AD⟩", // soft hyphen
      "\u034F": "⟨U+034F⟩", // combining grapheme joiner
      "\u3164": "⟨U+3164⟩", // Hangul filler
      "\uFE0F": "⟨U+FE0F⟩", // variation selector
      "\u00A0": "⟨U+00A0⟩", // no-break space
      "\u2028": "⟨U+2028⟩", // line separator
      "\u0000": "⟨U+0000⟩",
      "\n": "⟨U+000A⟩",
      "\u{E0061}": "⟨U+E0061⟩", // tag letter a
      "\uD800": "⟨U+D800⟩", // lone surrogate
    };
    for (const [char, escape] of Object.entries(hidden)) {
      expect(escapedAccount(`alice${char}`), escape).toBe(`alice${escape}`);
      expect(hasHiddenCharacters(`alice${char}`), escape).toBe(true);
    }
  });

  it("escapes a space at the start or the end, where it shows nothing, and keeps one inside", () => {
    expect(escapedAccount(" alice ")).toBe("⟨U+0020⟩alice⟨U+0020⟩");
    expect(escapedAccount("a b")).toBe("a b");
  });

  it("can be read back: each escape stands for one character, and no hidden character is left", () => {
    const char = fc.oneof(
      fc.constantFrom("a", " ", "\u202E", "\u200B", "\uD800", "\u{1F600}"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    );
    const shown = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Zs}\uD800-\uDFFF]/u;
    fc.assert(
      fc.property(fc.string({ unit: char, maxLength: 30 }), (account) => {
        const parts = accountParts(account);
        const read = parts.map((p) =>
          p.escaped ? String.fromCodePoint(Number.parseInt(p.text.slice(3, -1), 16)) : p.text,
        );
        expect(read.join("")).toBe(account);
        const plain = parts.filter((p) => !p.escaped).map((p) => p.text);
        for (const c of [...plain.join("")]) expect(c === " " || !shown.test(c), escapedAccount(c)).toBe(true);
        // A space shows only between visible characters.
        const text = escapedAccount(account);
        expect(text.startsWith(" ") || text.endsWith(" ")).toBe(false);
      }),
    );
  });
});
