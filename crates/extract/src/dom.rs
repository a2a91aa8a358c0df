//! A flat, pre-order view of the parsed document.
//!
//! Nodes are numbered in document (pre-order) order; every node knows its
//! parent and the end of its subtree, so a subtree is the index range
//! `i..end(i)`, children are found by hopping from `i + 1` over subtree ends,
//! and bottom-up aggregates are one reverse loop. Nothing here recurses.

use scraper::node::Element;
use scraper::{Html, Node};

/// Sentinel for "no parent".
const NONE: usize = usize::MAX;

/// Element names the extractor cares about; everything else is `Other`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub(crate) enum Tag {
    A,
    /// Ruby annotations (`<rt>`, `<rp>`): readings printed above the text,
    /// not part of it.
    Ruby,
    Address,
    Article,
    Aside,
    Audio,
    Blockquote,
    Body,
    Br,
    Button,
    Canvas,
    Caption,
    Center,
    Dd,
    Details,
    Dialog,
    Div,
    Dl,
    Dt,
    Embed,
    Figcaption,
    Figure,
    Footer,
    Form,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Head,
    Header,
    Hr,
    Html,
    Iframe,
    Img,
    Input,
    Label,
    Li,
    Link,
    Main,
    Map,
    Math,
    Menu,
    Meta,
    Nav,
    Noscript,
    Object,
    Ol,
    Option,
    P,
    Picture,
    Pre,
    Script,
    Section,
    Select,
    Source,
    Style,
    Summary,
    Svg,
    Table,
    Tbody,
    Td,
    Template,
    Textarea,
    Tfoot,
    Th,
    Thead,
    Time,
    Title,
    Tr,
    Ul,
    Video,
    /// `amp-*` elements that only carry media, ads or widgets.
    AmpWidget,
    /// Any other element.
    Other,
    /// Not an element (text, comment, document, ...).
    None,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "a" => Tag::A,
            "address" => Tag::Address,
            "article" => Tag::Article,
            "aside" => Tag::Aside,
            "audio" => Tag::Audio,
            "blockquote" => Tag::Blockquote,
            "body" => Tag::Body,
            "br" => Tag::Br,
            "button" => Tag::Button,
            "canvas" => Tag::Canvas,
            "caption" => Tag::Caption,
            "center" => Tag::Center,
            "dd" => Tag::Dd,
            "details" => Tag::Details,
            "dialog" => Tag::Dialog,
            "div" => Tag::Div,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "embed" => Tag::Embed,
            "figcaption" => Tag::Figcaption,
            "figure" => Tag::Figure,
            "footer" => Tag::Footer,
            "form" => Tag::Form,
            "h1" => Tag::H1,
            "h2" => Tag::H2,
            "h3" => Tag::H3,
            "h4" => Tag::H4,
            "h5" => Tag::H5,
            "h6" => Tag::H6,
            "head" => Tag::Head,
            "header" => Tag::Header,
            "hr" => Tag::Hr,
            "html" => Tag::Html,
            "iframe" => Tag::Iframe,
            "img" => Tag::Img,
            "input" => Tag::Input,
            "label" => Tag::Label,
            "li" => Tag::Li,
            "link" => Tag::Link,
            "main" => Tag::Main,
            "map" => Tag::Map,
            "math" => Tag::Math,
            "menu" => Tag::Menu,
            "meta" => Tag::Meta,
            "nav" => Tag::Nav,
            "noscript" => Tag::Noscript,
            "object" => Tag::Object,
            "ol" => Tag::Ol,
            "option" => Tag::Option,
            "p" => Tag::P,
            "picture" => Tag::Picture,
            "pre" => Tag::Pre,
            "script" => Tag::Script,
            "section" => Tag::Section,
            "select" => Tag::Select,
            "source" => Tag::Source,
            "style" => Tag::Style,
            "summary" => Tag::Summary,
            "svg" => Tag::Svg,
            "rt" | "rp" => Tag::Ruby,
            "table" => Tag::Table,
            "tbody" => Tag::Tbody,
            "td" => Tag::Td,
            "template" => Tag::Template,
            "textarea" => Tag::Textarea,
            "tfoot" => Tag::Tfoot,
            "th" => Tag::Th,
            "thead" => Tag::Thead,
            "time" => Tag::Time,
            "title" => Tag::Title,
            "tr" => Tag::Tr,
            "ul" => Tag::Ul,
            "video" => Tag::Video,
            "amp-img"
            | "amp-ad"
            | "amp-embed"
            | "amp-iframe"
            | "amp-video"
            | "amp-analytics"
            | "amp-social-share"
            | "amp-sidebar"
            | "amp-carousel"
            | "amp-pixel"
            | "amp-consent"
            | "amp-user-notification"
            | "amp-youtube"
            | "amp-twitter"
            | "amp-instagram"
            | "amp-facebook"
            | "amp-sticky-ad"
            | "amp-auto-ads" => Tag::AmpWidget,
            _ => Tag::Other,
        }
    }

    /// Heading level 1-6, if a heading.
    pub(crate) fn heading_level(self) -> Option<u8> {
        match self {
            Tag::H1 => Some(1),
            Tag::H2 => Some(2),
            Tag::H3 => Some(3),
            Tag::H4 => Some(4),
            Tag::H5 => Some(5),
            Tag::H6 => Some(6),
            _ => None,
        }
    }

    /// Elements that start a new paragraph in the extracted text.
    pub(crate) fn is_block(self) -> bool {
        matches!(
            self,
            Tag::Address
                | Tag::Article
                | Tag::Aside
                | Tag::Blockquote
                | Tag::Body
                | Tag::Caption
                | Tag::Center
                | Tag::Dd
                | Tag::Details
                | Tag::Dialog
                | Tag::Div
                | Tag::Dl
                | Tag::Dt
                | Tag::Figcaption
                | Tag::Figure
                | Tag::Footer
                | Tag::Form
                | Tag::H1
                | Tag::H2
                | Tag::H3
                | Tag::H4
                | Tag::H5
                | Tag::H6
                | Tag::Header
                | Tag::Hr
                | Tag::Li
                | Tag::Main
                | Tag::Menu
                | Tag::Nav
                | Tag::Ol
                | Tag::P
                | Tag::Pre
                | Tag::Section
                | Tag::Summary
                | Tag::Table
                | Tag::Tbody
                | Tag::Td
                | Tag::Tfoot
                | Tag::Th
                | Tag::Thead
                | Tag::Tr
                | Tag::Ul
        )
    }
}

