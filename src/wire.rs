//! Wire-service attribution from datelines, credits and bylines.
//!
//! Owns: the table of wire services ([`SERVICES`]) and their patterns, and the rule that picks
//! one service for a document. Must not: guess. A document with no pattern of any service is
//! unattributed (`None`), never assigned by similarity to others.
//!
//! A document is attributed by the strongest evidence found, in this order:
//! 1. a **dateline**: the service in parentheses near the start, followed by a dash or `=`
//!    (`HONG KONG (AP) --`, `LONDON (Reuters) -`, `東京（共同）＝`, `(서울=연합뉴스)`);
//! 2. a **byline** in the first or last 600 bytes: `By The Associated Press`, `By Reuters`, ...;
//! 3. a **credit**: a photo or source credit anywhere (`(AP Photo/Kin Cheung)`,
//!    `REUTERS/Kim Kyung-Hoon`, `(Kyodo)`);
//! 4. the **outlet** field itself naming a wire service (an article published by Reuters).
//!
//! Ties within one kind go to the earliest position in the text. To add a service, add an
//! entry to [`SERVICES`]; to add a form of evidence, add a pattern to the entry.

use regex::Regex;
use std::sync::OnceLock;

/// One wire service and the patterns that name it.
#[derive(Debug)]
pub struct Service {
    /// Short name used in reports (`AP`, `Reuters`, `Kyodo`, ...).
    pub name: &'static str,
    /// Full name (`Associated Press`).
    pub full_name: &'static str,
    /// Forms used inside dateline parentheses (`AP`, `共同`).
    pub dateline: &'static [&'static str],
    /// Byline phrases after "By " (`The Associated Press`).
    pub bylines: &'static [&'static str],
    /// Further credit patterns (regular expressions) matched anywhere in the text.
    pub credits: &'static [&'static str],
    /// Outlet names that are this service (compared case-insensitively).
    pub outlets: &'static [&'static str],
}

