//! The copies a news pipeline sees, made from a story: syndicated on other sites, edited, truncated into
//! teasers, extended with updates, re-wrapped under a new headline. Deterministic (seeded).

/// Kinds of copies, by name.
pub(super) const VARIANTS: &[&str] = &[
    "boilerplate",
    "headline_byline",
    "edits_3pct",
    "appended_update",
    "truncated_70",
    "boilerplate+headline+edits",
    "boilerplate+truncated",
    "appended+edits",
    "truncated+edits+headline",
];

pub(super) struct Site {
    name: &'static str,
    header: &'static str,
    footer: &'static str,
}

pub(super) const SITES: &[Site] = &[
    Site {
        name: "The Morning Ledger",
        header: "Skip to main content. Home World Politics Business Tech Science Sport Culture Opinion. Subscribe now and get unlimited access.",
        footer: "Share this article: Facebook Twitter LinkedIn Email. More from The Morning Ledger: Markets close lower as investors weigh rate outlook. Council approves new budget. Copyright 2025 The Morning Ledger. All rights reserved. Privacy policy. Cookie settings.",
    },
    Site {
        name: "Rheinische Rundschau",
        header: "Startseite Politik Wirtschaft Sport Kultur Region Panorama. Jetzt abonnieren: Alle Artikel für 0,99 Euro im ersten Monat.",
        footer: "Artikel teilen: Facebook Twitter WhatsApp E-Mail. Mehr zum Thema: Landtag debattiert über neue Schulreform. Stadtrat beschließt Haushalt. Impressum Datenschutz Cookie-Einstellungen. © 2025 Rheinische Rundschau.",
    },
    Site {
        name: "Coastal Daily News",
        header: "Menu Search Sign in. Local News Weather Sports Business Obituaries Classifieds. Breaking news alerts: sign up for our free newsletter.",
        footer: "Related stories: Storm warning issued for coastal counties. Harbor project delayed again. Comments are closed. Advertisement. About us Contact Terms of use. Coastal Daily News is part of Harbor Media Group.",
    },
    Site {
        name: "Wire Syndicate",
        header: "Wire Syndicate | Top stories | Latest | Most read. This article is distributed by Wire Syndicate to partner publications.",
        footer: "Distributed by Wire Syndicate. Reproduction without permission is prohibited. Follow us on social media for the latest updates. Read more: Top stories of the day. Editor's picks.",
    },
    Site {
        name: "Le Quotidien du Soir",
        header: "Accueil International Politique Économie Culture Sport. Abonnez-vous à notre lettre d'information quotidienne.",
        footer: "Partager cet article: Facebook Twitter Courriel. À lire aussi: Le gouvernement présente son budget. Mentions légales Confidentialité Gestion des cookies. © 2025 Le Quotidien du Soir.",
    },
    Site {
        name: "Valley Tribune",
        header: "Valley Tribune. News Sports Business Entertainment Lifestyle Opinion Jobs Homes. Support local journalism: subscribe today.",
        footer: "Have a news tip? Email the newsroom. Trending now: High school football scores. New restaurant opens downtown. Copyright 2025 Valley Tribune Media. Do not sell my personal information.",
    },
];

pub(super) const NAMES: &[&str] = &[
    "Anna Schmidt",
    "James O'Connor",
    "Maria Garcia",
    "Lukas Weber",
    "Sophie Martin",
    "David Chen",
    "Emma Rossi",
    "Jonas Berg",
];

/// A small deterministic random source (xorshift64*).
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A text as paragraphs of words.
pub(super) type Paras = Vec<Vec<String>>;

pub(super) fn paras(text: &str) -> Paras {
    text.split("\n\n")
        .map(|p| p.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|p| !p.is_empty())
        .collect()
}

pub(super) fn join(paras: &Paras) -> String {
    paras.iter().map(|p| p.join(" ")).collect::<Vec<_>>().join("\n\n")
}