/// What a node is.
#[derive(Clone, Copy)]
pub(crate) enum Kind<'a> {
    Element(&'a Element, Tag),
    Text(&'a str),
    Other,
}

#[derive(Clone, Copy)]
struct NodeData<'a> {
    kind: Kind<'a>,
    parent: usize,
    end: usize,
}

const MISSING: NodeData<'static> = NodeData {
    kind: Kind::Other,
    parent: NONE,
    end: 0,
};

/// The flattened document.
pub(crate) struct Dom<'a> {
    nodes: Vec<NodeData<'a>>,
}

impl<'a> Dom<'a> {
    /// Flattens `html` in one pre-order pass plus one reverse pass.
    ///
    /// The walk follows child and sibling links only, never a node's parent link: the tree builder's
    /// adoption of misnested formatting elements (`<a name>` left open around blocks) moves child lists
    /// without updating every moved child's parent, and a walk that climbs parent links would then skip
    /// or misplace whole sections.
    pub(crate) fn build(html: &'a Html) -> Self {
        let mut nodes: Vec<NodeData<'a>> = Vec::with_capacity(html.tree.nodes().len());
        let mut stack = vec![(html.tree.root(), NONE)];
        while let Some((n, parent)) = stack.pop() {
            let kind = match n.value() {
                Node::Element(e) => Kind::Element(e, Tag::from_name(e.name())),
                Node::Text(t) => Kind::Text(&t.text),
                _ => Kind::Other,
            };
            let idx = nodes.len();
            nodes.push(NodeData {
                kind,
                parent,
                end: idx + 1,
            });
            let mut child = n.last_child();
            while let Some(c) = child {
                stack.push((c, idx));
                child = c.prev_sibling();
            }
        }
        for i in (0..nodes.len()).rev() {
            let (parent, end) = match nodes.get(i) {
                Some(n) => (n.parent, n.end),
                None => continue,
            };
            if let Some(p) = nodes.get_mut(parent) {
                p.end = p.end.max(end);
            }
        }
        Dom { nodes }
    }