/// The wire services neardup knows, in priority order for ties between clusters' members.
pub static SERVICES: &[Service] = &[
    Service {
        name: "AP",
        full_name: "Associated Press",
        dateline: &["AP"],
        bylines: &["The Associated Press", "Associated Press"],
        credits: &[r"\(AP Photo[^)]{0,80}\)", r"\bAP Photo/[A-Z]"],
        outlets: &["AP", "Associated Press", "The Associated Press", "AP News"],
    },
    Service {
        name: "Reuters",
        full_name: "Reuters",
        dateline: &["Reuters", "REUTERS"],
        bylines: &["Reuters"],
        credits: &[
            r"\bREUTERS/[A-Z]",
            r"\(Reuters\)",
            r"\(Reuters Photo[^)]{0,80}\)",
        ],
        outlets: &["Reuters", "Thomson Reuters"],
    },
    Service {
        name: "AFP",
        full_name: "Agence France-Presse",
        dateline: &["AFP"],
        bylines: &["AFP", "Agence France-Presse", "Agence France Presse"],
        credits: &[
            r"\bAFP/[A-Z]",
            r"\bAFP via Getty Images\b",
            r"\(AFP\)",
            r"\bAFP PHOTO\b",
        ],
        outlets: &["AFP", "Agence France-Presse", "Agence France Presse"],
    },
    Service {
        name: "Kyodo",
        full_name: "Kyodo News",
        dateline: &["Kyodo", "KYODO", "共同"],
        bylines: &["Kyodo News", "Kyodo"],
        credits: &[r"\(Kyodo\)", r"【共同】", r"（共同）"],
        outlets: &["Kyodo", "Kyodo News", "共同通信"],
    },
    Service {
        name: "Jiji",
        full_name: "Jiji Press",
        dateline: &["Jiji Press", "Jiji", "時事"],
        bylines: &["Jiji Press"],
        credits: &[r"\(Jiji Press\)", r"（時事）"],
        outlets: &["Jiji", "Jiji Press", "時事通信"],
    },
    Service {
        name: "Yonhap",
        full_name: "Yonhap News Agency",
        dateline: &["Yonhap", "연합뉴스"],
        bylines: &["Yonhap News Agency", "Yonhap"],
        credits: &[r"\(Yonhap\)", r"\(연합뉴스\)"],
        outlets: &["Yonhap", "Yonhap News Agency", "연합뉴스"],
    },
    Service {
        name: "Xinhua",
        full_name: "Xinhua News Agency",
        dateline: &["Xinhua", "新华社"],
        bylines: &["Xinhua News Agency", "Xinhua"],
        credits: &[r"\(Xinhua\)", r"新华社记者", r"\(Xinhua/[^)]{1,80}\)"],
        outlets: &["Xinhua", "Xinhua News Agency", "新华社"],
    },
    Service {
        name: "Bloomberg",
        full_name: "Bloomberg News",
        dateline: &["Bloomberg"],
        bylines: &["Bloomberg News", "Bloomberg"],
        credits: &[r"\(Bloomberg\)"],
        outlets: &["Bloomberg", "Bloomberg News"],
    },
    Service {
        name: "dpa",
        full_name: "Deutsche Presse-Agentur",
        dateline: &["dpa", "DPA"],
        bylines: &["dpa", "Deutsche Presse-Agentur"],
        credits: &[r"\(dpa\)"],
        outlets: &["dpa", "Deutsche Presse-Agentur"],
    },
    Service {
        name: "UPI",
        full_name: "United Press International",
        dateline: &["UPI"],
        bylines: &["United Press International", "UPI"],
        credits: &[r"\(UPI\)", r"\bUPI Photo\b"],
        outlets: &["UPI", "United Press International"],
    },
    Service {
        name: "PTI",
        full_name: "Press Trust of India",
        dateline: &["PTI"],
        bylines: &["Press Trust of India", "PTI"],
        credits: &[r"\(PTI\)", r"\bPTI Photo\b"],
        outlets: &["PTI", "Press Trust of India"],
    },
    Service {
        name: "EFE",
        full_name: "Agencia EFE",
        dateline: &["EFE"],
        bylines: &["EFE"],
        credits: &[r"\(EFE\)"],
        outlets: &["EFE", "Agencia EFE"],
    },
    Service {
        name: "ANSA",
        full_name: "ANSA",
        dateline: &["ANSA"],
        bylines: &["ANSA"],
        credits: &[r"\(ANSA\)"],
        outlets: &["ANSA"],
    },
];

/// The kind of evidence behind an attribution, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// A dateline near the start of the text.
    Dateline,
    /// A byline.
    Byline,
    /// A photo or source credit.
    Credit,
    /// The outlet field names the service.
    Outlet,
}

/// A document's attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// Index into [`SERVICES`].
    pub service: u8,
    /// What kind of evidence was found.
    pub evidence: Evidence,
    /// The matched text (`HONG KONG (AP) --`, `(AP Photo)`, or the outlet name).
    pub matched: String,
}

impl Attribution {
    /// The service.
    pub fn service(&self) -> &'static Service {
        &SERVICES[self.service as usize]
    }
}

/// How far into the text a dateline may start, in bytes.
const DATELINE_WINDOW: usize = 400;
/// How far from the start or the end of the text a byline may stand, in bytes.
const BYLINE_WINDOW: usize = 600;

struct Compiled {
    dateline: Regex,
    byline: Regex,
    /// All credit patterns in one alternation, in service order; group `c{i}` is pattern `i`.
    credits: Regex,
    /// Service of each credit pattern.
    credit_services: Vec<u8>,
    /// Service index per alternative group `s{k}` of `dateline` and `byline`.
    name_services: Vec<u8>,
    /// What every match must contain; `None` when some credit pattern has no literal.
    anchors: Option<Anchors>,
}

/// Literals that every match of a pattern contains: a text, or a window of it, without any of
/// them is not searched with the patterns.
struct Anchors {
    /// The dateline and byline names: every match of `dateline` and `byline` holds one, in
    /// the windows they search.
    names: aho_corasick::AhoCorasick,
    /// A literal of each credit pattern ([`required_literal`]), searched in the whole text.
    credits: aho_corasick::AhoCorasick,
}

