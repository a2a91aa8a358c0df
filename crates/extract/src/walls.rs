//! Walls: the lines a page shows in place of an article it does not give
//! (a subscription wall, a login or registration wall, a consent or cookie
//! wall, a request to enable JavaScript or to turn off an ad blocker, an
//! editor or other interface prompt). Phrases in the languages of the
//! corpus, never a site's wording; shared by the body (which notes the wall
//! lines of the chosen containers) and the access verdict.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};

/// What kind of wall a line belongs to, strongest first: a line that names
/// several is the first of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Wall {
    /// The article is for subscribers.
    Subscription,
    /// The article is for registered readers: log in, register.
    Registration,
    /// Cookies and consent to tracking.
    Consent,
    /// JavaScript, an ad blocker, an unsupported browser.
    Script,
    /// An editor's or interface's prompt left where the text should be.
    Prompt,
}

/// Lines longer than this are prose, whatever they mention: a consent wall
/// runs to two or three sentences, the other walls to one or two.
pub(crate) const MAX_WALL_WORDS: usize = 120;

const SUBSCRIPTION: &[&str] = &[
    "for subscribers only",
    "subscribers only",
    "subscriber-only",
    "subscriber only",
    "only for subscribers",
    "only available to subscribers",
    "available to subscribers",
    "available exclusively to subscribers",
    "exclusive to subscribers",
    "exclusively for subscribers",
    "exclusive for subscribers",
    "subscribe to continue reading",
    "subscribe to keep reading",
    "subscribe to read",
    "subscribe to unlock",
    "subscribe for full access",
    "subscribe for unlimited access",
    "continue reading with a",
    "keep reading with a",
    "already a subscriber",
    "already subscribed",
    "unlock this article",
    "unlock this story",
    "become a subscriber",
    "start your subscription",
    "with a digital subscription",
    "unlimited access to",
    "nur für abonnenten",
    "exklusiv für abonnenten",
    "abonnenten vorbehalten",
    "für abonnenten verfügbar",
    "bereits abonnent",
    "ich bin abonnent",
    "möchten sie weiterlesen",
    "schon abonnent",
    "abo abschließen",
    "mit einem abo",
    "jetzt weiterlesen",
    "weiterlesen mit",
    "um weiterzulesen",
    "und lesen sie weiter",
    "réservé aux abonnés",
    "abonnés uniquement",
    "pour lire la suite",
    "pour accéder en illimité",
    "déjà abonné",
    "cet article est réservé",
    "abonnez-vous pour",
    "exclusivo para suscriptores",
    "solo para suscriptores",
    "sólo para suscriptores",
    "contenido exclusivo para",
    "para seguir leyendo",
    "para continuar leyendo",
    "ya eres suscriptor",
    "ya soy suscriptor",
    "suscríbete para",
    "exclusivo para assinantes",
    "conteúdo exclusivo para",
    "para continuar lendo",
    "para continuar a ler",
    "já é assinante",
    "já sou assinante",
    "assine para",
    "riservato agli abbonati",
    "per continuare a leggere",
    "sei già abbonato",
    "abbonati per",
    "alleen voor abonnees",
    "al abonnee",
];

const REGISTRATION: &[&str] = &[
    "log in to continue",
    "log in to read",
    "login to continue",
    "login to read",
    "sign in to continue",
    "sign in to read",
    "sign up to continue",
    "sign up to read",
    "register to continue",
    "register to read",
    "register for free to",
    "create a free account",
    "create an account to",
    "already have an account",
    "already registered",
    "kostenlos registrieren",
    "registrieren sie sich",
    "melden sie sich an",
    "bitte melden sie sich",
    "inscrivez-vous gratuitement",
    "connectez-vous pour",
    "créez un compte",
    "créez votre compte",
    "regístrate para",
    "regístrate gratis",
    "inicia sesión para",
    "faça login para",
    "cadastre-se para",
    "accedi per",
    "registrati per",
];

const CONSENT: &[&str] = &[
    "we value your privacy",
    "we care about your privacy",
    "your privacy choices",
    "we and our partners",
    "we and our vendors",
    "we use cookies",
    "this site uses cookies",
    "this website uses cookies",
    "use of cookies",
    "accept cookies",
    "accept all cookies",
    "reject all",
    "manage your choices",
    "manage preferences",
    "manage cookies",
    "cookie settings",
    "cookie preferences",
    "by clicking accept",
    "by continuing to browse",
    "wir verwenden cookies",
    "verwendet cookies",
    "alle akzeptieren",
    "datenschutzeinstellungen",
    "ihre einwilligung",
    "ihre zustimmung",
    "nous utilisons des cookies",
    "utilise des cookies",
    "tout accepter",
    "votre consentement",
    "utilizamos cookies",
    "usamos cookies",
    "aceptar todo",
    "aceptar todas",
    "su consentimiento",
    "utilizziamo i cookie",
    "accetta tutti",
    "il tuo consenso",
];

const SCRIPT: &[&str] = &[
    "enable javascript",
    "javascript is disabled",
    "javascript is required",
    "javascript to be enabled",
    "javascript must be enabled",
    "turn on javascript",
    "activate javascript",
    "javascript aktivieren",
    "aktivieren sie javascript",
    "javascript ist deaktiviert",
    "activer javascript",
    "activez javascript",
    "activez le javascript",
    "habilita javascript",
    "habilite javascript",
    "activa javascript",
    "attiva javascript",
    "disable your ad blocker",
    "turn off your ad blocker",
    "disable your adblocker",
    "using an ad blocker",
    "using an adblocker",
    "werbeblocker",
    "adblocker deaktivieren",
    "bloqueur de publicité",
    "browser is not supported",
    "unsupported browser",
    "update your browser",
    "upgrade your browser",
];

