//! A readable dump of the body extraction's decisions for one page, for
//! people tuning the rules.

use super::analysis::Analysis;
use super::choose::choose;
use super::score::score;
use crate::dom::Dom;

/// A readable dump of the decisions for one page: every element holding text,
/// indented by depth, with its flag, kept text, link text and score; the
/// chosen containers are marked with `*`. For people tuning the rules.
pub(crate) fn explain(dom: &Dom<'_>, min_chars: u32) -> String {
    use std::fmt::Write as _;
    let an = Analysis::new(dom);
    let scores = score(&an);
    let containers = choose(&an, &scores);
    let mut out = String::new();
    for i in 0..dom.len() {
        let x = an.at(i);
        let Some(el) = dom.element(i) else { continue };
        if x.raw_chars < min_chars || x.in_junk {
            continue;
        }
        let depth = dom.ancestors(i).count();
        let mut name = el.name().to_string();
        if let Some(id) = dom.attr(i, "id") {
            let _ = write!(name, "#{id}");
        }
        if let Some(class) = dom.attr(i, "class") {
            for c in class.split_whitespace().take(4) {
                let _ = write!(name, ".{c}");
            }
        }
        let mark = if containers.contains(&i) { "*" } else { " " };
        let score = scores
            .get(i)
            .copied()
            .flatten()
            .map_or(String::new(), |s| format!(" score {s:.1}"));
        let _ = writeln!(
            out,
            "{mark}{:indent$}{name} [{:?}{}] raw {} kept {} link {}{score}",
            "",
            x.own,
            if x.removed { " removed" } else { "" },
            x.raw_chars,
            x.chars,
            x.link,
            indent = depth.min(40),
        );
    }
    out
}
