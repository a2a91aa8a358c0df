//! Trimming the tail: what trails the article (related rails, contact and
//! author boxes, reader appeals, calls to action, dangling headings) is cut
//! from the end of the kept paragraphs.

use super::{ParaKind, Paragraph};
use crate::text::{self, fold};

/// Phrases of calls to action and notices that close pages: subscribe,
/// follow, donate, copyright. Only looked for in the last paragraphs.
const CALL_TO_ACTION: &[&str] = &[
    "subscribe",
    "subscriber",
    "subscription",
    "newsletter",
    "follow us",
    "follow the",
    "sign up",
    "signing up",
    "download the",
    "support us",
    "support our",
    "become a member",
    "all rights reserved",
    "copyrighted",
    "written permission",
    "abonnieren",
    "abonniere",
    "abonnement",
    "abonnez",
    "abonne",
    "folgen sie",
    "folge uns",
    "unterstütze",
    "unterstützen sie",
    "spende",
    "alle rechte vorbehalten",
    "suscríbete",
    "suscribete",
    "suscripción",
    "síguenos",
    "siguenos",
    "hazte miembro",
    "únete",
    "todos los derechos reservados",
    "tous droits réservés",
    "suivez-nous",
    "zapraszamy",
    "subskrypcj",
    "iscriviti",
    "seguici",
    "assine",
    "siga-nos",
    "copyright",
    "©",
    "cc-by",
    "wszelkie prawa zastrzeżone",
    "prawem autorskim",
    "supporting our work",
    "get the latest news",
    "letter to the editor",
    "abgelegt unter",
    "veröffentlicht und wurde unter",
    "this entry was posted",
    "bookmark the permalink",
    "be sociable",
    "nicht eingeloggt",
    "kommentare erscheinen",
    // Sharing, cross-promotion and posting metadata closing a page.
    "artikel teilen",
    "beitrag teilen",
    "share this article",
    "share this post",
    "partager cet article",
    "compartir este artículo",
    "help us continue",
    "kennt ihr schon",
    "kennen sie schon",
    "youtube channel",
    "youtube-kanal",
    "canal de youtube",
    "findest du hier",
    "finden sie hier",
    "weitere infos unter",
    "in unserem beitrag",
    "mit uns in kontakt",
    "gibt die meinung des autors wieder",
    "last modified:",
    "category:",
    "category :",
    "kategorie:",
    "categoría:",
    "catégorie :",
    "filed under",
];

/// A reader appeal that opens the block closing a page: a request for
/// support or membership, or the wall in front of the rest of the text.
fn is_appeal(p: &Paragraph) -> bool {
    const APPEALS: &[&str] = &[
        "support our work",
        "supporting our work",
        "support us",
        "support independent",
        "become a member",
        "unterstütze uns",
        "unterstütze unser",
        "unterstützen sie uns",
        "unterstützen sie unser",
        "unterstützt uns",
        "bezahlschranke",
        "paywall",
        "apóyanos",
        "apoya el periodismo",
        "hazte miembro",
        "hazte socio",
        "únete a nuestra comunidad",
        "pour lire la suite",
        "pour accéder en illimité",
        "soutenez-nous",
        "soutenez notre",
        "sostienici",
        "sostieni il",
        "apoie o",
        "wesprzyj nas",
        "steun ons",
    ];
    if p.words > 60 {
        return false;
    }
    let f = fold(&p.text);
    APPEALS.iter().any(|c| f.contains(c))
}

fn is_call_to_action(p: &Paragraph) -> bool {
    if p.words > 60 {
        return false;
    }
    let f = fold(&p.text);
    CALL_TO_ACTION.iter().any(|c| f.contains(c))
}

/// Labels of the sections that follow an article: contacts, further
/// reading, related stories, the author box, sources.
const TAIL_LABELS: &[&str] = &[
    "kontakt",
    "pressekontakt",
    "ansprechpartner",
    "ansprechpartnerin",
    "ansprechpersonen",
    "weitere informationen",
    "mehr informationen",
    "weitere infos",
    "über den autor",
    "über die autorin",
    "zum autor",
    "zur autorin",
    "quellen",
    "quellenangaben",
    "auch interessant",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "lesen sie auch",
    "mehr zum thema",
    "zum weiterlesen",
    "schon gelesen?",
    "ähnliche beiträge",
    "ähnliche artikel",
    "verwandte artikel",
    "weitere artikel",
    "weitere beiträge",
    "contact",
    "contacts",
    "media contact",
    "press contact",
    "more information",
    "further information",
    "further reading",
    "about the author",
    "related",
    "related articles",
    "related stories",
    "related posts",
    "you may also like",
    "you might also like",
    "read more",
    "read next",
    "more stories",
    "temas relacionados",
    "noticias relacionadas",
    "te puede interesar",
    "lee también",
    "contacto",
    "articles similaires",
    "à lire aussi",
    "a lire aussi",
    "sur le même sujet",
    "lire aussi",
    "leggi anche",
    "potrebbe interessarti",
    "articoli correlati",
    "czytaj także",
    "czytaj też",
    "leia também",
    "gerelateerde artikelen",
    "lees ook",
];

