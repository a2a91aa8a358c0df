//! Collecting paragraphs: the text of the chosen containers cut into
//! paragraphs in document order (with their link share), captions, the lead
//! paragraph set apart before the containers, and paragraphs of a text given
//! whole (JSON-LD `articleBody`).

use super::analysis::Analysis;
use super::flags::Flag;
use super::furniture::strip_credit;
use super::{ParaKind, Paragraph};
use crate::dom::{Dom, Kind, Tag};
use crate::text;

/// Builds paragraphs while walking a container.
#[derive(Default)]
pub(super) struct Collector {
    pub(super) paragraphs: Vec<(Paragraph, usize, usize)>,
    pub(super) captions: Vec<String>,
    pub(super) buf: String,
    pub(super) kind: Option<ParaKind>,
    pub(super) chars: usize,
    pub(super) link_chars: usize,
    pub(super) pending_br: u8,
}

impl Collector {
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.buf);
        let kind = self.kind.take().unwrap_or(ParaKind::Text);
        let text = if kind == ParaKind::Pre {
            let lines: Vec<String> = raw.lines().map(text::normalize).collect();
            let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
            let last = lines.iter().rposition(|l| !l.is_empty()).map_or(first, |p| p + 1);
            lines.get(first..last).unwrap_or_default().join("\n")
        } else {
            // Already whitespace-collapsed while collecting; only trim.
            let mut raw = raw;
            let end = raw.trim_end().len();
            raw.truncate(end);
            if raw.starts_with(' ') {
                raw.remove(0);
            }
            // A heading's permalink anchor ("Examples¶") is not its text.
            if matches!(kind, ParaKind::Heading(_)) && raw.ends_with('¶') {
                let end = raw.trim_end_matches('¶').trim_end().len();
                raw.truncate(end);
            }
            raw
        };
        if !text.is_empty() {
            let words = text::word_count(&text);
            self.paragraphs
                .push((Paragraph { text, kind, words }, self.chars, self.link_chars));
        }
        self.chars = 0;
        self.link_chars = 0;
        self.pending_br = 0;
    }

    fn add_caption(&mut self, caption: String, include: bool) {
        if include {
            self.flush();
            let words = text::word_count(&caption);
            self.paragraphs.push((
                Paragraph {
                    text: caption.clone(),
                    kind: ParaKind::Caption,
                    words,
                },
                0,
                0,
            ));
        }
        if !self.captions.contains(&caption) {
            self.captions.push(caption);
        }
    }
}

fn block_kind(tag: Tag) -> Option<ParaKind> {
    match tag {
        Tag::Li | Tag::Dt | Tag::Dd => Some(ParaKind::ListItem),
        Tag::Blockquote => Some(ParaKind::Quote),
        Tag::Pre => Some(ParaKind::Pre),
        t => t.heading_level().map(ParaKind::Heading),
    }
}

/// Text of a caption element without credits, hidden parts or junk.
fn caption_text(an: &Analysis<'_, '_>, c: usize) -> Option<String> {
    let dom = an.dom;
    let mut out = String::new();
    let end = dom.end(c);
    let mut j = c + 1;
    while j < end {
        let x = an.at(j);
        if matches!(
            x.own,
            Flag::Credit | Flag::Junk | Flag::Hidden | Flag::Boiler | Flag::Comments | Flag::TagBoiler
        ) {
            j = dom.end(j);
            continue;
        }
        if let Some(t) = dom.text(j) {
            text::push_collapsed(&mut out, t);
        } else if dom.tag(j).is_block() || dom.tag(j) == Tag::Br {
            text::push_collapsed(&mut out, " ");
        }
        j += 1;
        if out.len() > 2000 {
            break;
        }
    }
    let t = strip_credit(text::normalize(&out).as_str()).to_string();
    (text::word_count(&t) >= 2).then_some(t)
}

/// Walks the containers in document order and cuts their text into
/// paragraphs.
pub(super) fn collect(an: &Analysis<'_, '_>, containers: &[usize], include_captions: bool) -> Collector {
    let dom = an.dom;
    let mut c = Collector::default();
    for &root in containers {
        let end = dom.end(root);
        let mut open: Vec<(usize, Tag)> = Vec::new();
        let mut link_until = 0usize;
        let mut pre_until = 0usize;
        let mut j = root;
        while j < end {
            while open.last().is_some_and(|&(e, _)| e <= j) {
                open.pop();
                c.flush();
            }
            let x = an.at(j);
            if x.removed {
                if x.own == Flag::Caption
                    && let Some(t) = caption_text(an, j)
                {
                    c.add_caption(t, include_captions);
                }
                j = dom.end(j);
                continue;
            }
            match dom.kind(j) {
                Kind::Element(_, tag) => {
                    if matches!(tag, Tag::Td | Tag::Th) && inline_only(dom, j) {
                        // A cell of plain text: a row reads as one line
                        // ("125 g | flour"), not as a paragraph per cell.
                        if !c.buf.trim().is_empty() && !c.buf.ends_with(' ') {
                            c.buf.push(' ');
                        }
                    } else if tag.is_block() {
                        c.flush();
                        open.push((dom.end(j), tag));
                    } else if tag == Tag::Br {
                        c.pending_br = c.pending_br.saturating_add(1);
                    }
                    if an.at(j).is_link {
                        link_until = link_until.max(dom.end(j));
                    }
                    if tag == Tag::Pre {
                        pre_until = pre_until.max(dom.end(j));
                    }
                }
                Kind::Text(t) => {
                    let in_pre = j < pre_until;
                    if c.pending_br > 0 && !c.buf.trim().is_empty() {
                        if c.pending_br >= 2 && !in_pre {
                            c.flush();
                        } else {
                            c.buf.push(if in_pre { '\n' } else { ' ' });
                        }
                    }
                    c.pending_br = 0;
                    if c.kind.is_none() && !t.trim().is_empty() {
                        let kind = open
                            .iter()
                            .rev()
                            .take(3)
                            .find_map(|&(_, tag)| block_kind(tag))
                            .unwrap_or(ParaKind::Text);
                        c.kind = Some(kind);
                    }
                    if in_pre {
                        c.buf.push_str(t);
                    } else {
                        text::push_collapsed(&mut c.buf, t);
                    }
                    let n = x.raw_chars as usize;
                    c.chars += n;
                    if j < link_until {
                        c.link_chars += n;
                    }
                    if c.buf.len() > 1 << 26 {
                        // Pathological single paragraph: stop growing it.
                        c.flush();
                    }
                }
                Kind::Other => {}
            }
            j += 1;
        }
        c.flush();
    }
    c
}