/// A searcher for any of `literals`.
fn literal_searcher(mut literals: Vec<String>) -> aho_corasick::AhoCorasick {
    literals.sort();
    literals.dedup();
    // A literal that holds another one adds nothing; fewer literals search faster.
    let minimal: Vec<&String> = literals
        .iter()
        .filter(|a| !literals.iter().any(|b| b != *a && a.contains(b.as_str())))
        .collect();
    // Leftmost-first lets the crate use its vectorized searcher (Teddy).
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(minimal)
        .expect("anchor literals")
}

/// The longest run of literal characters that every match of `pattern` contains, for the
/// simple patterns of [`Service::credits`]: a sequence of literal characters, escaped
/// punctuation, classes, `\b` and quantified atoms. `None` for anything else (groups,
/// alternations), or when the pattern has no literal character outside a quantifier.
fn required_literal(pattern: &str) -> Option<String> {
    let mut best = String::new();
    let mut run = String::new();
    let mut end_run = |run: &mut String| {
        if run.len() > best.len() {
            best = std::mem::take(run);
        }
        run.clear();
    };
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next()? {
                e if e.is_ascii_alphanumeric() => end_run(&mut run),
                e => run.push(e),
            },
            '[' => {
                end_run(&mut run);
                let mut first = true;
                loop {
                    match chars.next()? {
                        '\\' => {
                            chars.next()?;
                        }
                        ']' if !first => break,
                        _ => {}
                    }
                    first = false;
                }
            }
            '?' | '*' | '+' | '{' => {
                // The quantified atom may be absent or repeated: it ends the run.
                run.pop();
                end_run(&mut run);
                if ch == '{' {
                    while chars.next()? != '}' {}
                }
            }
            '.' | '^' | '$' => end_run(&mut run),
            '(' | ')' | '|' => return None,
            c => run.push(c),
        }
    }
    end_run(&mut run);
    (!best.is_empty()).then_some(best)
}

