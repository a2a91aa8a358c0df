//! Word-level evidence: short function words that one language uses all the time and its close
//! neighbours do not (they write the same thing another way). The n-gram model cannot see them: its
//! n-grams carry no word boundaries, so it cannot tell the word `y` from a `y` inside a word, and its
//! Devanagari n-grams, like lingua's, stop at vowel signs. Each occurrence of a listed word adds the
//! list's weight (nats) to its language.
//!
//! The lists come from the grammar of each language (articles, conjunctions, pronouns, auxiliaries),
//! not from any test text. A word that is also a common word of a language the list's language is
//! confused with is left out (Afrikaans `die` and `het` are German and Dutch words too), and no word
//! is in two lists (a test checks it).

/// Nats per function word found, for the lists of Latin and Cyrillic languages.
pub(crate) const WORD_EVIDENCE: f32 = 4.0;
/// Nats per function word for Hindi and Marathi, whose n-grams tell them apart least.
pub(crate) const DEVANAGARI_EVIDENCE: f32 = 3.0;

/// (language, nats per word, words), lowercase.
pub(crate) const FUNCTION_WORDS: &[(&str, f32, &[&str])] = &[
    // Spanish against Catalan, Portuguese, Italian.
    (
        "es",
        WORD_EVIDENCE,
        &[
            "los", "las", "y", "muy", "pero", "también", "hay", "ya", "ese", "esa", "eso", "sus", "fue",
            "había", "cuando", "donde", "hasta", "ella", "ellos", "mucho", "nuestro", "nuestra", "usted",
            "él", "según", "aunque", "año", "años", "puede", "tiene", "hace", "unos", "unas", "otro", "otra",
            "sin", "estos", "estas", "porque",
        ],
    ),
    // Catalan against Spanish, Portuguese, French, Italian.
    (
        "ca",
        WORD_EVIDENCE,
        &[
            "els", "amb", "és", "són", "dels", "als", "pel", "pels", "aquest", "aquesta", "aquests",
            "aquestes", "però", "més", "molt", "molta", "molts", "moltes", "també", "seva", "seves", "quan",
            "perquè", "mateix", "tots", "totes", "nostre", "nostra", "sense", "només", "després", "encara",
            "doncs", "pot", "poden", "fins", "unes", "i",
        ],
    ),
    // Portuguese against Spanish, Catalan, Galician-like spellings.
    (
        "pt",
        WORD_EVIDENCE,
        &[
            "não", "do", "dos", "em", "na", "nas", "um", "uma", "ao", "à", "às", "pelo", "pela", "pelos",
            "pelas", "mais", "muito", "muita", "foi", "são", "é", "você", "isso", "isto", "quando", "onde",
            "ele", "ela", "eles", "elas", "já", "até", "ainda", "há", "tem", "pode", "depois", "então", "os",
            "num", "numa",
        ],
    ),
    // English against Dutch, German, Afrikaans, Scandinavian, Latin.
    (
        "en",
        WORD_EVIDENCE,
        &[
            "the", "and", "that", "with", "this", "from", "have", "are", "were", "which", "they", "their",
            "would", "said", "been", "has", "but", "not", "be", "she", "his", "you", "it", "or", "there",
            "what", "about", "who", "when", "can", "just", "like", "its", "into", "than", "them", "these",
            "our", "could", "should", "because", "some", "how", "other", "only", "being",
        ],
    ),
    // German against Dutch, Afrikaans, English, Scandinavian.
    (
        "de",
        WORD_EVIDENCE,
        &[
            "der", "das", "und", "ist", "nicht", "mit", "sich", "auch", "auf", "eine", "einen", "einem",
            "einer", "dem", "zu", "von", "für", "werden", "wird", "sind", "wurde", "bei", "nach", "aus",
            "über", "oder", "aber", "nur", "sie", "ich", "wir", "uns", "haben", "hat", "im", "dass", "sein",
            "durch", "zum", "zur", "vom",
        ],
    ),
    // Dutch against Afrikaans, German, English.
    (
        "nl",
        WORD_EVIDENCE,
        &[
            "een", "zijn", "niet", "voor", "worden", "wordt", "naar", "bij", "door", "werd", "hun", "zich",
            "deze", "wel", "geen", "heeft", "hebben", "ze", "hij", "wij", "mij", "zou", "zal", "veel",
            "omdat", "tussen", "ik", "je",
        ],
    ),
    // Afrikaans against Dutch.
    (
        "af",
        WORD_EVIDENCE,
        &[
            "nie", "ek", "hy", "sy", "hulle", "gesê", "baie", "vir", "oor", "jy", "julle", "n", "sal",
            "wees", "hierdie", "by",
        ],
    ),
    // Swedish against Norwegian and Danish.
    (
        "sv",
        WORD_EVIDENCE,
        &[
            "och", "att", "är", "inte", "för", "jag", "till", "från", "också", "honom", "hon", "vara",
            "hade", "när", "skulle", "mycket", "utan", "ni", "vad", "hur", "här", "där", "eftersom", "sedan",
            "någon", "något", "några", "bara", "vid", "åt",
        ],
    ),
    // Danish against Norwegian and Swedish.
    (
        "da",
        WORD_EVIDENCE,
        &[
            "af", "hvad", "blev", "havde", "ud", "op", "mellem", "nogle", "noget", "gør", "sagde", "igennem",
        ],
    ),
    // Norwegian (Bokmål) against Danish and Swedish.
    (
        "nb",
        WORD_EVIDENCE,
        &[
            "hva", "ble", "hadde", "ut", "opp", "mellom", "noen", "noe", "gjør", "meg", "deg", "seg", "nå",
            "etter", "vært", "mye", "enn",
        ],
    ),
    // Turkish against Azerbaijani.
    (
        "tr",
        WORD_EVIDENCE,
        &[
            "ve", "için", "ile", "çok", "olarak", "değil", "gibi", "kadar", "ancak",
        ],
    ),
    // Azerbaijani against Turkish.
    (
        "az",
        WORD_EVIDENCE,
        &[
            "və", "üçün", "ilə", "çox", "olaraq", "deyil", "isə", "edir", "də", "həm",
        ],
    ),
    // Russian against Ukrainian, Bulgarian, Belarusian.
    (
        "ru",
        WORD_EVIDENCE,
        &[
            "что",
            "это",
            "как",
            "он",
            "она",
            "они",
            "его",
            "ее",
            "её",
            "был",
            "была",
            "было",
            "были",
            "который",
            "которые",
            "которая",
            "которых",
            "также",
            "только",
            "уже",
            "если",
            "мы",
            "вы",
            "к",
            "еще",
            "ещё",
            "чтобы",
            "когда",
            "где",
            "очень",
            "сейчас",
            "может",
            "тоже",
            "после",
            "более",
            "этого",
            "этом",
            "этот",
            "эти",
            "ты",
            "мне",
            "меня",
            "со",
            "во",
            "лет",
        ],
    ),
    // Ukrainian against Russian.
    (
        "uk",
        WORD_EVIDENCE,
        &[
            "і",
            "й",
            "що",
            "це",
            "як",
            "він",
            "вона",
            "вони",
            "його",
            "був",
            "була",
            "було",
            "були",
            "який",
            "яка",
            "які",
            "також",
            "тільки",
            "вже",
            "якщо",
            "ми",
            "ви",
            "щоб",
            "коли",
            "дуже",
            "зараз",
            "після",
            "цього",
            "цей",
            "ці",
            "ти",
            "мені",
            "мене",
            "із",
            "зі",
            "є",
            "від",
            "з",
            "але",
            "бо",
            "чи",
            "років",
            "році",
        ],
    ),
    // Bulgarian against Russian and Macedonian.
    (
        "bg",
        WORD_EVIDENCE,
        &[
            "е",
            "са",
            "това",
            "който",
            "която",
            "които",
            "което",
            "във",
            "със",
            "към",
            "след",
            "още",
            "като",
            "той",
            "тя",
            "няма",
            "трябва",
            "тези",
            "този",
            "тази",
            "също",
            "обаче",
            "където",
        ],
    ),
    // Macedonian against Bulgarian and Serbian.
    (
        "mk",
        WORD_EVIDENCE,
        &[
            "ќе",
            "од",
            "кој",
            "која",
            "кои",
            "тоа",
            "ова",
            "овој",
            "оваа",
            "тој",
            "таа",
            "како",
            "каде",
            "кога",
            "меѓу",
            "според",
            "треба",
        ],
    ),
    // Hindi against Marathi (whole words, vowel signs included).
    (
        "hi",
        DEVANAGARI_EVIDENCE,
        &[
            "है",
            "हैं",
            "था",
            "थे",
            "थी",
            "के",
            "में",
            "से",
            "और",
            "यह",
            "वह",
            "भी",
            "लिए",
            "नहीं",
            "गया",
            "गई",
            "किया",
            "कहा",
            "हुआ",
            "हुए",
            "इस",
            "उस",
            "अपने",
            "करने",
        ],
    ),
    // Marathi against Hindi.
    (
        "mr",
        DEVANAGARI_EVIDENCE,
        &[
            "आहे",
            "आहेत",
            "होते",
            "होता",
            "होती",
            "आणि",
            "नाही",
            "मध्ये",
            "केले",
            "केली",
            "केला",
            "झाले",
            "झाली",
            "झाला",
            "त्यांनी",
            "त्याच्या",
            "त्यांच्या",
            "या",
            "हा",
            "आता",
            "असे",
            "म्हणून",
            "साठी",
            "येथे",
            "तसेच",
            "पण",
        ],
    ),
];