    fn node(&self, i: usize) -> &NodeData<'a> {
        self.nodes.get(i).unwrap_or(&MISSING)
    }

    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn kind(&self, i: usize) -> Kind<'a> {
        self.node(i).kind
    }

    pub(crate) fn tag(&self, i: usize) -> Tag {
        match self.node(i).kind {
            Kind::Element(_, t) => t,
            _ => Tag::None,
        }
    }

    pub(crate) fn element(&self, i: usize) -> Option<&'a Element> {
        match self.node(i).kind {
            Kind::Element(e, _) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn attr(&self, i: usize, name: &str) -> Option<&'a str> {
        self.element(i).and_then(|e| e.attr(name))
    }

    pub(crate) fn text(&self, i: usize) -> Option<&'a str> {
        match self.node(i).kind {
            Kind::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn parent(&self, i: usize) -> Option<usize> {
        let p = self.node(i).parent;
        (p != NONE).then_some(p)
    }

    /// One past the last node of `i`'s subtree.
    pub(crate) fn end(&self, i: usize) -> usize {
        self.node(i).end.max(i + 1).min(self.nodes.len().max(i + 1))
    }

    /// Direct children of `i`, in order.
    pub(crate) fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.end(i);
        let mut next = i + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = next;
            next = self.end(c);
            Some(c)
        })
    }

    /// Ancestors of `i`, nearest first (excluding `i`).
    pub(crate) fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut cur = self.parent(i);
        std::iter::from_fn(move || {
            let c = cur?;
            cur = self.parent(c);
            Some(c)
        })
    }

    /// Whitespace-normalized text of the subtree of `i`, skipping script and
    /// style content, truncated after `max_chars` characters.
    pub(crate) fn text_of(&self, i: usize, max_chars: usize) -> String {
        let mut out = String::new();
        let end = self.end(i);
        let mut j = i;
        while j < end {
            match self.kind(j) {
                Kind::Element(_, Tag::Script | Tag::Style | Tag::Template | Tag::Noscript | Tag::Ruby) => {
                    j = self.end(j);
                    continue;
                }
                Kind::Element(_, t)
                    if j != i && (t.is_block() || t == Tag::Br) && !out.is_empty() && !out.ends_with(' ') =>
                {
                    out.push(' ');
                }
                Kind::Text(t) => {
                    crate::text::push_collapsed(&mut out, t);
                    if out.len() > max_chars.saturating_mul(4) {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let t = crate::text::truncate_chars(out.trim(), max_chars);
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_tree() {
        let html = Html::parse_document("<html><body><div><p>a<b>b</b></p><p>c</p></div></body></html>");
        let dom = Dom::build(&html);
        let div = (0..dom.len()).find(|&i| dom.tag(i) == Tag::Div).unwrap_or(0);
        let kids: Vec<_> = dom.children(div).map(|c| dom.tag(c)).collect();
        assert_eq!(kids, vec![Tag::P, Tag::P]);
        assert_eq!(dom.text_of(div, 100), "ab c");
        assert_eq!(dom.ancestors(div).map(|a| dom.tag(a)).next(), Some(Tag::Body));
    }

    #[test]
    fn misnested_anchors_keep_every_section_in_place() {
        // Each heading leaves an `<a name>` open; the tree builder re-opens it inside the following
        // section and moves children between elements when a later link closes. Every section's text
        // must stay under its own `blockquote`, and every paragraph under `body`.
        let mut page = String::from("<html><body><h1>Guide</h1>");
        for n in 0..4 {
            page.push_str(&format!(
                "<h2><a name=\"s{n}\">Part {n}</h2>\n<blockquote>\nsection {n} line 0\n"
            ));
            page.push_str(&format!("<p>\n<h3>Sub {n}</h3>\n<p>\nsection {n} line 1\n<p>\n"));
            page.push_str(&format!("<ul><li>x</li><li>y</li></ul>\nsection {n} line 2\n"));
            page.push_str(&format!(
                "<p>section {n} line 3 with <a href=\"/d\">a link</a>. more\n"
            ));
            page.push_str(&format!("<p>section {n} line 4\n</blockquote>\n"));
        }
        page.push_str("</body></html>");
        let html = Html::parse_document(&page);
        let dom = Dom::build(&html);
        let body = (0..dom.len()).find(|&i| dom.tag(i) == Tag::Body).unwrap_or(0);
        let quotes: Vec<usize> = (0..dom.len())
            .filter(|&i| dom.tag(i) == Tag::Blockquote)
            .collect();
        assert_eq!(quotes.len(), 4);
        for (n, &q) in quotes.iter().enumerate() {
            let text = dom.text_of(q, 100_000);
            for k in 0..5 {
                assert!(
                    text.contains(&format!("section {n} line {k}")),
                    "{n}/{k} missing: {text}"
                );
            }
        }
        for i in 1..dom.len() {
            assert!(dom.parent(i).is_some(), "node {i} lost its parent");
            let in_body = dom.ancestors(i).any(|a| a == body) || i == body;
            if dom.tag(i) == Tag::P {
                assert!(in_body, "paragraph {i} is outside body");
            }
        }
    }
}
