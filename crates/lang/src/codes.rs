//! Language code tables: whatlang's ISO 639-3 languages and page hints to ISO 639-1.

use whatlang::Lang;

/// The ISO 639-1 code of a whatlang language. Exhaustive on purpose: a whatlang upgrade that adds a
/// language fails to compile here instead of silently tagging "und".
pub(crate) fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

/// Every ISO 639-1 code.
const ISO639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm",
    "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz",
    "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl",
    "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii",
    "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr",
    "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi",
    "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw",
    "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv",
    "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk",
    "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Three-letter codes seen in page hints that have an ISO 639-1 equivalent: the ISO 639-2
/// bibliographic codes that differ from the terminology ones, and ISO 639-3 individual languages that
/// pages use for their macrolanguage. Other three-letter codes are looked up among whatlang's.
const THREE_LETTER: &[(&str, &str)] = &[
    ("alb", "sq"),
    ("sqi", "sq"),
    ("arm", "hy"),
    ("baq", "eu"),
    ("eus", "eu"),
    ("bur", "my"),
    ("chi", "zh"),
    ("zho", "zh"),
    ("yue", "zh"),
    ("cze", "cs"),
    ("dut", "nl"),
    ("fre", "fr"),
    ("ger", "de"),
    ("geo", "ka"),
    ("gre", "el"),
    ("ice", "is"),
    ("isl", "is"),
    ("mac", "mk"),
    ("mao", "mi"),
    ("may", "ms"),
    ("msa", "ms"),
    ("zsm", "ms"),
    ("per", "fa"),
    ("fas", "fa"),
    ("rum", "ro"),
    ("slo", "sk"),
    ("tib", "bo"),
    ("wel", "cy"),
    ("nor", "no"),
    ("nno", "nn"),
    ("arb", "ar"),
    ("fil", "tl"),
    ("gle", "ga"),
    ("glg", "gl"),
    ("swa", "sw"),
    ("swh", "sw"),
    ("est", "et"),
    ("ekk", "et"),
    ("lvs", "lv"),
    ("uzn", "uz"),
    ("azj", "az"),
    ("npi", "ne"),
];

/// Deprecated ISO 639-1 codes still found on pages.
const DEPRECATED: &[(&str, &str)] = &[
    ("iw", "he"),
    ("in", "id"),
    ("ji", "yi"),
    ("jw", "jv"),
    ("mo", "ro"),
];

/// Normalizes a declared language (`<html lang>`, `Content-Language`, `og:locale`) to its ISO 639-1
/// primary language: `"pt-BR"` → `"pt"`, `"en_US"` → `"en"`, `"zh-Hant-TW"` → `"zh"`, `"ger"` → `"de"`,
/// `"iw"` → `"he"`. A `Content-Language` list gives its first language. `None` for anything else,
/// including `und`, `mul`, `zxx`, private-use tags and languages without an ISO 639-1 code.
pub fn normalize_tag(tag: &str) -> Option<String> {
    let first = tag.split([',', ';']).next()?.trim().trim_matches(['"', '\'']);
    let primary = first.split(['-', '_']).next()?.to_ascii_lowercase();
    if !primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let code = match primary.len() {
        2 => DEPRECATED
            .iter()
            .find(|(old, _)| *old == primary)
            .map_or(primary.as_str(), |(_, new)| new),
        3 => THREE_LETTER
            .iter()
            .find(|(three, _)| *three == primary)
            .map(|(_, two)| *two)
            .or_else(|| Lang::from_code(primary.as_str()).map(iso639_1))?,
        _ => return None,
    };
    ISO639_1.contains(&code).then(|| code.to_owned())
}

/// Whether two ISO 639-1 codes name the same language for the purpose of hint agreement (Norwegian
/// `no` covers Bokmål `nb`, which is what text detection reports).
pub(crate) fn same_language(a: &str, b: &str) -> bool {
    a == b || matches!((a, b), ("nb", "no") | ("no", "nb"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(tag: &str, expected: Option<&str>) {
        assert_eq!(normalize_tag(tag).as_deref(), expected, "normalize_tag({tag:?})");
    }

    #[test]
    fn hint_normalization() {
        check("en", Some("en"));
        check("EN", Some("en"));
        check("pt-BR", Some("pt"));
        check("en_US", Some("en"));
        check(" de-DE ", Some("de"));
        check("zh-Hant-TW", Some("zh"));
        check("sr-Latn", Some("sr"));
        check("de-DE, en-CA", Some("de"));
        check("fr;q=0.9", Some("fr"));
        check("\"es\"", Some("es"));
        check("iw", Some("he"));
        check("in-ID", Some("id"));
        check("ger", Some("de"));
        check("deu", Some("de"));
        check("eng", Some("en"));
        check("fil", Some("tl"));
        check("nb-NO", Some("nb"));
        check("no", Some("no"));
        check("", None);
        check("   ", None);
        check("und", None);
        check("mul", None);
        check("zxx", None);
        check("x-default", None);
        check("i-klingon", None);
        check("xx", None);
        check("english", None);
        check("e1", None);
        check("haw", None);
    }

    #[test]
    fn every_whatlang_language_has_a_distinct_valid_code() {
        let mut seen = std::collections::HashSet::new();
        for &lang in Lang::all() {
            let code = iso639_1(lang);
            assert!(ISO639_1.contains(&code), "{lang:?} → {code}");
            assert!(seen.insert(code), "{lang:?} → {code} twice");
            assert_eq!(normalize_tag(lang.code()).as_deref(), Some(code), "{lang:?}");
        }
        assert_eq!(seen.len(), 70);
        assert_eq!(ISO639_1.len(), 183); // all current ISO 639-1 codes (`bh` was withdrawn)
        assert!(ISO639_1.windows(2).all(|w| w[0] < w[1]));
    }
}