/// Longest word looked up, in bytes of its lowercase form; longer words are no function word.
pub(crate) const MAX_WORD_BYTES: usize = 32;

/// The function words of the model's languages, looked up by their lowercase UTF-8 bytes with no
/// allocation: an open-addressing table of indices into the entries, keyed by an FNV-1a hash.
#[derive(Debug, Default)]
pub(crate) struct WordTable {
    /// (word, model index of its language, nats it adds).
    entries: Vec<(&'static [u8], u8, f32)>,
    /// Index into `entries` + 1, or 0 for an empty slot; at least half the slots are empty.
    slots: Vec<u16>,
}

impl WordTable {
    /// The table of the listed words whose language has a model index (`index_of`).
    pub(crate) fn new(index_of: impl Fn(&str) -> Option<u8>) -> WordTable {
        let mut entries = Vec::new();
        for (code, weight, words) in FUNCTION_WORDS {
            if let Some(index) = index_of(code) {
                entries.extend(words.iter().map(|w| (w.as_bytes(), index, *weight)));
            }
        }
        let size = (2 * entries.len()).next_power_of_two().max(16);
        let mut slots = vec![0u16; size];
        for (at, (word, _, _)) in entries.iter().enumerate() {
            let Ok(value) = u16::try_from(at + 1) else {
                break;
            };
            let mut slot = hash(word) as usize & (size - 1);
            while slots.get(slot).is_some_and(|&s| s != 0) {
                slot = (slot + 1) & (size - 1);
            }
            if let Some(s) = slots.get_mut(slot) {
                *s = value;
            }
        }
        WordTable { entries, slots }
    }