fn alternation(
    items: impl Iterator<Item = (u8, &'static str)>,
    names: &mut Vec<(u8, String)>,
) -> String {
    let mut alts: Vec<(u8, &str)> = items.collect();
    // Longer forms first so that "Associated Press" wins over "AP"-like prefixes.
    alts.sort_by_key(|(_, s)| std::cmp::Reverse(s.len()));
    alts.iter()
        .map(|(i, s)| {
            names.push((*i, s.to_string()));
            format!("(?P<s{}>{})", names.len() - 1, regex::escape(s))
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let mut names = Vec::new();
        let d = alternation(
            SERVICES.iter().enumerate().flat_map(|(i, s)| s.dateline.iter().map(move |n| (i as u8, *n))),
            &mut names,
        );
        // "(AP) --", "（共同）＝", "(서울=연합뉴스)", "(Reuters) -": a dash or "=" must follow,
        // unless the parenthesis has a "city=" part or ends the line.
        let dateline = Regex::new(&format!(
            r"[(（]\s*(?P<city>[^()（）=＝\n]{{1,24}}[=＝]\s*)?(?:{d})\s*[)）](?P<dash>[ \t]*(?:[-–—―=＝:]+|\n|$))?"
        ))
        .expect("dateline pattern");
        let b = alternation(
            SERVICES.iter().enumerate().flat_map(|(i, s)| s.bylines.iter().map(move |n| (i as u8, *n))),
            &mut names,
        );
        let byline = Regex::new(&format!(r"(?m)(?:^|\n|\. )\s*(?i:by)\s+(?:{b})\s*(?:$|\n|[-–—,.])")).expect("byline pattern");
        let mut credit_services = Vec::new();
        let mut alts = Vec::new();
        for (i, s) in SERVICES.iter().enumerate() {
            for p in s.credits {
                alts.push(format!("(?P<c{}>{p})", credit_services.len()));
                credit_services.push(i as u8);
            }
        }
        let credits = Regex::new(&alts.join("|")).expect("credit patterns");
        let credit_literals: Option<Vec<String>> = SERVICES
            .iter()
            .flat_map(|s| s.credits)
            .map(|p| required_literal(p))
            .collect();
        let anchors = credit_literals.map(|credit| {
            let names = SERVICES
                .iter()
                .flat_map(|s| s.dateline.iter().chain(s.bylines))
                .map(|n| n.to_string());
            Anchors {
                names: literal_searcher(names.collect()),
                credits: literal_searcher(credit),
            }
        });
        Compiled {
            dateline,
            byline,
            credits,
            credit_services,
            name_services: names.iter().map(|(i, _)| *i).collect(),
            anchors,
        }
    })
}

/// The service of the first alternative group of `re` (named `{prefix}{k}`, service
/// `services[k]`) that took part in `caps`, looked up by group index.
fn matched_group(
    re: &Regex,
    prefix: char,
    services: &[u8],
    caps: &regex::Captures<'_>,
) -> Option<u8> {
    re.capture_names().zip(caps.iter()).find_map(|(name, m)| {
        let k: usize = name?.strip_prefix(prefix)?.parse().ok()?;
        m.map(|_| services[k])
    })
}

fn matched_service(c: &Compiled, re: &Regex, caps: &regex::Captures<'_>) -> Option<u8> {
    matched_group(re, 's', &c.name_services, caps)
}

/// Attributes one document from its original text (not normalized) and its outlet.
///
/// ```
/// use neardup::wire::{attribute, Evidence};
/// let a = attribute("TOKYO (Kyodo) -- Japanese narcotics agents said...", None).unwrap();
/// assert_eq!((a.service().name, a.evidence), ("Kyodo", Evidence::Dateline));
/// assert!(attribute("The minister said on Tuesday that prices rose.", None).is_none());
/// ```
pub fn attribute(text: &str, outlet: Option<&str>) -> Option<Attribution> {
    let found = locate(text, outlet)?;
    Some(found.attribution(text, outlet))
}

/// Where an attribution's evidence is: the service, the kind of evidence and, for evidence in
/// the text, the byte range of the matched text in it. Small and without the text, so that
/// the first pass can keep it for every document and a report rebuilds the [`Attribution`]
/// from the text it reads again, without searching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// Index into [`SERVICES`].
    pub service: u8,
    /// What kind of evidence was found.
    pub evidence: Evidence,
    /// The matched text is `text[start..end]` (both 0 for [`Evidence::Outlet`]).
    pub start: u32,
    /// End of the matched text.
    pub end: u32,
}

impl Located {
    /// The attribution this describes, for the `text` and `outlet` it was found in.
    pub fn attribution(&self, text: &str, outlet: Option<&str>) -> Attribution {
        let matched = match self.evidence {
            Evidence::Outlet => outlet.unwrap_or_default().trim(),
            _ => text
                .get(self.start as usize..self.end as usize)
                .unwrap_or_default(),
        };
        Attribution {
            service: self.service,
            evidence: self.evidence,
            matched: matched.to_string(),
        }
    }
}

/// Evidence of `evidence` kind for `service`: `part`, a slice of `text`.
fn located(text: &str, service: u8, evidence: Evidence, part: &str) -> Located {
    let (start, end) = span_in(text, part);
    Located {
        service,
        evidence,
        start,
        end,
    }
}

/// The byte range of `part`, a slice of `text`, in `text`.
fn span_in(text: &str, part: &str) -> (u32, u32) {
    let start = part.as_ptr() as usize - text.as_ptr() as usize;
    (start as u32, (start + part.len()) as u32)
}

/// [`attribute`] without building the matched text: where it is.
pub fn locate(text: &str, outlet: Option<&str>) -> Option<Located> {
    locate_in(text, outlet, true)
}