const PROMPT: &[&str] = &[
    "write your story",
    "tell your story",
    "start writing",
    "begin writing",
    "write something",
    "start typing",
    "type / for commands",
    "type '/' for commands",
    "what's on your mind",
    "what’s on your mind",
    "add a caption",
    "write a caption",
    "click to edit",
    "click here to edit",
    "double-click to edit",
    "draft saved",
    "your draft is saved",
    "enter your text here",
    "add your text here",
    "type your text here",
    "placeholder text",
    "lorem ipsum dolor",
    "untitled post",
    "untitled draft",
    "schreibe deine geschichte",
    "beginne zu schreiben",
    "text hier eingeben",
    "commencez à écrire",
    "écrivez votre histoire",
    "empieza a escribir",
    "escribe tu historia",
];

/// Whole lines that an editor or a template shows in an empty field: a
/// placeholder heading is never article text.
const PROMPT_LINES: &[&str] = &[
    "title",
    "untitled",
    "add title",
    "add a title",
    "subtitle",
    "add subtitle",
    "heading",
    "write here",
    "titel",
    "titre",
    "título",
    "titolo",
];

/// One automaton over every list, built once; the kind of each pattern.
struct Phrases {
    ac: AhoCorasick,
    kinds: Vec<Wall>,
}

fn phrases() -> Option<&'static Phrases> {
    static PHRASES: std::sync::OnceLock<Option<Phrases>> = std::sync::OnceLock::new();
    PHRASES
        .get_or_init(|| {
            let mut patterns = Vec::new();
            let mut kinds = Vec::new();
            for (kind, list) in [
                (Wall::Subscription, SUBSCRIPTION),
                (Wall::Registration, REGISTRATION),
                (Wall::Consent, CONSENT),
                (Wall::Script, SCRIPT),
                (Wall::Prompt, PROMPT),
            ] {
                for p in list {
                    patterns.push(*p);
                    kinds.push(kind);
                }
            }
            // A DFA: searched over every short paragraph of every page.
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .ok()
                .map(|ac| Phrases { ac, kinds })
        })
        .as_ref()
}

/// The wall a line of `words` words belongs to, if it is one: at most
/// [`MAX_WALL_WORDS`] words naming a wall (ASCII letters in any case; the
/// text is whitespace-collapsed already).
pub(crate) fn wall_of(line: &str, words: usize) -> Option<Wall> {
    if words == 0 || words > MAX_WALL_WORDS {
        return None;
    }
    if words <= 3 {
        let bare = line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '…' | ':'));
        if PROMPT_LINES.iter().any(|p| bare.eq_ignore_ascii_case(p)) {
            return Some(Wall::Prompt);
        }
    }
    let phrases = phrases()?;
    phrases
        .ac
        .find_iter(line)
        .filter_map(|m| phrases.kinds.get(m.pattern().as_usize()).copied())
        .min()
}

/// The strongest wall `text` names anywhere, whatever its length: for the
/// text of an element marked as a wall (a paywall box, with its offers).
pub(crate) fn named_in(text: &str) -> Option<Wall> {
    let phrases = phrases()?;
    phrases
        .ac
        .find_iter(text)
        .filter_map(|m| phrases.kinds.get(m.pattern().as_usize()).copied())
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let cases: &[(&str, Option<Wall>)] = &[
            (
                "This article is for subscribers only. Subscribe now for unlimited access.",
                Some(Wall::Subscription),
            ),
            ("Already a subscriber? Log in.", Some(Wall::Subscription)),
            (
                "Wählen Sie Ihren Zugang und lesen Sie weiter:",
                Some(Wall::Subscription),
            ),
            ("Pour lire la suite, créez votre compte", Some(Wall::Subscription)),
            (
                "Register for free to read this story. Already have an account? Sign in.",
                Some(Wall::Registration),
            ),
            (
                "We value your privacy. We and our partners use cookies. Accept all or manage your choices.",
                Some(Wall::Consent),
            ),
            (
                "You need to enable JavaScript to run this app.",
                Some(Wall::Script),
            ),
            ("Tell your story… Type / for commands", Some(Wall::Prompt)),
            ("Title", Some(Wall::Prompt)),
            ("Untitled…", Some(Wall::Prompt)),
            ("Title of the treaty", None),
            ("WE USE COOKIES", Some(Wall::Consent)),
            // Article prose that mentions the same things is not a wall.
            ("The council voted on Tuesday to build a new tram line.", None),
            ("Subscriptions to the paper rose by four percent last year.", None),
            ("The regulator said cookies may only be set with consent.", None),
            ("", None),
        ];
        for (line, want) in cases {
            let words = line.split_whitespace().count();
            assert_eq!(wall_of(line, words), *want, "{line}");
        }
        // Long paragraphs are prose whatever they mention.
        let long = format!("{} we use cookies", "word ".repeat(MAX_WALL_WORDS));
        assert_eq!(wall_of(&long, MAX_WALL_WORDS + 3), None);
    }
}
