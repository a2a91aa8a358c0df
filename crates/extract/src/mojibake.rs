//! Mojibake: UTF-8 text that somebody decoded as windows-1252 or Latin-1
//! before it reached us (`Ã©` for `é`, `â€™` for `’`, `Ð¿` for `п`), and
//! its repair.
//!
//! Each such sequence starts with a Latin-1 letter from `Â` to `ô` (a UTF-8
//! lead byte read as one character), followed by as many characters as that
//! lead byte needs continuation bytes, each one the windows-1252 (or Latin-1)
//! reading of a byte 0x80–0xBF. In UTF-8 every one of those letters starts
//! with the byte 0xC3, so text without it is not looked at, and text with it
//! is looked at only where it is.
//!
//! A candidate is such a sequence whose bytes are valid UTF-8 for a
//! character of a kind text is made of ([`plausible`]): `à` + NBSP + `»` in
//! a French quote would be the Samaritan letter U+083B, and stays what it is.
//! A candidate is strong when it cannot be a letter before punctuation in
//! genuine text: three or four bytes long, next to a lowercase letter, or
//! next to another candidate. The text is repaired, every candidate at once,
//! when at least one is strong and candidates are at least as many as the
//! Latin-1 letters that are not in one (a page decoded twice has none of
//! those; a genuine Portuguese, French or German page has many): `NÃO…` in
//! a headline and `SÃO PAULO` stay as they are. Text decoded wrongly twice
//! is repaired in up to three passes.

use std::borrow::Cow;

use serde::Serialize;

/// Whether the page's text looked like UTF-8 read as windows-1252 or Latin-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mojibake {
    /// No sign of it.
    #[default]
    Clean,
    /// It was found and undone; nothing of it is left in the title,
    /// description or text.
    Repaired,
    /// Sequences typical of it are left in the title, description or text
    /// (some could not be undone, or undoing them was not clearly right):
    /// that text may be garbled.
    Suspected,
}

impl Mojibake {
    /// Stable snake_case name, suitable as a metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clean => "clean",
            Self::Repaired => "repaired",
            Self::Suspected => "suspected",
        }
    }

    /// True for [`Mojibake::Clean`].
    pub fn is_clean(&self) -> bool {
        *self == Self::Clean
    }
}

/// The characters windows-1252 gives the bytes 0x80–0x9F (the five bytes it
/// leaves undefined read as the C1 controls, as in Latin-1).
const CP1252_80_9F: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}',
    '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}', '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}',
    '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}',
    '\u{0161}', '\u{203A}', '\u{0153}', '\u{9D}', '\u{017E}', '\u{0178}',
];

/// Repair passes at most (text decoded wrongly more than once).
const MAX_PASSES: usize = 3;

/// The byte 0x80–0xBF that `c` is the windows-1252 or Latin-1 reading of.
fn continuation_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x80..=0xBF).contains(&code) {
        return u8::try_from(code).ok();
    }
    let at = CP1252_80_9F.iter().position(|&x| x == c)?;
    u8::try_from(0x80 + at).ok()
}

/// Characters of the kinds text is made of: letters of the common scripts,
/// punctuation, currency and other common symbols, CJK, emoji.
fn plausible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00A0..=0x024F // Latin-1 supplement, Latin extended A and B
            | 0x0370..=0x03FF // Greek
            | 0x0400..=0x052F // Cyrillic
            | 0x05D0..=0x05F4 // Hebrew letters
            | 0x0600..=0x06FF // Arabic
            | 0x0900..=0x0DFF // Indic scripts
            | 0x0E00..=0x0E7F // Thai
            | 0x1E00..=0x1EFF // Latin extended additional (Vietnamese)
            | 0x2000..=0x206F // general punctuation
            | 0x20A0..=0x20CF // currency
            | 0x2100..=0x21FF // letterlike, number forms, arrows
            | 0x2200..=0x22FF // mathematical operators
            | 0x2500..=0x27BF // box drawing, shapes, symbols, dingbats
            | 0x3000..=0x30FF // CJK punctuation, kana
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK
            | 0xAC00..=0xD7A3 // Hangul
            | 0xFEFF // a byte order mark decoded as text
            | 0xFF00..=0xFFEF // full-width forms
            | 0x1F000..=0x1FAFF // emoji
    )
}