pub(super) fn word_total(paras: &Paras) -> usize {
    paras.iter().map(Vec::len).sum()
}

pub(super) fn date_line(rng: &mut Rng) -> String {
    format!(
        "Published {} November 2025, {:02}:{:02}",
        1 + rng.below(28),
        rng.below(24),
        rng.below(60)
    )
}

/// The site's boilerplate around the body, with a byline and a date line.
pub(super) fn wrap(body: &Paras, site: &Site, byline: &str, date: &str) -> Paras {
    let mut out = vec![
        words(site.header),
        words(&format!("By {byline}, {} | {date}", site.name)),
    ];
    out.extend(body.iter().cloned());
    out.push(words(site.footer));
    out
}

pub(super) fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// A new headline and byline above the body: words of the story's own vocabulary, another order.
pub(super) fn headline(body: &Paras, rng: &mut Rng) -> Paras {
    let all: Vec<&String> = body.iter().flatten().collect();
    let mut title = vec!["Exclusive:".to_owned()];
    for _ in 0..9 {
        title.push(all[rng.below(all.len())].clone());
    }
    let mut out = vec![
        title,
        words(&format!(
            "By {} | {}",
            NAMES[rng.below(NAMES.len())],
            date_line(rng)
        )),
    ];
    out.extend(body.iter().cloned());
    out
}

/// About `per_mille` ‰ of the words edited: a third substituted, a third deleted, a third inserted.
pub(super) fn edit(body: &Paras, per_mille: usize, rng: &mut Rng) -> Paras {
    body.iter()
        .map(|p| {
            let mut out = Vec::with_capacity(p.len() + 4);
            for w in p {
                if rng.below(1000) < per_mille {
                    match rng.below(3) {
                        0 => out.push(format!("edited{}", rng.below(10_000))),
                        1 => {}
                        _ => {
                            out.push(w.clone());
                            out.push(format!("inserted{}", rng.below(10_000)));
                        }
                    }
                } else {
                    out.push(w.clone());
                }
            }
            out
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The first `fraction` of the words, paragraphs kept.
pub(super) fn truncate(body: &Paras, fraction: f64) -> Paras {
    let mut left = (word_total(body) as f64 * fraction).round() as usize;
    let mut out = Vec::new();
    for p in body {
        if left == 0 {
            break;
        }
        let take = p.len().min(left);
        out.push(p[..take].to_vec());
        left -= take;
    }
    out
}

/// An update paragraph of new words (taken from another story) appended.
pub(super) fn append(body: &Paras, other: &Paras, rng: &mut Rng) -> Paras {
    let pool: Vec<&String> = other.iter().flatten().collect();
    let start = rng.below(pool.len().saturating_sub(60).max(1));
    let mut update = words(&format!("Update, {}:", date_line(rng)));
    update.extend(pool.iter().skip(start).take(50).map(|w| (*w).clone()));
    let mut out = body.clone();
    out.push(update);
    out
}

pub(super) fn variant(name: &str, body: &Paras, other: &Paras, site: &Site, rng: &mut Rng) -> Paras {
    let byline = NAMES[rng.below(NAMES.len())];
    let date = date_line(rng);
    match name {
        "boilerplate" => wrap(body, site, byline, &date),
        "headline_byline" => headline(body, rng),
        "edits_3pct" => edit(body, 30, rng),
        "appended_update" => append(body, other, rng),
        "truncated_70" => truncate(body, 0.7),
        "boilerplate+headline+edits" => wrap(&headline(&edit(body, 30, rng), rng), site, byline, &date),
        "boilerplate+truncated" => wrap(&truncate(body, 0.7), site, byline, &date),
        "appended+edits" => append(&edit(body, 30, rng), other, rng),
        "truncated+edits+headline" => headline(&edit(&truncate(body, 0.7), 30, rng), rng),
        _ => body.clone(),
    }
}