/// Labels of an author box at the end of a page.
const AUTHOR_BOX_LABELS: &[&str] = &[
    "über den autor",
    "über die autorin",
    "zum autor",
    "zur autorin",
    "about the author",
    "à propos de l'auteur",
    "sobre el autor",
    "weitere beiträge aus der kolumne",
];

/// Cuts a closing section that starts with a label from [`TAIL_LABELS`]
/// when nothing after the label is prose (the article goes on after an
/// inline "Lesen Sie auch" link; a contact box or a related rail does not).
pub(super) fn cut_tail_section(kept: &mut Vec<Paragraph>) {
    let n = kept.len();
    if n < 3 {
        return;
    }
    // Longest paragraph from each index to the end.
    let mut longest_after = vec![0usize; n + 1];
    for k in (0..n).rev() {
        let words = kept.get(k).map_or(0, |p| p.words);
        let next = longest_after.get(k + 1).copied().unwrap_or(0);
        if let Some(slot) = longest_after.get_mut(k) {
            *slot = next.max(words);
        }
    }
    let cut = (2..n).find(|&k| {
        let Some(p) = kept.get(k) else { return false };
        if p.words > 8 {
            return false;
        }
        let f = fold(&p.text);
        let label = f.trim_end_matches([':', '.', '…', ' ', '»', '›']);
        // An author box is prose, but it closes the page.
        let author_box = AUTHOR_BOX_LABELS.contains(&label) && k * 4 >= n * 3;
        // A label that closes the page over up to three short paragraphs
        // introduces a box (a promotion, a teaser), not more of the text.
        let closing_box = n - k <= 4 && kept.iter().skip(k + 1).map(|p| p.words).sum::<usize>() < 80;
        author_box
            || ((closing_box || longest_after.get(k + 1).copied().unwrap_or(0) < 30)
                && TAIL_LABELS.contains(&label))
    });
    if let Some(k) = cut {
        kept.truncate(k);
    }
}

/// Drops what trails the article: short lines that are not sentences (the
/// titles of removed rails: "Auch interessant", "Temas relacionados",
/// "More from ...") and calls to action, from the end backwards.
pub(super) fn trim_tail(kept: &mut Vec<Paragraph>) {
    // An appeal block closes the page ("Support our work ... Join ... Learn
    // how we are funded"): from its first call to action on, when only a few
    // short paragraphs follow.
    let n = kept.len();
    let start = n.saturating_sub(6).max(n / 2).max(2);
    if let Some(k) = (start..n).find(|&k| kept.get(k).is_some_and(is_appeal))
        && kept.iter().skip(k).all(|p| p.words <= 60)
    {
        kept.truncate(k);
    }
    while kept.len() > 2 {
        let Some(last) = kept.last() else { break };
        let t = last.text.trim_end();
        let label = t.ends_with(':') || !text::ends_sentence(t);
        let dangling = match last.kind {
            ParaKind::Heading(_) => label || last.words <= 6,
            // Not an agency sign-off: "rmt/sms (dpa, Reuters)".
            ParaKind::Text => last.words <= 6 && label && !t.contains(['(', '/']),
            _ => false,
        };
        if dangling || is_call_to_action(last) {
            kept.pop();
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(t: &str) -> Paragraph {
        Paragraph {
            text: t.to_string(),
            kind: ParaKind::Text,
            words: text::word_count(t),
        }
    }

    fn check_tail(paragraphs: &[&str], kept: usize) {
        let mut ps: Vec<Paragraph> = paragraphs.iter().map(|t| para(t)).collect();
        trim_tail(&mut ps);
        assert_eq!(ps.len(), kept, "{paragraphs:?}");
    }

    #[test]
    fn appeal_blocks_close_the_page() {
        let story = [
            "The council approved the plan on Tuesday after a long debate about costs.",
            "Opponents said the new road would cut the village in two and bring heavy traffic.",
            "The mayor promised a second hearing before any work starts next spring.",
            "Residents can send comments to the planning office until the end of March.",
        ];
        check_tail(&story, 4);
        let mut with_appeal = story.to_vec();
        with_appeal.extend([
            "Support independent journalism",
            "If you value our reporting, please consider supporting our work with a monthly gift.",
            "Cancel at any time.",
            "Learn how we are funded and who owns us.",
        ]);
        check_tail(&with_appeal, 4);
        // An appeal in the first half is the story's subject, not a box.
        let early = [
            "Volunteers asked neighbours to support our work at the food bank, the organiser said.",
            "The food bank now serves two hundred families each week from its hall.",
            "It needs more drivers for the winter months, when demand is highest.",
        ];
        check_tail(&early, 3);
        // Sharing prompts and posting metadata trail the text.
        let mut trailing = story.to_vec();
        trailing.extend([
            "Möchten Sie den Artikel teilen?",
            "News date : 04/21/2022 Category : Press Releases",
        ]);
        check_tail(&trailing, 4);
    }
}