/// One mojibake sequence: its byte range in the text and what it stands for.
struct Candidate {
    start: usize,
    end: usize,
    ch: char,
    strong: bool,
}

/// The candidates in `text`, in order, and the number of Latin-1 letters
/// (`À`–`ÿ`) that are not the start of one.
fn scan(text: &str) -> (Vec<Candidate>, usize) {
    let bytes = text.as_bytes();
    let mut found: Vec<Candidate> = Vec::new();
    let mut clean = 0usize;
    for at in memchr::memchr_iter(0xC3, bytes) {
        let Some(&second) = bytes.get(at + 1) else {
            continue;
        };
        match candidate_at(text, at, second) {
            Some(candidate) => found.push(candidate),
            None if !matches!(second, 0x97 | 0xB7) => clean += 1, // not × or ÷
            None => {}
        }
    }
    // Next to another candidate: a run of them.
    for i in 1..found.len() {
        let (before, after) = found.split_at_mut(i);
        if let (Some(a), Some(b)) = (before.last_mut(), after.first_mut())
            && a.end == b.start
        {
            a.strong = true;
            b.strong = true;
        }
    }
    (found, clean)
}

/// The candidate whose lead character is the two bytes `0xC3 second` at
/// `at`, if any.
fn candidate_at(text: &str, at: usize, second: u8) -> Option<Candidate> {
    // `Â` (C3 82) to `ô` (C3 B4) read the lead bytes 0xC2 to 0xF4.
    if !(0x82..=0xB4).contains(&second) {
        return None;
    }
    let lead = second + 0x40;
    let needed = match lead {
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        _ => 3,
    };
    let mut seq = [lead, 0, 0, 0];
    let mut end = at + 2;
    let mut rest = text.get(end..)?.chars();
    for slot in seq.iter_mut().skip(1).take(needed) {
        let c = rest.next()?;
        *slot = continuation_byte(c)?;
        end += c.len_utf8();
    }
    let ch = std::str::from_utf8(seq.get(..=needed)?).ok()?.chars().next()?;
    if !plausible(ch) {
        return None;
    }
    let lower = |c: Option<char>| c.is_some_and(char::is_lowercase);
    let before = text.get(..at).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    Some(Candidate {
        start: at,
        end,
        ch,
        strong: needed > 1 || lower(before) || lower(after),
    })
}

/// Undoes UTF-8 read as windows-1252 or Latin-1 when it is unambiguous (see
/// the module's documentation); true when it did.
pub(crate) fn repair(text: Cow<'_, str>) -> (Cow<'_, str>, bool) {
    let mut text = text;
    let mut repaired = false;
    for _ in 0..MAX_PASSES {
        let (found, clean) = scan(&text);
        if !found.iter().any(|c| c.strong) || found.len() < clean {
            break;
        }
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        for c in &found {
            out.push_str(text.get(from..c.start).unwrap_or_default());
            if c.ch != '\u{FEFF}' {
                out.push(c.ch);
            }
            from = c.end;
        }
        out.push_str(text.get(from..).unwrap_or_default());
        text = Cow::Owned(out);
        repaired = true;
    }
    (text, repaired)
}

