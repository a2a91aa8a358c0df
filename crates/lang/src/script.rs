//! Unicode script counting.

/// Writing systems told apart by code point ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Devanagari,
    Greek,
    Armenian,
    Hebrew,
    Thaana,
    Bengali,
    Gurmukhi,
    Gujarati,
    Oriya,
    Tamil,
    Telugu,
    Kannada,
    Malayalam,
    Sinhala,
    Thai,
    Lao,
    Tibetan,
    Myanmar,
    Georgian,
    Ethiopic,
    Khmer,
    Hangul,
    Hiragana,
    Katakana,
    Han,
    Other,
}

const SCRIPTS: usize = Script::Other as usize + 1;

impl Script {
    /// The language a script is (in news) written in by itself, if only one.
    pub(crate) fn single_language(self) -> Option<&'static str> {
        Some(match self {
            Script::Greek => "el",
            Script::Armenian => "hy",
            Script::Hebrew => "he",
            Script::Thaana => "dv",
            Script::Bengali => "bn",
            Script::Gurmukhi => "pa",
            Script::Gujarati => "gu",
            Script::Oriya => "or",
            Script::Tamil => "ta",
            Script::Telugu => "te",
            Script::Kannada => "kn",
            Script::Malayalam => "ml",
            Script::Sinhala => "si",
            Script::Thai => "th",
            Script::Lao => "lo",
            Script::Tibetan => "bo",
            Script::Myanmar => "my",
            Script::Georgian => "ka",
            Script::Ethiopic => "am",
            Script::Khmer => "km",
            Script::Hangul => "ko",
            Script::Hiragana | Script::Katakana => "ja",
            Script::Latin
            | Script::Cyrillic
            | Script::Arabic
            | Script::Devanagari
            | Script::Han
            | Script::Other => return None,
        })
    }

    fn is_cjk(self) -> bool {
        matches!(
            self,
            Script::Hangul | Script::Hiragana | Script::Katakana | Script::Han
        )
    }
}

/// The script of a letter (an alphabetic character); `None` for anything else.
pub(crate) fn script_of(c: char) -> Option<Script> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(Script::Latin);
    }
    // Fast path: the letter blocks of the most frequent scripts, without the Unicode table lookup.
    let cp = u32::from(c);
    match cp {
        0x0080..=0x00BF | 0x00D7 | 0x00F7 | 0x2000..=0x206F | 0x3000..=0x3004 | 0xFF01..=0xFF20 => {
            return None;
        }
        0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x024F | 0x1E00..=0x1EFF => return Some(Script::Latin),
        0x0400..=0x0481 | 0x048A..=0x052F => return Some(Script::Cyrillic),
        0x0620..=0x064A | 0x066E..=0x066F | 0x0671..=0x06D3 => return Some(Script::Arabic),
        0x0900..=0x0963 => return Some(Script::Devanagari),
        0x0980..=0x09E3 => return Some(Script::Bengali),
        0x0A00..=0x0A63 => return Some(Script::Gurmukhi),
        0x0A80..=0x0AE3 => return Some(Script::Gujarati),
        0x0B80..=0x0BE3 => return Some(Script::Tamil),
        0x0C00..=0x0C63 => return Some(Script::Telugu),
        0x0E01..=0x0E3A | 0x0E40..=0x0E4E => return Some(Script::Thai),
        0x0386 | 0x0388..=0x03CE => return Some(Script::Greek),
        0x05D0..=0x05EA => return Some(Script::Hebrew),
        0x3041..=0x3096 => return Some(Script::Hiragana),
        0x30A1..=0x30FA => return Some(Script::Katakana),
        0x4E00..=0x9FFF => return Some(Script::Han),
        0xAC00..=0xD7A3 => return Some(Script::Hangul),
        _ => {}
    }
    if !c.is_alphabetic() {
        return None;
    }
    Some(match cp {
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => Script::Latin,
        0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0530..=0x058F | 0xFB13..=0xFB17 => Script::Armenian,
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        0x0780..=0x07BF => Script::Thaana,
        0x0900..=0x097F | 0xA8E0..=0xA8FF => Script::Devanagari,
        0x0980..=0x09FF => Script::Bengali,
        0x0A00..=0x0A7F => Script::Gurmukhi,
        0x0A80..=0x0AFF => Script::Gujarati,
        0x0B00..=0x0B7F => Script::Oriya,
        0x0B80..=0x0BFF => Script::Tamil,
        0x0C00..=0x0C7F => Script::Telugu,
        0x0C80..=0x0CFF => Script::Kannada,
        0x0D00..=0x0D7F => Script::Malayalam,
        0x0D80..=0x0DFF => Script::Sinhala,
        0x0E00..=0x0E7F => Script::Thai,
        0x0E80..=0x0EFF => Script::Lao,
        0x0F00..=0x0FFF => Script::Tibetan,
        0x1000..=0x109F => Script::Myanmar,
        0x10A0..=0x10FF | 0x1C90..=0x1CBF | 0x2D00..=0x2D2F => Script::Georgian,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xFFA0..=0xFFDC => {
            Script::Hangul
        }
        0x1200..=0x139F | 0x2D80..=0x2DDF => Script::Ethiopic,
        0x1780..=0x17FF | 0x19E0..=0x19FF => Script::Khmer,
        0x3040..=0x309F => Script::Hiragana,
        0x30A0..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Katakana,
        0x3005 | 0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => {
            Script::Han
        }
        _ => Script::Other,
    })
}

