//! Furniture lines: short paragraphs that are page furniture, not article
//! text, wherever they stand (time stamps, "Read more", photo credits,
//! captions left in the text, advertising and consent notices, calls to
//! action, calendar and pager rows).

use crate::dates;
use crate::text::{self, fold};

/// Short lines that are page furniture wherever they appear.
const FURNITURE_LINES: &[&str] = &[
    "advertisement",
    "advertising",
    "anzeige",
    "werbung",
    "publicité",
    "publicidad",
    "pubblicità",
    "реклама",
    "read more",
    "read more:",
    "weiterlesen",
    "mehr lesen",
    "mehr zum thema",
    "lire la suite",
    "lire aussi",
    "à lire aussi",
    "continue reading",
    "share",
    "share this",
    "share this article",
    "share this story",
    "teilen",
    "artikel teilen",
    "partager",
    "skip to content",
    "skip to main content",
    "back to top",
    "nach oben",
    "print",
    "drucken",
    "imprimer",
    "comments",
    "kommentare",
    "commentaires",
    "related",
    "related articles",
    "related stories",
    "more on this topic",
    "recommended",
    "sponsored",
    "loading",
    "loading...",
    "click here",
    "subscribe",
    "sign up",
    "log in",
    "login",
    "follow us",
    "folgen sie uns",
    "titelbild",
    "credit",
    "credits",
    "crédits photos",
    "bildnachweis",
    "fotos",
    "keine kommentare",
    "no comments",
    "kommentieren",
    "kommentar schreiben",
    "kommentare schreiben",
    "leave a comment",
    "leave a reply",
    "tagged",
    "tags",
    "schlagworte",
    "themen",
    "inhaltsverzeichnis",
    "table of contents",
    "permalink",
    "permalien",
    "lo último",
    "aktuell",
    "bild anzeigen bild schließen",
    "externer inhalt",
    "quellen ausblenden",
    "erschienen in",
    "audios et vidéos sur le sujet",
];

/// Removes a trailing photo credit ("... Image: A. Name/REUTERS").
pub(super) fn strip_credit(s: &str) -> &str {
    const MARKERS: &[&str] = &[
        "Image:",
        "Photo:",
        "Picture:",
        "Foto:",
        "Bild:",
        "Fotos:",
        "Photos:",
        "Credit:",
        "Credits:",
        "Source:",
        "Quelle:",
        "Crédit:",
        "Crédits:",
        "Фото:",
        "©",
        "(c)",
    ];
    let mut cut = s.len();
    // Most text has no marker at all: every one but two holds a colon.
    let colon = memchr::memchr(b':', s.as_bytes()).is_some();
    for m in MARKERS {
        if !colon && m.ends_with(':') {
            continue;
        }
        if let Some(p) = s.rfind(m) {
            let tail = s.get(p..).unwrap_or_default();
            if text::word_count(tail) <= 8 && p < cut {
                cut = p;
            }
        }
    }
    s.get(..cut).unwrap_or(s).trim_end()
}

/// A line of tiny cells only: a calendar week ("05 06 07 08 09 10 11",
/// "Mo Di Mi Do Fr Sa So") or a pager ("1 2 3 4 5").
pub(super) fn is_grid_row(p: &str) -> bool {
    let mut n = 0;
    for w in p.split_whitespace() {
        n += 1;
        if n > 16 || w.chars().count() > 2 {
            return false;
        }
    }
    n >= 4
}

/// A line that is only a time or date stamp ("11:42", "Updated 09:15 GMT",
/// "Published 25.11.2022, 14:30").
fn is_timestamp_line(p: &str) -> bool {
    let f = fold(p);
    let mut rest = f.as_str();
    for lead in [
        "last updated",
        "updated",
        "published",
        "posted",
        "aktualisiert",
        "stand",
        "mis à jour",
        "publié le",
        "publié",
    ] {
        if let Some(r) = rest.strip_prefix(lead) {
            rest = r.trim_start_matches([':', ' ']);
            break;
        }
    }
    let had_lead = rest.len() != f.len();
    let time_like = !rest.is_empty()
        && rest.chars().any(|c| c.is_ascii_digit())
        && (rest.contains(':') || dates::find_in_text(rest, false).is_some())
        && rest.split_whitespace().all(|w| {
            w.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | '/' | '-'))
                || matches!(
                    w,
                    "am" | "pm"
                        | "a.m."
                        | "p.m."
                        | "uhr"
                        | "h"
                        | "gmt"
                        | "utc"
                        | "bst"
                        | "cet"
                        | "cest"
                        | "et"
                        | "pt"
                )
        });
    time_like || (had_lead && text::word_count(rest) <= 6 && dates::find_in_text(rest, false).is_some())
}