    /// The language (model index) and weight of a lowercase word, if it is a function word.
    #[inline]
    pub(crate) fn get(&self, word: &[u8]) -> Option<(u8, f32)> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = hash(word) as usize & mask;
        // At least half the slots are empty, so a probe sequence ends soon.
        for _ in 0..self.slots.len() {
            let at = usize::from(*self.slots.get(slot)?);
            let (listed, index, weight) = self.entries.get(at.checked_sub(1)?)?;
            if *listed == word {
                return Some((*index, *weight));
            }
            slot = (slot + 1) & mask;
        }
        None
    }
}

/// FNV-1a over bytes.
fn hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_lowercase_and_disjoint() {
        let mut seen = std::collections::HashMap::new();
        for (code, _, words) in FUNCTION_WORDS {
            for word in *words {
                assert_eq!(*word, word.to_lowercase(), "{code}: {word}");
                if let Some(other) = seen.insert(*word, *code) {
                    panic!("{word} is in the lists of {other} and {code}");
                }
                assert!(word.len() <= MAX_WORD_BYTES, "{code}: {word}");
            }
        }
    }

    #[test]
    fn table_finds_every_word_and_nothing_else() {
        let codes: Vec<&str> = FUNCTION_WORDS.iter().map(|(code, _, _)| *code).collect();
        let table = WordTable::new(|code| codes.iter().position(|c| *c == code).map(|i| i as u8));
        for (at, (_, weight, words)) in FUNCTION_WORDS.iter().enumerate() {
            for word in *words {
                assert_eq!(table.get(word.as_bytes()), Some((at as u8, *weight)), "{word}");
            }
        }
        for word in ["", "thee", "th", "casa", "ã", "Der"] {
            assert_eq!(table.get(word.as_bytes()), None, "{word}");
        }
        assert_eq!(WordTable::default().get(b"the"), None);
    }
}
