//! Language code tables: ISO 639-1 with each code's ISO 639-2/T (terminology) code, and page hints to
//! ISO 639-1.

/// Every ISO 639-1 code with its ISO 639-2/T three-letter code, sorted by the two-letter code (ISO
/// 639-2 Registration Authority's list; `bh` was withdrawn).
const ISO639: &[(&str, &str)] = &[
    ("aa", "aar"),
    ("ab", "abk"),
    ("ae", "ave"),
    ("af", "afr"),
    ("ak", "aka"),
    ("am", "amh"),
    ("an", "arg"),
    ("ar", "ara"),
    ("as", "asm"),
    ("av", "ava"),
    ("ay", "aym"),
    ("az", "aze"),
    ("ba", "bak"),
    ("be", "bel"),
    ("bg", "bul"),
    ("bi", "bis"),
    ("bm", "bam"),
    ("bn", "ben"),
    ("bo", "bod"),
    ("br", "bre"),
    ("bs", "bos"),
    ("ca", "cat"),
    ("ce", "che"),
    ("ch", "cha"),
    ("co", "cos"),
    ("cr", "cre"),
    ("cs", "ces"),
    ("cu", "chu"),
    ("cv", "chv"),
    ("cy", "cym"),
    ("da", "dan"),
    ("de", "deu"),
    ("dv", "div"),
    ("dz", "dzo"),
    ("ee", "ewe"),
    ("el", "ell"),
    ("en", "eng"),
    ("eo", "epo"),
    ("es", "spa"),
    ("et", "est"),
    ("eu", "eus"),
    ("fa", "fas"),
    ("ff", "ful"),
    ("fi", "fin"),
    ("fj", "fij"),
    ("fo", "fao"),
    ("fr", "fra"),
    ("fy", "fry"),
    ("ga", "gle"),
    ("gd", "gla"),
    ("gl", "glg"),
    ("gn", "grn"),
    ("gu", "guj"),
    ("gv", "glv"),
    ("ha", "hau"),
    ("he", "heb"),
    ("hi", "hin"),
    ("ho", "hmo"),
    ("hr", "hrv"),
    ("ht", "hat"),
    ("hu", "hun"),
    ("hy", "hye"),
    ("hz", "her"),
    ("ia", "ina"),
    ("id", "ind"),
    ("ie", "ile"),
    ("ig", "ibo"),
    ("ii", "iii"),
    ("ik", "ipk"),
    ("io", "ido"),
    ("is", "isl"),
    ("it", "ita"),
    ("iu", "iku"),
    ("ja", "jpn"),
    ("jv", "jav"),
    ("ka", "kat"),
    ("kg", "kon"),
    ("ki", "kik"),
    ("kj", "kua"),
    ("kk", "kaz"),
    ("kl", "kal"),
    ("km", "khm"),
    ("kn", "kan"),
    ("ko", "kor"),
    ("kr", "kau"),
    ("ks", "kas"),
    ("ku", "kur"),
    ("kv", "kom"),
    ("kw", "cor"),
    ("ky", "kir"),
    ("la", "lat"),
    ("lb", "ltz"),
    ("lg", "lug"),
    ("li", "lim"),
    ("ln", "lin"),
    ("lo", "lao"),
    ("lt", "lit"),
    ("lu", "lub"),
    ("lv", "lav"),
    ("mg", "mlg"),
    ("mh", "mah"),
    ("mi", "mri"),
    ("mk", "mkd"),
    ("ml", "mal"),
    ("mn", "mon"),
    ("mr", "mar"),
    ("ms", "msa"),
    ("mt", "mlt"),
    ("my", "mya"),
    ("na", "nau"),
    ("nb", "nob"),
    ("nd", "nde"),
    ("ne", "nep"),
    ("ng", "ndo"),
    ("nl", "nld"),
    ("nn", "nno"),
    ("no", "nor"),
    ("nr", "nbl"),
    ("nv", "nav"),
    ("ny", "nya"),
    ("oc", "oci"),
    ("oj", "oji"),
    ("om", "orm"),
    ("or", "ori"),
    ("os", "oss"),
    ("pa", "pan"),
    ("pi", "pli"),
    ("pl", "pol"),
    ("ps", "pus"),
    ("pt", "por"),
    ("qu", "que"),
    ("rm", "roh"),
    ("rn", "run"),
    ("ro", "ron"),
    ("ru", "rus"),
    ("rw", "kin"),
    ("sa", "san"),
    ("sc", "srd"),
    ("sd", "snd"),
    ("se", "sme"),
    ("sg", "sag"),
    ("si", "sin"),
    ("sk", "slk"),
    ("sl", "slv"),
    ("sm", "smo"),
    ("sn", "sna"),
    ("so", "som"),
    ("sq", "sqi"),
    ("sr", "srp"),
    ("ss", "ssw"),
    ("st", "sot"),
    ("su", "sun"),
    ("sv", "swe"),
    ("sw", "swa"),
    ("ta", "tam"),
    ("te", "tel"),
    ("tg", "tgk"),
    ("th", "tha"),
    ("ti", "tir"),
    ("tk", "tuk"),
    ("tl", "tgl"),
    ("tn", "tsn"),
    ("to", "ton"),
    ("tr", "tur"),
    ("ts", "tso"),
    ("tt", "tat"),
    ("tw", "twi"),
    ("ty", "tah"),
    ("ug", "uig"),
    ("uk", "ukr"),
    ("ur", "urd"),
    ("uz", "uzb"),
    ("ve", "ven"),
    ("vi", "vie"),
    ("vo", "vol"),
    ("wa", "wln"),
    ("wo", "wol"),
    ("xh", "xho"),
    ("yi", "yid"),
    ("yo", "yor"),
    ("za", "zha"),
    ("zh", "zho"),
    ("zu", "zul"),
];

/// Three-letter codes seen in page hints that have an ISO 639-1 equivalent: the ISO 639-2
/// bibliographic codes that differ from the terminology ones, and ISO 639-3 individual languages that
/// pages use for their macrolanguage. Other three-letter codes are looked up as ISO 639-2/T codes.
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
    ("cmn", "zh"),
    ("pes", "fa"),
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
            .or_else(|| {
                ISO639
                    .iter()
                    .find(|(_, three)| *three == primary)
                    .map(|(two, _)| *two)
            })?,
        _ => return None,
    };
    ISO639
        .binary_search_by(|(two, _)| (*two).cmp(code))
        .is_ok()
        .then(|| code.to_owned())
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
    fn the_iso_table_is_sorted_and_one_to_one() {
        assert_eq!(ISO639.len(), 183); // all current ISO 639-1 codes (`bh` was withdrawn)
        assert!(ISO639.windows(2).all(|w| w[0].0 < w[1].0));
        let threes: std::collections::HashSet<_> = ISO639.iter().map(|(_, three)| three).collect();
        assert_eq!(threes.len(), ISO639.len());
        for (two, three) in ISO639 {
            assert_eq!(normalize_tag(three).as_deref(), Some(*two), "{three}");
            assert_eq!(normalize_tag(two).as_deref(), Some(*two), "{two}");
        }
    }

    #[test]
    fn macrolanguage_members_map_to_their_macrolanguage() {
        check("cmn", Some("zh"));
        check("yue", Some("zh"));
        check("pes", Some("fa"));
        check("zsm", Some("ms"));
        check("gla", Some("gd"));
        check("nob", Some("nb"));
    }
}