/// [`locate`]; `prefilter` false searches every text with the patterns (for tests).
fn locate_in(text: &str, outlet: Option<&str>, prefilter: bool) -> Option<Located> {
    let c = compiled();
    let mut head_end = DATELINE_WINDOW.min(text.len());
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    // Bylines stand at the top or the bottom of a story.
    let mut tail_start = text.len().saturating_sub(BYLINE_WINDOW);
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    let mut head_end_b = BYLINE_WINDOW.min(text.len());
    while !text.is_char_boundary(head_end_b) {
        head_end_b -= 1;
    }
    let tail_from = tail_start.max(head_end_b);
    // The dateline window lies within the byline head window.
    const _: () = assert!(DATELINE_WINDOW <= BYLINE_WINDOW);
    let (names_here, credits_here) = match c.anchors.as_ref().filter(|_| prefilter) {
        Some(a) => (
            a.names.is_match(&text[..head_end_b]) || a.names.is_match(&text[tail_from..]),
            a.credits.is_match(text),
        ),
        None => (true, true),
    };
    if names_here {
        if let Some(found) = dateline_or_byline(c, text, head_end, head_end_b, tail_from) {
            return Some(found);
        }
    }
    if !credits_here {
        return outlet_service(outlet);
    }
    // Leftmost match; at one position the first pattern in table order wins.
    if let Some(caps) = c.credits.captures(text) {
        let service = matched_group(&c.credits, 'c', &c.credit_services, &caps)
            .expect("one alternative matched");
        let m = caps.get(0).expect("whole match");
        return Some(located(
            text,
            service,
            Evidence::Credit,
            &text[m.start()..m.end()],
        ));
    }
    outlet_service(outlet)
}

/// The dateline in `text[..head_end]`, else the byline in `text[..head_end_b]` or
/// `text[tail_from..]`.
fn dateline_or_byline(
    c: &Compiled,
    text: &str,
    head_end: usize,
    head_end_b: usize,
    tail_from: usize,
) -> Option<Located> {
    let dateline = c
        .dateline
        .captures_iter(&text[..head_end])
        .find(|caps| caps.name("city").is_some() || caps.name("dash").is_some());
    if let Some(caps) = dateline {
        if let Some(service) = matched_service(c, &c.dateline, &caps) {
            let m = caps.get(0).expect("whole match");
            // Include the place name before the parenthesis, up to the line start.
            let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let start = if m.start() - line_start <= 40 {
                line_start
            } else {
                m.start()
            };
            return Some(located(
                text,
                service,
                Evidence::Dateline,
                text[start..m.end()].trim(),
            ));
        }
    }
    let byline = c
        .byline
        .captures(&text[..head_end_b])
        .map(|caps| (caps, 0))
        .or_else(|| {
            c.byline
                .captures(&text[tail_from..])
                .map(|caps| (caps, tail_from))
        });
    if let Some((caps, from)) = byline {
        if let Some(service) = matched_service(c, &c.byline, &caps) {
            let m = caps.get(0).expect("whole match");
            let whole = &text[from + m.start()..from + m.end()];
            return Some(located(
                text,
                service,
                Evidence::Byline,
                whole.trim_matches(|ch: char| ch.is_whitespace() || ch == '.' || ch == ','),
            ));
        }
    }
    None
}

/// The service an outlet name is, as evidence of the weakest kind.
fn outlet_service(outlet: Option<&str>) -> Option<Located> {
    let outlet = outlet?.trim();
    SERVICES
        .iter()
        .position(|s| s.outlets.iter().any(|o| o.eq_ignore_ascii_case(outlet)))
        .map(|i| Located {
            service: i as u8,
            evidence: Evidence::Outlet,
            start: 0,
            end: 0,
        })
}