/// Whether `text` still holds mojibake: two strong candidates or more, or
/// what is left of a sequence that lost a byte (a lead letter before U+FFFD;
/// `Â` or `Ã` after a lowercase letter or alone between spaces; `â€`
/// before anything that completes no sequence).
pub fn mojibake_remains(text: &str) -> bool {
    let bytes = text.as_bytes();
    if memchr::memchr(0xC3, bytes).is_none() {
        return false;
    }
    let (found, _) = scan(text);
    if found.iter().filter(|c| c.strong).count() >= 2 {
        return true;
    }
    memchr::memchr_iter(0xC3, bytes).any(|at| {
        let second = bytes.get(at + 1).copied().unwrap_or_default();
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + 2..).and_then(|s| s.chars().next());
        let in_candidate = found.binary_search_by_key(&at, |c| c.start).is_ok();
        let lead = (0x82..=0xB4).contains(&second);
        let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
        (lead && after == Some('\u{FFFD}'))
            || (matches!(second, 0x82 | 0x83)
                && !in_candidate
                && (before.is_some_and(char::is_lowercase) || (space(before) && space(after))))
            || (second == 0xA2 && after == Some('\u{20AC}') && !in_candidate)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Repairs `input` and checks the text and whether mojibake is left.
    #[track_caller]
    fn check(input: &str, expected: &str, repaired: bool, remains: bool) {
        let (text, did) = repair(Cow::Borrowed(input));
        assert_eq!((text.as_ref(), did), (expected, repaired), "{input:?}");
        assert_eq!(mojibake_remains(&text), remains, "left in {text:?}");
        if !did {
            assert!(matches!(text, Cow::Borrowed(_)), "unchanged text is not copied");
        }
    }

    /// UTF-8 text read as windows-1252, as a crawler that trusted a wrong label would have it.
    fn garble(text: &str) -> String {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(text.as_bytes())
            .0
            .into_owned()
    }

    #[test]
    fn utf8_read_as_windows_1252_is_repaired() {
        let cases = [
            "Le café crème coûte deux euros à la gare, près de l’hôtel « Côte d’Azur ».",
            "Die Straßenbahn fährt über die Brücke; Jürgen Müller grüßt.",
            "It’s a “quoted” word — and an ellipsis…",
            "O São Paulo não perdeu: a seleção jogou à noite.",
            "Генеральный секретарь заявил, что альянс продолжит поддержку.",
            "Ελλάδα και Κύπρος",
            "新しい図書館が駅前に開館",
            "Zażółć gęślą jaźń",
            "Tiếng Việt có dấu",
            "smile 😀 and € and ™",
        ];
        for text in cases {
            check(&garble(text), text, true, false);
        }
        // Read as Latin-1 proper: the C1 controls instead of windows-1252's punctuation.
        check("itâ\u{80}\u{99}s", "it’s", true, false);
        // The bytes windows-1252 leaves undefined (here the last of `”`).
        check("â€œyesâ€\u{9D}", "“yes”", true, false);
        // Decoded wrongly twice.
        let twice = garble(&garble("Crème brûlée à la française"));
        check(&twice, "Crème brûlée à la française", true, false);
        // A byte order mark read as text goes.
        check("ï»¿<html>café</html>", "<html>café</html>", true, false);
        check("ï»¿<html>cafÃ©</html>", "<html>café</html>", true, false);
    }

    #[test]
    fn genuine_latin1_text_is_left_alone() {
        let cases = [
            "SÃO PAULO — NÃO… disse o técnico, que não quis falar.",
            "A IRMÃ” do jogador, e a mãe, estão no estádio.",
            "« Voilà\u{A0}» répond-il, « c’est fini ».",
            "Der Fuß… und die Straße–",
            "ÂGE D’OR : LES ANNÉES 20",
            "plain ascii text",
            "Привет, мир",
            "",
        ];
        for text in cases {
            check(text, text, false, false);
        }
        // One mojibake-like sequence in a page full of genuine accented letters: not clearly mojibake.
        let mixed = "José…” dijo él. Según la información, el presidente habló también de la economía.";
        check(mixed, mixed, false, false);
    }

    #[test]
    fn any_text_is_safe() {
        // Runs of the characters the scan looks at, in every order a small generator makes.
        let alphabet: Vec<char> =
            "ÂÃâãðïÐÑÅÄ©®°±²³´µ¶·¸¹º»¼½¾¿€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ a.\u{81}\u{9D}\u{A0}\u{FFFD}"
                .chars()
                .collect();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..2000 {
            let text: String = (0..24)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            let (repaired, _) = repair(Cow::Borrowed(&text));
            let _ = mojibake_remains(&repaired);
            assert!(repaired.len() <= text.len(), "{text:?} grew");
        }
    }

    #[test]
    fn unrepairable_mojibake_is_reported() {
        // A lost byte: windows-1252 has no character for 0x81, and the reader wrote U+FFFD.
        check("ÃÂ\u{FFFD}", "ÃÂ\u{FFFD}", false, true);
        check("la cafÃ\u{FFFD} está", "la cafÃ\u{FFFD} está", false, true);
        // The no-break space of `à` became a plain space.
        check("il va Ã  Paris", "il va Ã  Paris", false, true);
        check("itâ€ s", "itâ€ s", false, true);
        // Many genuine letters keep a few mojibake words from being repaired; they are still reported.
        let mixed = "Según él, la economía está en crisis; también dijo: cafÃ© y crÃ¨me.";
        check(mixed, mixed, false, true);
    }
}