/// Whether `c` is a combining mark of a script the n-gram model covers (Latin, Cyrillic, Arabic,
/// Devanagari). The model's n-grams never contain one: a mark ends a letter sequence.
pub(crate) fn is_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0670
            | 0x06D6..=0x06DC
            | 0x06DF..=0x06E4
            | 0x06E7..=0x06E8
            | 0x06EA..=0x06ED
            | 0x0900..=0x0903
            | 0x093A..=0x093C
            | 0x093E..=0x094F
            | 0x0951..=0x0957
            | 0x0962..=0x0963
    )
}

/// How many half-letters a character of a script counts for when scripts compete. A Han character is a
/// word and a Hangul block a syllable (3 letters each), so a few Latin names in a Chinese or Korean
/// sentence do not outweigh it; other non-Latin letters count 1.5, because Latin-script names, brands,
/// URLs and boilerplate run through pages of every script far more than the reverse.
fn weight(script: Script) -> usize {
    match script {
        Script::Latin => 2,
        s if s.is_cjk() => 6,
        _ => 3,
    }
}

/// Letters per script.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScriptCounts {
    counts: [usize; SCRIPTS],
    /// All letters, in half-letters weighted by script ([`weight`]).
    pub(crate) weighted: usize,
    /// All letters, a CJK character counting 3 (the length [`crate::LangConfig::min_chars`] checks).
    pub(crate) letters: usize,
}

impl ScriptCounts {
    pub(crate) fn of(text: &str) -> Self {
        let mut counts = ScriptCounts::default();
        for script in text.chars().filter_map(script_of) {
            counts.counts[script as usize] += weight(script);
            counts.weighted += weight(script);
            counts.letters += if script.is_cjk() { 3 } else { 1 };
        }
        counts
    }

    fn count(&self, script: Script) -> usize {
        self.counts[script as usize]
    }

    /// Letters of a script.
    pub(crate) fn letters_of(&self, script: Script) -> usize {
        self.count(script) / weight(script)
    }

    /// The dominant writing system, with its (weighted) share of the letters. Han, kana and Hangul
    /// count together
    /// (Japanese and Korean text mixes them), and the result is then the one that names the language:
    /// Hangul when it is at least as frequent as kana and Han, kana when it is at least a tenth of the
    /// Han and kana letters, else Han.
    pub(crate) fn dominant(&self) -> Option<(Script, f64)> {
        if self.weighted == 0 {
            return None;
        }
        let han = self.count(Script::Han);
        let hangul = self.count(Script::Hangul);
        let kana = self.count(Script::Hiragana) + self.count(Script::Katakana);
        let cjk = han + hangul + kana;
        let (mut script, mut count) = (Script::Other, 0);
        for (index, &n) in self.counts.iter().enumerate() {
            let s = ALL[index];
            if !s.is_cjk() && n > count {
                (script, count) = (s, n);
            }
        }
        if cjk > count {
            count = cjk;
            script = if hangul >= kana && hangul >= han {
                Script::Hangul
            } else if kana * 10 >= han + kana {
                Script::Hiragana
            } else {
                Script::Han
            };
        }
        Some((script, count as f64 / self.weighted as f64))
    }
}

const ALL: [Script; SCRIPTS] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Arabic,
    Script::Devanagari,
    Script::Greek,
    Script::Armenian,
    Script::Hebrew,
    Script::Thaana,
    Script::Bengali,
    Script::Gurmukhi,
    Script::Gujarati,
    Script::Oriya,
    Script::Tamil,
    Script::Telugu,
    Script::Kannada,
    Script::Malayalam,
    Script::Sinhala,
    Script::Thai,
    Script::Lao,
    Script::Tibetan,
    Script::Myanmar,
    Script::Georgian,
    Script::Ethiopic,
    Script::Khmer,
    Script::Hangul,
    Script::Hiragana,
    Script::Katakana,
    Script::Han,
    Script::Other,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Option<(Script, f64)>) {
        let got = ScriptCounts::of(text).dominant();
        match (got, expected) {
            (None, None) => {}
            (Some((script, share)), Some((want, want_share))) => {
                assert_eq!(script, want, "{text:?}");
                assert!((share - want_share).abs() < 0.01, "{text:?}: share {share}");
            }
            _ => panic!("{text:?}: {got:?}, want {expected:?}"),
        }
    }

    #[test]
    fn dominant_script() {
        check("", None);
        check("123 — 456!", None);
        check("Hello", Some((Script::Latin, 1.0)));
        check("Ελληνικά ok", Some((Script::Greek, 24.0 / 28.0)));
        check("東京都の天気", Some((Script::Hiragana, 1.0)));
        check("北京天气很好", Some((Script::Han, 1.0)));
        check("한국어 文章", Some((Script::Hangul, 1.0)));
        check("Привет abc", Some((Script::Cyrillic, 0.75)));
        check("Seoul 서울", Some((Script::Hangul, 12.0 / 22.0)));
        check("ⵜⴰⵎⴰⵣⵉⵖⵜ", Some((Script::Other, 1.0)));
    }

    #[test]
    fn all_is_in_discriminant_order() {
        for (index, script) in ALL.iter().enumerate() {
            assert_eq!(*script as usize, index);
        }
    }
}