/// Looks a service up by its short name.
pub fn service_index(name: &str) -> Option<u8> {
    SERVICES
        .iter()
        .position(|s| s.name == name)
        .map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_credit_pattern_has_a_required_literal_the_pattern_needs() {
        for p in SERVICES.iter().flat_map(|s| s.credits) {
            let lit = required_literal(p).unwrap_or_else(|| panic!("no literal in {p:?}"));
            assert!(lit.len() >= 3, "{p:?}: {lit:?}");
            // The literal, written as the pattern writes it, is in the pattern...
            assert!(p.contains(&regex::escape(&lit)), "{p:?}: {lit:?}");
            // ...and nothing matches once it is gone from a text the pattern matches.
            let re = Regex::new(p).unwrap();
            let sample = format!("x {} Yz) ", lit);
            if let Some(m) = re.find(&sample) {
                assert!(m.as_str().contains(&lit), "{p:?} matched {:?}", m.as_str());
            }
        }
        assert_eq!(
            required_literal(r"\(AP Photo[^)]{0,80}\)").unwrap(),
            "(AP Photo"
        );
        assert_eq!(
            required_literal(r"\bAFP via Getty Images\b").unwrap(),
            "AFP via Getty Images"
        );
        assert_eq!(
            required_literal(r"\(Xinhua/[^)]{1,80}\)").unwrap(),
            "(Xinhua/"
        );
        assert_eq!(required_literal(r"ab?c").unwrap(), "a");
        assert_eq!(required_literal(r"abc{2}de").unwrap(), "ab");
        assert_eq!(required_literal(r"ac{2,}def").unwrap(), "def");
        assert_eq!(required_literal(r"[\]x]yz").unwrap(), "yz");
        assert_eq!(required_literal(r"a|b"), None);
        assert_eq!(required_literal(r"(ab)"), None);
        assert_eq!(required_literal(r"\d+"), None);
        assert!(compiled().anchors.is_some());
    }

    /// Pieces of text that make or nearly make evidence, to build texts from.
    fn piece() -> impl Strategy<Value = String> {
        let mut fixed: Vec<String> = SERVICES
            .iter()
            .flat_map(|s| s.dateline.iter().chain(s.bylines).chain(s.outlets))
            .flat_map(|n| {
                [
                    n.to_string(),
                    format!("({n}) -- "),
                    format!("\nBy {n}\n"),
                    format!("by {n}."),
                ]
            })
            .collect();
        fixed.extend(
            [
                "(AP Photo/Jane Doe)",
                "AP Photo/J",
                "REUTERS/A",
                "(Reuters)",
                "AFP/Getty",
                "AFP via Getty Images",
                "AFP PHOTO",
                "【共同】",
                "（共同）",
                "（時事）",
                "新华社记者",
                "(Xinhua/Li)",
                "UPI Photo",
                "PTI Photo",
                "TOKYO (",
                ") -- ",
                "\n",
                ". ",
                "(",
                ")",
                "the minister said",
                "Photo",
                "é ",
                "—",
                " ",
            ]
            .map(String::from),
        );
        // Long runs, so that evidence falls inside, across and outside the windows.
        fixed.extend([
            "the minister said that prices rose. ".repeat(8),
            "é".repeat(150),
            "word ".repeat(61),
        ]);
        prop_oneof![proptest::sample::select(fixed), "[a-zA-Z ().,/-]{0,12}",]
    }

    proptest! {
        #[test]
        fn prefilter_never_changes_what_is_found(
            parts in proptest::collection::vec(piece(), 0..24),
            outlet in proptest::option::of(proptest::sample::select(vec!["AP", " Reuters ", "Asahi"])),
        ) {
            let text = parts.concat();
            prop_assert_eq!(locate_in(&text, outlet, true), locate_in(&text, outlet, false));
        }
    }

    fn who(text: &str) -> Option<(&'static str, Evidence)> {
        attribute(text, None).map(|a| (a.service().name, a.evidence))
    }

    #[test]
    fn datelines() {
        use Evidence::Dateline as D;
        assert_eq!(who("HONG KONG (AP) -- Japanese pop idol"), Some(("AP", D)));
        assert_eq!(
            who("HONG KONG (AP) \u{2014} Japanese pop idol"),
            Some(("AP", D))
        );
        assert_eq!(
            who("LONDON (Reuters) - Britain's economy"),
            Some(("Reuters", D))
        );
        assert_eq!(
            who("TOKYO (Kyodo) -- Japanese narcotics agents"),
            Some(("Kyodo", D))
        );
        assert_eq!(who("PARIS (AFP) - France said"), Some(("AFP", D)));
        assert_eq!(
            who("SEOUL (Yonhap) -- North Korea fired"),
            Some(("Yonhap", D))
        );
        assert_eq!(
            who("BEIJING (Xinhua) -- China's exports"),
            Some(("Xinhua", D))
        );
        assert_eq!(who("東京（共同）＝政府は２７日"), Some(("Kyodo", D)));
        assert_eq!(who("(서울=연합뉴스) 김기자 = 정부는"), Some(("Yonhap", D)));
        assert_eq!(who("FRANKFURT (dpa) - Die Bank"), Some(("dpa", D)));
        assert_eq!(
            who("NEW YORK (Bloomberg) -- Stocks rose"),
            Some(("Bloomberg", D))
        );
        assert_eq!(who("NEW DELHI (PTI) - The government"), Some(("PTI", D)));
        assert_eq!(who("WASHINGTON (UPI) -- The Senate"), Some(("UPI", D)));
        assert_eq!(
            who("TOKYO (Jiji Press) -- The Bank of Japan"),
            Some(("Jiji", D))
        );
        assert_eq!(who("MADRID (EFE) - El Gobierno"), Some(("EFE", D)));
        assert_eq!(who("ROME (ANSA) - The government"), Some(("ANSA", D)));
    }

    #[test]
    fn dateline_text_is_kept_as_evidence() {
        let a = attribute("HONG KONG (AP) -- Japanese pop idol", None).unwrap();
        assert_eq!(a.matched, "HONG KONG (AP) --");
    }

    #[test]
    fn credits_and_bylines() {
        assert_eq!(
            who("J-pop star arrives at court on Aug. 13. (AP Photo) HONG KONG--Japanese pop idol"),
            Some(("AP", Evidence::Credit))
        );
        assert_eq!(
            who("A crowd gathers. (AP Photo/Kin Cheung)\nThe rest."),
            Some(("AP", Evidence::Credit))
        );
        assert_eq!(
            who("Smoke rises. REUTERS/Kim Kyung-Hoon\nText."),
            Some(("Reuters", Evidence::Credit))
        );
        assert_eq!(
            who("Police stand guard. AFP via Getty Images"),
            Some(("AFP", Evidence::Credit))
        );
        assert_eq!(
            who("By The Associated Press\nWASHINGTON -- The Senate"),
            Some(("AP", Evidence::Byline))
        );
        assert_eq!(
            who("By Reuters\nStocks fell"),
            Some(("Reuters", Evidence::Byline))
        );
    }

    #[test]
    fn dateline_beats_credit() {
        assert_eq!(
            who("TOKYO (Kyodo) -- Markets fell. A trader reacts. (AP Photo/Eugene Hoshiko)"),
            Some(("Kyodo", Evidence::Dateline))
        );
    }

    #[test]
    fn mentions_are_not_attributions() {
        assert_eq!(
            who("The Associated Press reported that the AP Stylebook changed."),
            None
        );
        assert_eq!(
            who("Reuters said in a statement that it would cut jobs."),
            None
        );
        assert_eq!(who("The APEC summit (APEC) opened on Friday."), None);
        assert_eq!(who("Shares of AP Moller (APM) - fell"), None);
    }

    #[test]
    fn outlet_field_names_a_service() {
        let a = attribute("BAHIA COCOA REVIEW. Showers continued.", Some("Reuters")).unwrap();
        assert_eq!(
            (a.service().name, a.evidence),
            ("Reuters", Evidence::Outlet)
        );
        assert!(attribute("Showers continued.", Some("The Mainichi")).is_none());
    }

    #[test]
    fn late_parenthesis_is_not_a_dateline() {
        let text = format!("{} (AP) -- not a dateline", "word ".repeat(100));
        assert_eq!(who(&text), None);
    }
}