pub(super) fn is_furniture(p: &str) -> bool {
    if is_timestamp_line(p) {
        return true;
    }
    let f = fold(p);
    let f = f.trim_end_matches([':', '…', '.', '›', '»', '>', ' ']);
    if FURNITURE_LINES.contains(&f) {
        return true;
    }
    if (f.starts_with("skip ") || f.starts_with("jump to ")) && text::word_count(f) <= 8 {
        return true;
    }
    strip_credit(p).is_empty() || is_credit_line(p)
}

/// A short paragraph carrying a picture credit or a figure label (`f` is
/// the paragraph folded to lowercase).
pub(super) fn is_caption_line(f: &str) -> bool {
    const MARKERS: &[&str] = &[
        "photo:",
        "foto:",
        "fotos:",
        "photos:",
        "bild:",
        "image:",
        "abbildung:",
        "abb.:",
        "grafik:",
        "crédit photo",
        "crédits photo",
    ];
    // The label of a zoom button left before the caption text.
    MARKERS.iter().any(|m| f.contains(m)) || f.starts_with("vergrößern ") || f.starts_with("bild vergrößern")
}

/// Calls to action that are never article text, wherever they stand (`f`
/// folded to lowercase).
pub(super) fn is_strong_call_to_action(f: &str) -> bool {
    // Page controls that end in a spinner or ask to log in.
    if f.ends_with("loading...") || f.ends_with("loading…") || f.starts_with("lade weitere") {
        return true;
    }
    if ["einloggen", "eingeloggt", "log in to", "logged in to"]
        .iter()
        .any(|m| f.contains(m))
    {
        return true;
    }
    if ["permalink", "permalien", "keine kommentare", "no comments"]
        .iter()
        .any(|m| f.starts_with(m))
    {
        return true;
    }
    const PHRASES: &[&str] = &[
        "newsletter",
        "sign up to",
        "signing up to",
        "subscribe to",
        "subscribe now",
        "jetzt abonnieren",
        "werden sie mitglied",
        "jede kleine spende",
        "jetzt spenden",
        "donate now",
        "suscríbete",
        "abonnez-vous",
        "letter to the editor",
    ];
    PHRASES.iter().any(|m| f.contains(m))
}

/// The placeholder of an embed that waits for consent: "Twitter
/// freischalten", "We respect your privacy and do not connect to Twitter
/// without your consent" (`f` folded to lowercase).
pub(super) fn is_consent_notice(f: &str, words: usize) -> bool {
    const PHRASES: &[&str] = &[
        "externe inhalte angezeigt",
        "externe inhalte laden",
        "externen inhalt laden",
        "ohne dein einverständnis",
        "ohne ihr einverständnis",
        "keine verbindung zu",
        "cookies akzeptieren",
        "datenschutzeinstellungen",
        "to view this content",
        "to display this content",
        "accept cookies",
        "consent to the use of cookies",
        "accepter les cookies",
        "aceptar las cookies",
        "aceptar cookies",
    ];
    if words <= 3 && (f.ends_with("freischalten") || f.ends_with("aktivieren") && f.contains("inhalt")) {
        return true;
    }
    PHRASES.iter().any(|m| f.contains(m))
}

/// A notice that the page advertises: "Anzeige", "*Werbung", "Sponsored"
/// (`f` folded to lowercase).
pub(super) fn is_ad_notice(f: &str) -> bool {
    let f = f.trim_start_matches(['*', ' ', '[', '(']);
    [
        "anzeige",
        "werbung",
        "enthält werbung",
        "advertisement",
        "sponsored",
        "publicidad",
        "publicité",
    ]
    .iter()
    .any(|m| f.starts_with(m))
        || (f.contains("affiliate") && text::word_count(f) <= 12)
}