/// Whether `i` holds no block element (a table cell of plain text).
fn inline_only(dom: &Dom<'_>, i: usize) -> bool {
    (i + 1..dom.end(i)).all(|k| dom.element(k).is_none() || !dom.tag(k).is_block())
}

/// Paragraphs of a text given whole (JSON-LD `articleBody`): markup, if
/// any, is dropped; line breaks separate paragraphs.
pub(super) fn paragraphs_of(raw: &str) -> Vec<Paragraph> {
    let mut plain = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push('\n');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = text::decode_entities(&plain);
    plain
        .lines()
        .map(text::normalize)
        .filter(|l| !l.is_empty())
        .map(|t| {
            let words = text::word_count(&t);
            Paragraph {
                text: t,
                kind: ParaKind::Text,
                words,
            }
        })
        .collect()
}

/// Whether `lead` says what one of the page's descriptions says: the same
/// words, or the description cut short ("…") at the start of the lead.
fn says_a_description(lead: &str, descriptions: &[&str]) -> bool {
    let lead = text::fold(lead);
    descriptions.iter().any(|d| {
        let d = text::fold(d);
        let d = d.trim_end_matches(['…', '.', ' ']).trim_end_matches("...");
        d.len() >= 40
            && (lead.trim_end_matches(['…', '.', ' ']) == d
                || (lead.starts_with(d) && d.len() * 3 >= lead.len() * 2))
    })
}

/// Class words of a lead paragraph (standfirst) set apart from the body.
const LEAD_WORDS: &[&str] = &[
    "lead",
    "leader",
    "intro",
    "chapo",
    "standfirst",
    "vorspann",
    "sommario",
    "perex",
    "subheadline",
    "deck",
    "entradilla",
    "bajada",
    "sapo",
];

/// The lead paragraph just before the chosen containers, when the page sets
/// it apart (`itemprop=description`, a "lead"/"intro"/"chapo" class, or
/// saying what the page's description says) in a block the containers do
/// not include: it is the article's first paragraph. Nothing but a header's
/// worth of text (breadcrumbs, byline, share bar, a subscription offer) may
/// stand between the two: the marks above are strong enough that a lead
/// 1000 characters away is still the article's.
pub(super) fn lead_before(
    an: &Analysis<'_, '_>,
    containers: &[usize],
    descriptions: &[&str],
) -> Option<String> {
    let dom = an.dom;
    let container = *containers.iter().min()?;
    // From the first text the containers give, so that a lead inside them
    // but in a removed header counts too.
    let first = (container..dom.end(container))
        .find(|&i| dom.text(i).is_some() && !an.at(i).removed && an.at(i).raw_chars > 0)
        .unwrap_or(container);
    let mut between = 0u32;
    let mut j = first;
    let mut tokens = text::Tokens::default();
    // Walk back over at most 600 nodes.
    while j > 0 && first - j < 600 {
        j -= 1;
        if dom.end(j) > first {
            // An ancestor of the container.
            continue;
        }
        let x = an.at(j);
        if x.in_junk {
            continue;
        }
        if dom.text(j).is_some() {
            between = between.saturating_add(x.raw_chars);
        }
        // Checked at elements only, less their own text: a blank text node
        // inside the lead block would count the lead's text as standing
        // between it and the containers.
        if dom.element(j).is_some() && between > 1000 + x.raw_chars {
            return None;
        }
        let Some(el) = dom.element(j) else { continue };
        if x.raw_chars < 40 || x.raw_chars > 800 || x.raw_link * 5 > x.raw_chars || x.own == Flag::Hidden {
            continue;
        }
        let described = el
            .attr("itemprop")
            .is_some_and(|v| v.eq_ignore_ascii_case("description"));
        let lead_class = el.attr("class").is_some_and(|c| {
            tokens.clear();
            tokens.push_attr(c);
            tokens.iter().any(|w| LEAD_WORDS.contains(&w))
        });
        if dom.tag(j).heading_level() == Some(1) {
            continue;
        }
        let lead = text::normalize(&dom.text_of(j, 1200));
        if !(described || lead_class || says_a_description(&lead, descriptions)) {
            continue;
        }
        return (text::word_count(&lead) >= 6).then_some(lead);
    }
    None
}