/// Agencies and picture libraries named in photo credits.
const PICTURE_SOURCES: &[&str] = &[
    "getty",
    "images",
    "afp",
    "reuters",
    "dpa",
    "ap",
    "epa",
    "imago",
    "picture",
    "alliance",
    "shutterstock",
    "istock",
    "istockphoto",
    "unsplash",
    "pixabay",
    "keystone",
    "anadolu",
    "efe",
    "ansa",
    "xinhua",
    "wenn",
    "photo",
    "foto",
    "fotos",
    "photos",
    "bild",
    "credit",
    "credits",
    "crédits",
];

/// A photo credit standing alone: "Augusta National/Getty Images",
/// "AFP / MARCO BERTORELLO", "Judy Eddy/WENN.com". An agency sign-off with
/// parentheses ("rmt/sms (dpa, Reuters)") is part of the article.
fn is_credit_line(p: &str) -> bool {
    if !p.contains('/') || p.contains('(') || text::word_count(p) > 8 || text::ends_sentence(p) {
        return false;
    }
    let f = fold(p);
    f.split(|c: char| !c.is_alphanumeric())
        .any(|w| PICTURE_SOURCES.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(line: &str, furniture: bool) {
        assert_eq!(is_furniture(line), furniture, "{line:?}");
    }

    #[test]
    fn furniture_lines() {
        check("11:42", true);
        check("Updated 11:42 GMT", true);
        check("Published: 25.11.2022, 14:30", true);
        check("Advertisement", true);
        check("Skip next section DW's Top Story", true);
        check("Image: Johanna Geron/REUTERS", true);
        check("Read more:", true);
        check("rmt/sms (dpa, Reuters)", false);
        check("He said 11 people were hurt.", false);
        check("Updated guidance was published on Monday.", false);
        check("2022", false);
        check("AFP / MARCO BERTORELLO", true);
        check("Augusta National/Getty Images", true);
        check("Permalien", true);
    }

    #[track_caller]
    fn check_short(line: &str, caption: bool, ad: bool, action: bool) {
        let f = fold(line);
        assert_eq!(
            (
                is_caption_line(&f),
                is_ad_notice(&f),
                is_strong_call_to_action(&f)
            ),
            (caption, ad, action),
            "{line}"
        );
    }

    #[test]
    fn consent_placeholders() {
        for (line, notice) in [
            ("Twitter freischalten", true),
            (
                "Wir respektieren deine Privatsphäre und stellen deshalb ohne dein Einverständnis keine \
                 Verbindung zu Twitter her.",
                true,
            ),
            ("Please accept cookies to view this content.", true),
            ("Der Stadtrat will die Förderung freischalten.", false),
            ("The court ruled that consent had not been given.", false),
        ] {
            let f = fold(line);
            assert_eq!(is_consent_notice(&f, text::word_count(line)), notice, "{line}");
        }
    }

    #[test]
    fn grid_rows() {
        for (line, grid) in [
            ("05 06 07 08 09 10 11", true),
            ("Mo Di Mi Do Fr Sa So", true),
            ("1 2 3 4 5", true),
            ("1 2 3", false),
            ("15 – 30 Min", false),
            ("Eye in the sky", false),
            ("a b c d e f g h i j k l m n o p q r", false),
        ] {
            assert_eq!(is_grid_row(line), grid, "{line}");
        }
    }

    #[test]
    fn short_paragraphs_that_are_not_text() {
        check_short(
            "Roman Prymula, photo: Archives du Gouvernement",
            true,
            false,
            false,
        );
        check_short("Abbildung: Farblich codierte Schneehöhen", true, false, false);
        check_short(
            "Vergrößern Eine kleine runde Aussparung im Display.",
            true,
            false,
            false,
        );
        check_short("*Werbung. Dieser Beitrag enthält Werbung.", false, true, false);
        check_short("Anzeige, enthält Affiliate Links", false, true, false);
        check_short(
            "Never miss the latest news by signing up to our newsletter today!",
            false,
            false,
            true,
        );
        check_short("Jede kleine Spende hilft!", false, false, true);
        check_short("(Noch keine Bewertungen) Loading...", false, false, true);
        check_short(
            "Sie müssen sich einloggen, um zu kommentieren.",
            false,
            false,
            true,
        );
        check_short(
            "The minister said the photo was taken in May.",
            false,
            false,
            false,
        );
        check_short("Der Verein wirbt um neue Mitglieder.", false, false, false);
    }
}
