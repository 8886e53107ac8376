//! Wire-service attribution from datelines, credits and bylines.
//!
//! Owns: the table of wire services ([`SERVICES`]) and their patterns, and the rule that picks
//! one service for a document. Must not: guess. A document with no pattern of any service is
//! unattributed (`None`), never assigned by similarity to others.
//!
//! A document is attributed by the strongest evidence found, in this order:
//! 1. a **dateline**: in the first 400 bytes, the service in parentheses followed by a dash
//!    or `=` (`HONG KONG (AP) --`, `LONDON (Reuters) -`, `東京（共同）＝`, `(서울=연합뉴스)`),
//!    or a head form of the service's own ([`Service::heads`]: `【ワシントン共同】`,
//!    `【北京時事】`, `新华社北京1月1日电`, `中新社北京1月1日电`, `（中央社台北1日電）`,
//!    `[서울=뉴시스]`); else, as strong, the credit of the whole story at its very end
//!    ([`Service::ends`]: `…と述べた。＝共同`, `（ワシントン＝共同）`, `（時事）`, followed by
//!    at most one footer line);
//! 2. a **byline** in the first or last 600 bytes: `By The Associated Press`, `By Reuters`, ...;
//! 3. a **credit**: a photo or source credit anywhere (`(AP Photo/Kin Cheung)`,
//!    `REUTERS/Kim Kyung-Hoon`, `(Kyodo)`, `（共同）`, `（新华社）`, `新华社记者张三摄`);
//! 4. the **outlet** field itself naming a wire service (an article published by Reuters).
//!
//! Ties within one kind go to the earliest position in the text. To add a service, add an
//! entry to [`SERVICES`]; to add a form of evidence, add a pattern to the entry.
//!
//! A name in a sentence is a mention, not a credit: `共同通信によると`, `据新华社报道`,
//! `연합뉴스에 따르면`, "the Press Trust of India reported", "the Press Trust of India (PTI)
//! reported", "wie die Deutsche Presse-Agentur (dpa) berichtete" attribute nothing: a
//! bracketed credit right after the service's name, or followed by the rest of its sentence,
//! is a mention. Every form needs its brackets, its `＝`, or its date
//! and `电`. All patterns are regular expressions of the `regex` crate (time linear in the
//! text); head and end forms are searched only in their windows and only when the window
//! holds a service name that is not ASCII.

pub use crate::document::{Evidence, Located};
use regex::Regex;
use std::sync::OnceLock;

/// One wire service and the patterns that name it.
#[derive(Debug)]
pub struct Service {
    /// Short name used in reports (`AP`, `Reuters`, `Kyodo`, ...).
    pub name: &'static str,
    /// Full name (`Associated Press`).
    pub full_name: &'static str,
    /// Forms used inside dateline parentheses (`AP`, `共同`). Every match of [`Self::heads`]
    /// and [`Self::ends`] contains one of them (the prefilter relies on it).
    pub dateline: &'static [&'static str],
    /// Further dateline patterns (regular expressions) searched at the head of a story
    /// (the first 400 bytes), where the parenthesized form does not fit: `【ワシントン共同】`,
    /// `新华社北京1月1日电`, `[서울=뉴시스]`.
    pub heads: &'static [&'static str],
    /// Byline phrases after "By " (`The Associated Press`).
    pub bylines: &'static [&'static str],
    /// Further credit patterns (regular expressions) matched anywhere in the text.
    pub credits: &'static [&'static str],
    /// Outlet names that are this service (compared case-insensitively).
    pub outlets: &'static [&'static str],
    /// Credits of the whole story (regular expressions) that count only at its very end:
    /// followed by nothing but closing brackets, white space and at most one footer line
    /// (`…と述べた。＝共同`, `（ワシントン＝共同）`).
    pub ends: &'static [&'static str],
}

/// The wire services neardup knows, in priority order for ties between clusters' members.
pub static SERVICES: &[Service] = &[
    Service {
        name: "AP",
        full_name: "Associated Press",
        dateline: &["AP"],
        heads: &[],
        bylines: &["The Associated Press", "Associated Press"],
        credits: &[r"\(AP Photo[^)]{0,80}\)", r"\bAP Photo/[A-Z]"],
        outlets: &["AP", "Associated Press", "The Associated Press", "AP News"],
        ends: &[],
    },
    Service {
        name: "Reuters",
        full_name: "Reuters",
        dateline: &["Reuters", "REUTERS"],
        heads: &[],
        bylines: &["Reuters"],
        credits: &[
            r"\bREUTERS/[A-Z]",
            r"\(Reuters\)",
            r"\(Reuters Photo[^)]{0,80}\)",
        ],
        outlets: &["Reuters", "Thomson Reuters"],
        ends: &[],
    },
    Service {
        name: "AFP",
        full_name: "Agence France-Presse",
        dateline: &["AFP"],
        heads: &[],
        bylines: &["AFP", "Agence France-Presse", "Agence France Presse"],
        credits: &[
            r"\bAFP/[A-Z]",
            r"\bAFP via Getty Images\b",
            r"\(AFP\)",
            r"\bAFP PHOTO\b",
        ],
        outlets: &["AFP", "Agence France-Presse", "Agence France Presse"],
        ends: &[],
    },
    Service {
        name: "Kyodo",
        full_name: "Kyodo News",
        dateline: &["Kyodo", "KYODO", "共同"],
        // 【ワシントン共同】, 【ワシントン　共同】, 【共同】: a place in katakana, kanji or
        // Latin letters (no kana sentence), then the service, in lenticular brackets.
        heads: &[r"【[\p{Katakana}\p{Han}A-Za-zー・ 　]{0,24}?[ 　]*共同】"],
        bylines: &["Kyodo News", "Kyodo"],
        credits: &[r"\(Kyodo\)", r"【共同】", r"（共同）", r"\(共同\)"],
        outlets: &["Kyodo", "Kyodo News", "共同通信", "共同通信社"],
        ends: &[
            r"[（(][^()（）\n]{0,24}[＝=][ 　]*共同[ 　]*[）)]",
            r"[＝=][ 　]*共同",
            r"[（(][ 　]*共同[ 　]*[）)]",
        ],
    },
    Service {
        name: "Jiji",
        full_name: "Jiji Press",
        dateline: &["Jiji Press", "Jiji", "時事"],
        // 【北京時事】, 【ニューヨーク時事】: the place is required, "【時事】" alone is also a
        // topic label ("current affairs").
        heads: &[r"【[\p{Katakana}\p{Han}A-Za-zー・ 　]{1,24}?[ 　]*時事】"],
        bylines: &["Jiji Press"],
        credits: &[r"\(Jiji Press\)", r"（時事）", r"\(時事\)"],
        outlets: &["Jiji", "Jiji Press", "時事通信", "時事通信社"],
        ends: &[
            r"[（(][^()（）\n]{0,24}[＝=][ 　]*時事[ 　]*[）)]",
            r"[＝=][ 　]*時事",
            r"[（(][ 　]*時事[ 　]*[）)]",
        ],
    },
    Service {
        name: "Yonhap",
        full_name: "Yonhap News Agency",
        dateline: &["Yonhap", "연합뉴스"],
        // [서울=연합뉴스]; the parenthesized (서울=연합뉴스) is the common dateline.
        heads: &[r"[\[［][^\[\]［］\n]{1,24}[=＝][ 　]*연합뉴스[ 　]*[\]］]"],
        bylines: &["Yonhap News Agency", "Yonhap"],
        credits: &[r"\(Yonhap\)", r"\(연합뉴스\)"],
        outlets: &["Yonhap", "Yonhap News Agency", "연합뉴스"],
        ends: &[],
    },
    Service {
        name: "Xinhua",
        full_name: "Xinhua News Agency",
        dateline: &["Xinhua", "新华社", "新華社", "新华网", "新華網"],
        // 新华社北京1月1日电, 新华社记者张三北京1日电, 新華社北京1日電, 新华网北京1月1日电: the
        // service, a place (and reporters' names), a date, then "dispatch".
        heads: &[
            r"新华社[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
            r"新華社[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
            r"新华网[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
            r"新華網[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
        ],
        bylines: &["Xinhua News Agency", "Xinhua"],
        credits: &[
            r"\(Xinhua\)",
            r"新华社记者[^\n。，,；;！？]{1,30}?摄",
            r"新華社記者[^\n。，,；;！？]{1,30}?攝",
            r"\(Xinhua/[^)]{1,80}\)",
            r"[（(]新华社发?[）)]",
            r"[（(]新華社發?[）)]",
        ],
        outlets: &[
            "Xinhua",
            "Xinhua News Agency",
            "新华社",
            "新華社",
            "新华网",
            "新华通讯社",
        ],
        ends: &[],
    },
    Service {
        name: "Bloomberg",
        full_name: "Bloomberg News",
        dateline: &["Bloomberg"],
        heads: &[],
        bylines: &["Bloomberg News", "Bloomberg"],
        credits: &[r"\(Bloomberg\)"],
        outlets: &["Bloomberg", "Bloomberg News"],
        ends: &[],
    },
    Service {
        name: "dpa",
        full_name: "Deutsche Presse-Agentur",
        dateline: &["dpa", "DPA"],
        heads: &[],
        bylines: &["dpa", "Deutsche Presse-Agentur"],
        credits: &[r"\(dpa\)"],
        outlets: &["dpa", "Deutsche Presse-Agentur"],
        ends: &[],
    },
    Service {
        name: "UPI",
        full_name: "United Press International",
        dateline: &["UPI"],
        heads: &[],
        bylines: &["United Press International", "UPI"],
        credits: &[r"\(UPI\)", r"\bUPI Photo\b"],
        outlets: &["UPI", "United Press International"],
        ends: &[],
    },
    Service {
        name: "PTI",
        full_name: "Press Trust of India",
        dateline: &["PTI"],
        heads: &[],
        bylines: &["Press Trust of India", "PTI"],
        credits: &[r"\(PTI\)", r"\bPTI Photo\b"],
        outlets: &["PTI", "Press Trust of India"],
        ends: &[],
    },
    Service {
        name: "EFE",
        full_name: "Agencia EFE",
        dateline: &["EFE"],
        heads: &[],
        bylines: &["EFE"],
        credits: &[r"\(EFE\)"],
        outlets: &["EFE", "Agencia EFE"],
        ends: &[],
    },
    Service {
        name: "ANSA",
        full_name: "ANSA",
        dateline: &["ANSA"],
        heads: &[],
        bylines: &["ANSA"],
        credits: &[r"\(ANSA\)"],
        outlets: &["ANSA"],
        ends: &[],
    },
    Service {
        name: "CNS",
        full_name: "China News Service",
        dateline: &["中新社", "中新网", "中新網"],
        // 中新社北京1月1日电, 中新网北京1月1日电 (the service's news site).
        heads: &[
            r"中新社[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
            r"中新网[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
            r"中新網[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[电電]",
        ],
        bylines: &[],
        credits: &[
            r"中新社记者[^\n。，,；;！？]{1,30}?摄",
            r"中新网记者[^\n。，,；;！？]{1,30}?摄",
            r"[（(]中新社[）)]",
            r"[（(]中新网[）)]",
        ],
        outlets: &["China News Service", "中国新闻社", "中新社", "中新网"],
        ends: &[],
    },
    Service {
        name: "CNA",
        full_name: "Central News Agency (Taiwan)",
        dateline: &["中央社"],
        // （中央社記者王小明台北1日電）, （中央社台北1日電）.
        heads: &[
            r"[（(]中央社[^\n（）()。，,：:]{1,24}?[0-9０-９一二三四五六七八九十〇月]{1,6}日[ 　]*[電电][）)]",
        ],
        bylines: &[],
        credits: &[r"中央社記者[^\n。，,；;！？]{1,30}?攝", r"[（(]中央社[）)]"],
        // Not "CNA" alone: Singapore's Channel NewsAsia is also CNA.
        outlets: &[
            "Central News Agency",
            "中央社",
            "中央通訊社",
            "Focus Taiwan",
        ],
        ends: &[],
    },
    Service {
        name: "Newsis",
        full_name: "Newsis",
        dateline: &["뉴시스"],
        // [서울=뉴시스], the agency's usual dateline; (서울=뉴시스) is the parenthesized one.
        heads: &[r"[\[［][^\[\]［］\n]{1,24}[=＝][ 　]*뉴시스[ 　]*[\]］]"],
        bylines: &[],
        credits: &[],
        outlets: &["Newsis", "뉴시스"],
        ends: &[],
    },
    Service {
        name: "News1",
        full_name: "News1 Korea",
        dateline: &["뉴스1"],
        // (서울=뉴스1) is the parenthesized dateline; [서울=뉴스1] the bracketed one.
        heads: &[r"[\[［][^\[\]［］\n]{1,24}[=＝][ 　]*뉴스1[ 　]*[\]］]"],
        bylines: &[],
        credits: &[],
        outlets: &["News1", "News1 Korea", "뉴스1"],
        ends: &[],
    },
];

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
    /// All [`Service::heads`] patterns in one alternation; group `h{i}` is pattern `i`.
    heads: Regex,
    /// Service of each head pattern.
    head_services: Vec<u8>,
    /// All [`Service::ends`] patterns in one alternation (group `e{i}` is pattern `i`),
    /// followed by what may follow them up to the end of the text ([`END_TAIL`]).
    ends: Regex,
    /// Service of each end pattern.
    end_services: Vec<u8>,
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
    /// A literal of each credit pattern ([`required_literal`]): a text outside ASCII without
    /// any is not searched further.
    credits: aho_corasick::AhoCorasick,
    /// The credit patterns in two groups, those whose literal is ASCII and the others, each
    /// searched only in texts that hold one of its literals.
    credit_groups: Vec<CreditGroup>,
}

/// Some of the credit patterns, in one alternation; group `c{i}` is credit pattern `i` of the
/// whole table, as in [`Compiled::credits`]. The CJK patterns are a group apart: in one
/// alternation with the English ones (`[^)]{0,80}` of any character), Chinese text full of
/// `（` and `新华社` made the lazy DFA give up, and the search ran at about 0.5 MB/s.
struct CreditGroup {
    re: Regex,
    /// A literal of each pattern of the group ([`required_literal`]).
    anchor: aho_corasick::AhoCorasick,
    /// Whether every literal is ASCII: a text without one cannot hold one.
    needs_non_ascii: bool,
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

/// What may follow an end-of-story credit ([`Service::ends`]): closing brackets, then the end
/// of the line, then at most one more line that is not empty (a footer of at most 120
/// characters), then the end of the text.
const END_TAIL: &str = r"[)）\]］】」』]*[ \t\r　]*(?:\n\s*[^\n]{1,120})?\s*\z";

/// The patterns of `field` of every service, each in a group named `{prefix}{i}`, in one
/// alternation (one that matches nothing when there are none), and the service of each.
fn patterns(prefix: char, field: fn(&Service) -> &'static [&'static str]) -> (String, Vec<u8>) {
    let mut services = Vec::new();
    let mut alts = Vec::new();
    for (i, s) in SERVICES.iter().enumerate() {
        for p in field(s) {
            alts.push(format!("(?P<{prefix}{}>{p})", services.len()));
            services.push(i as u8);
        }
    }
    if alts.is_empty() {
        alts.push(r"[^\s\S]".to_string());
    }
    (alts.join("|"), services)
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
        let (heads, head_services) = patterns('h', |s| s.heads);
        let heads = Regex::new(&heads).expect("head patterns");
        let (ends, end_services) = patterns('e', |s| s.ends);
        let ends = Regex::new(&format!("(?:{ends}){END_TAIL}")).expect("end patterns");
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
            let credit_groups = [true, false]
                .into_iter()
                .filter_map(|ascii| {
                    let members: Vec<usize> =
                        (0..credit.len()).filter(|&i| credit[i].is_ascii() == ascii).collect();
                    let alts: Vec<&str> = members.iter().map(|&i| alts[i].as_str()).collect();
                    (!members.is_empty()).then(|| CreditGroup {
                        re: Regex::new(&alts.join("|")).expect("credit patterns"),
                        anchor: literal_searcher(
                            members.iter().map(|&i| credit[i].clone()).collect(),
                        ),
                        needs_non_ascii: !ascii,
                    })
                })
                .collect();
            Anchors {
                names: literal_searcher(names.collect()),
                credits: literal_searcher(credit),
                credit_groups,
            }
        });
        Compiled {
            dateline,
            byline,
            credits,
            heads,
            head_services,
            ends,
            end_services,
            credit_services,
            name_services: names.iter().map(|(i, _)| *i).collect(),
            anchors,
        }
    })
}

/// The `k` of the first alternative group of `re` (named `{prefix}{k}`) that took part in
/// `caps`, looked up by group index.
fn matched_index(re: &Regex, prefix: char, caps: &regex::Captures<'_>) -> Option<usize> {
    re.capture_names().zip(caps.iter()).find_map(|(name, m)| {
        let k: usize = name?.strip_prefix(prefix)?.parse().ok()?;
        m.map(|_| k)
    })
}

/// The service of the first alternative group of `re` (named `{prefix}{k}`, service
/// `services[k]`) that took part in `caps`.
fn matched_group(
    re: &Regex,
    prefix: char,
    services: &[u8],
    caps: &regex::Captures<'_>,
) -> Option<u8> {
    matched_index(re, prefix, caps).map(|k| services[k])
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
    if let Some(found) = story_located(c, text, prefilter) {
        return Some(found);
    }
    let anchors = c.anchors.as_ref().filter(|_| prefilter);
    // Leftmost match; at one position the first pattern in table order wins. The groups
    // find the same: the earliest of their leftmost matches, ties to the lower pattern.
    // A credit in running text is a mention ("the Press Trust of India (PTI) reported"): the
    // first match that is not one.
    let credit_at = |re: &Regex, caps: &regex::Captures<'_>| {
        let k = matched_index(re, 'c', caps).expect("one alternative matched");
        let m = caps.get(0).expect("whole match");
        (!is_mention(text, m.start(), m.end(), c.credit_services[k])).then_some(k)
    };
    let credit = match anchors {
        None => c
            .credits
            .captures_iter(text)
            .find_map(|caps| credit_at(&c.credits, &caps).map(|k| (caps, k))),
        // An ASCII text is searched by the ASCII group's literals alone; another text by
        // all the literals first (one pass where nothing is found, as most texts).
        Some(a) if !text.is_ascii() && !a.credits.is_match(text) => None,
        Some(a) => a
            .credit_groups
            .iter()
            .filter(|g| !(g.needs_non_ascii && text.is_ascii()) && g.anchor.is_match(text))
            .filter_map(|g| {
                g.re.captures_iter(text)
                    .find_map(|caps| credit_at(&g.re, &caps).map(|k| (caps, k)))
            })
            .min_by_key(|(caps, k)| (caps.get(0).expect("whole match").start(), *k)),
    };
    if let Some((caps, k)) = credit {
        let service = c.credit_services[k];
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

/// The story's own credit in `text`: the evidence of kind [`Evidence::Dateline`] (a dateline,
/// a head form or the story's credit at its end) or [`Evidence::Byline`] that [`attribute`]
/// would find first. A photo or source credit (`(AP Photo)`) and the outlet are not the
/// story's credit: a copy that keeps the photo credit but drops `(AP)` from its dateline has
/// removed the story's credit.
///
/// ```
/// use neardup::wire::{story_credit, Evidence};
/// let a = story_credit("HONG KONG (AP) -- The idol was fined.").unwrap();
/// assert_eq!((a.service().name, a.evidence, a.matched.as_str()), ("AP", Evidence::Dateline, "HONG KONG (AP) --"));
/// assert!(story_credit("Fans wait. (AP Photo)\nHONG KONG--The idol was fined.").is_none());
/// ```
pub fn story_credit(text: &str) -> Option<Attribution> {
    story_located(compiled(), text, true).map(|l| l.attribution(text, None))
}

/// The photo or source credit ([`Evidence::Credit`]) in `text` that comes first, if any: the
/// mark of a caption (`(AP Photo/Kin Cheung)`, `REUTERS/Kim`, `新华社记者张三摄`).
pub fn photo_credit(text: &str) -> Option<Attribution> {
    let c = compiled();
    c.credits.captures_iter(text).find_map(|caps| {
        let k = matched_index(&c.credits, 'c', &caps).expect("one alternative matched");
        let m = caps.get(0).expect("whole match");
        (!is_mention(text, m.start(), m.end(), c.credit_services[k])).then(|| Attribution {
            service: c.credit_services[k],
            evidence: Evidence::Credit,
            matched: m.as_str().to_string(),
        })
    })
}

/// True when the credit form `text[start..end]` of `service` is a mention in running text,
/// not a credit: a bracketed name right after the service's full name or byline name
/// ("the Press Trust of India (PTI) reported", "Agence France-Presse (AFP)"), or followed
/// by the sentence it is part of: a lower-case word ("(PTI) reported", "(dpa) berichtete"), or
/// without a space a particle in hiragana or hangul ("（共同）によると", "(연합뉴스)에").
/// A credit ends a sentence, a paragraph or a caption, or stands before the next sentence.
fn is_mention(text: &str, start: usize, end: usize, service: u8) -> bool {
    let s = &SERVICES[service as usize];
    let inner = text[start..end]
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）'])
        .trim();
    let names = || {
        std::iter::once(s.full_name)
            .chain(s.dateline.iter().copied())
            .chain(s.bylines.iter().copied())
            .chain(s.outlets.iter().copied())
    };
    if !names().any(|n| n == inner) {
        // `(AP Photo/...)`, `REUTERS/Kim`, `新华社记者张三摄`: forms of captions only.
        return false;
    }
    let before = text[..start].trim_end();
    let named_before = names().filter(|n| n.len() > inner.len()).any(|n| {
        before.len() >= n.len()
            && before.is_char_boundary(before.len() - n.len())
            && before[before.len() - n.len()..].eq_ignore_ascii_case(n)
    });
    let after = &text[end..];
    let next = after.chars().next();
    let next_word = after.trim_start().chars().next();
    let particle =
        next.is_some_and(|ch| matches!(ch, '\u{3041}'..='\u{309F}' | '\u{AC00}'..='\u{D7A3}'));
    named_before || particle || next_word.is_some_and(char::is_lowercase)
}

/// The dateline or byline part of [`locate_in`]: [`story_credit`].
fn story_located(c: &Compiled, text: &str, prefilter: bool) -> Option<Located> {
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
    let anchors = c.anchors.as_ref().filter(|_| prefilter);
    let names_here = anchors.is_none_or(|a| {
        // From `tail_start`, not `tail_from`: the end window (`tail_start..`) may reach into
        // the head window.
        a.names.is_match(&text[..head_end_b]) || a.names.is_match(&text[tail_start..])
    });
    if names_here {
        dateline_or_byline(c, text, head_end, head_end_b, tail_start, tail_from)
    } else {
        None
    }
}

/// The earliest dateline in `text[..head_end]` (parenthesized or a [`Service::heads`] form),
/// else the end-of-story credit in `text[tail_start..]`, else the byline in
/// `text[..head_end_b]` or `text[tail_from..]`.
fn dateline_or_byline(
    c: &Compiled,
    text: &str,
    head_end: usize,
    head_end_b: usize,
    tail_start: usize,
    tail_from: usize,
) -> Option<Located> {
    let head = &text[..head_end];
    // "the Press Trust of India (PTI)\nreported" is no dateline: the parenthesis is a
    // mention ([`is_mention`]).
    let dateline = c.dateline.captures_iter(head).find(|caps| {
        let m = caps.get(0).expect("whole match");
        let close = m.as_str().rfind([')', '）']).map_or(m.len(), |i| {
            i + m.as_str()[i..].chars().next().map_or(1, char::len_utf8)
        });
        (caps.name("city").is_some() || caps.name("dash").is_some())
            && !matched_service(c, &c.dateline, caps)
                .is_some_and(|service| is_mention(text, m.start(), m.start() + close, service))
    });
    // Every head and end pattern holds a character outside ASCII (see the tests): an ASCII
    // window is not searched with them.
    let cjk_head = if head.is_ascii() {
        None
    } else {
        c.heads.captures(head)
    };
    if let Some(caps) = cjk_head.filter(|h| {
        dateline.as_ref().is_none_or(|d| {
            h.get(0).expect("whole match").start() < d.get(0).expect("whole match").start()
        })
    }) {
        let service =
            matched_group(&c.heads, 'h', &c.head_services, &caps).expect("one alternative matched");
        let m = caps.get(0).expect("whole match");
        return Some(located(text, service, Evidence::Dateline, m.as_str()));
    }
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
    let tail = &text[tail_start..];
    let end = if tail.is_ascii() {
        None
    } else {
        c.ends.captures(tail)
    };
    if let Some(caps) = end {
        // The credit itself, without the footer that may follow it.
        let k = matched_index(&c.ends, 'e', &caps).expect("one alternative matched");
        let m = caps
            .name(&format!("e{k}"))
            .expect("the matched alternative");
        return Some(located(
            text,
            c.end_services[k],
            Evidence::Dateline,
            m.as_str(),
        ));
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
                "新华社记者张三摄",
                "(Xinhua/Li)",
                "【ワシントン共同】",
                "【北京時事】",
                "＝共同",
                "=時事",
                "（ワシントン＝共同）",
                "（時事）",
                "共同通信によると",
                "新华社北京1月1日电",
                "新華社台北1日電",
                "中新网北京1月1日电",
                "（中央社記者王小明台北1日電）",
                "（新华社）",
                "(서울=연합뉴스)",
                "[서울=뉴시스]",
                "(서울=뉴스1)",
                "【",
                "】",
                "＝",
                "　",
                "共同",
                "1日电",
                "\n(c) footer\n",
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
            "政府は２７日、".repeat(12),
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

    /// Issue 23: a service named in running text, even with its bracketed short name, is a
    /// mention; the same bracketed name ending a sentence or a story is a credit. In English,
    /// German, Spanish, Japanese and Korean.
    #[test]
    fn bracketed_names_in_running_text_are_mentions() {
        use Evidence::{Byline, Credit, Dateline};
        let none = [
            "India launched its first\nintercontinental-range rocket, the Press Trust of India\nreported.\n REUTER",
            "India launched a rocket, the Press Trust of India (PTI) reported on Tuesday.",
            "India launched a rocket, the Press Trust of India (PTI)\nreported on Tuesday.",
            "India launched a rocket, the Press Trust of India (PTI) -- a news agency -- said.",
            "The rocket (PTI) reported nothing.",
            "The talks failed, according to Agence France-Presse (AFP), which cited officials.",
            "Die Gespräche scheiterten, wie die Deutsche Presse-Agentur (dpa) berichtete.",
            "Las conversaciones fracasaron, según la Agencia EFE (EFE), que citó a funcionarios.",
            "政府は２７日、新たな制裁を発表したと（共同）が伝えた。",
            "정부는 27일 새 제재를 발표했다고 (연합뉴스)가 전했다.",
        ];
        for text in none {
            assert_eq!(who(text), None, "{text}");
        }
        let credited = [
            (
                "NEW DELHI (PTI) -- The government approved the plan.",
                ("PTI", Dateline),
            ),
            (
                "The government approved the plan on Monday. (PTI)",
                ("PTI", Credit),
            ),
            (
                "The plan was approved. (PTI) The opposition walked out.",
                ("PTI", Credit),
            ),
            (
                "The plan was approved on Monday. (PTI)\nThe opposition walked out.",
                ("PTI", Credit),
            ),
            (
                "The government approved the plan.\nBy Press Trust of India",
                ("PTI", Byline),
            ),
            (
                "Die Regierung hat dem Plan am Montag zugestimmt. (dpa)",
                ("dpa", Credit),
            ),
            (
                "MADRID (EFE) -- El Gobierno aprobó el plan el lunes.",
                ("EFE", Dateline),
            ),
            (
                "El Gobierno aprobó el plan el lunes. (EFE)",
                ("EFE", Credit),
            ),
            (
                "政府は２７日、新たな制裁を発表した。（共同）\n次の段落。\n最後。",
                ("Kyodo", Credit),
            ),
            (
                "정부는 27일 새 제재를 발표했다. (연합뉴스)\n다음 문단.\n끝.",
                ("Yonhap", Credit),
            ),
        ];
        for (text, (name, kind)) in credited {
            let got = who(text).unwrap_or_else(|| panic!("no credit in {text}"));
            assert_eq!(got.0, name, "{text}");
            // A bracketed name ending the first line is also read as a dateline.
            assert!(got.1 == kind || got.1 == Dateline, "{text}: {got:?}");
            assert_eq!(
                locate_in(text, None, false),
                locate_in(text, None, true),
                "{text}"
            );
        }
        // A mention first does not hide a credit after it.
        let late = format!(
            "Officials spoke to the Press Trust of India (PTI) on Monday. {}The plan passed. (PTI) The rest.",
            "More words here. ".repeat(30)
        );
        assert_eq!(who(&late), Some(("PTI", Credit)));
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

    /// The evidence found in `text` (without an outlet): service, kind and matched text.
    fn what(text: &str) -> Option<(&'static str, Evidence, String)> {
        attribute(text, None).map(|a| (a.service().name, a.evidence, a.matched))
    }

    fn dateline(name: &'static str, matched: &str) -> Option<(&'static str, Evidence, String)> {
        Some((name, Evidence::Dateline, matched.to_string()))
    }

    #[test]
    fn head_and_end_patterns_name_their_service_outside_ascii() {
        // The prefilter and the ASCII skip rely on it: every match holds a dateline name of
        // its service, which is not ASCII.
        for s in SERVICES {
            for p in s.heads.iter().chain(s.ends) {
                let lit = required_literal(p).unwrap_or_else(|| panic!("no literal in {p:?}"));
                assert!(!lit.is_ascii(), "{p:?}: {lit:?}");
                assert!(
                    s.dateline.iter().any(|n| !n.is_ascii() && lit.contains(n)),
                    "{p:?}: {lit:?}"
                );
            }
        }
    }

    #[test]
    fn japanese_head_forms() {
        let body = "米政府は２７日、新たな制裁を発表した。";
        for (head, name, matched) in [
            ("【ワシントン共同】", "Kyodo", "【ワシントン共同】"),
            ("【ワシントン　共同】", "Kyodo", "【ワシントン　共同】"),
            ("【ワシントン 共同】", "Kyodo", "【ワシントン 共同】"),
            ("【共同】", "Kyodo", "【共同】"),
            ("【北京時事】", "Jiji", "【北京時事】"),
            ("【ニューヨーク時事】", "Jiji", "【ニューヨーク時事】"),
            ("東京（共同）＝", "Kyodo", "東京（共同）＝"),
        ] {
            assert_eq!(
                what(&format!("{head}{body}")),
                dateline(name, matched),
                "{head}"
            );
            // After a headline line, too.
            let text = format!("制裁を発表\n{head}{body}");
            assert_eq!(what(&text), dateline(name, matched), "{head}");
        }
    }

    #[test]
    fn japanese_end_forms_credit_the_whole_story() {
        let body = "米政府は２７日、新たな制裁を発表した。\n声明は関係国との協議を求めた。";
        for (end, name, matched) in [
            ("＝共同", "Kyodo", "＝共同"),
            ("=共同", "Kyodo", "=共同"),
            ("＝共同\n", "Kyodo", "＝共同"),
            ("（ワシントン＝共同）", "Kyodo", "（ワシントン＝共同）"),
            ("(ワシントン=共同)", "Kyodo", "(ワシントン=共同)"),
            ("（共同）", "Kyodo", "（共同）"),
            ("＝共同】", "Kyodo", "＝共同"),
            (
                "＝共同\n\n（この記事は共同通信の配信です）\n",
                "Kyodo",
                "＝共同",
            ),
            ("＝時事", "Jiji", "＝時事"),
            ("（時事）", "Jiji", "（時事）"),
            (
                "（ニューヨーク＝時事）\nCopyright Jiji Press",
                "Jiji",
                "（ニューヨーク＝時事）",
            ),
        ] {
            let text = format!("{body}{end}");
            assert_eq!(what(&text), dateline(name, matched), "{end:?}");
            // Far from the head as well.
            let long = format!("{}{text}", "政府は２７日、".repeat(60));
            assert_eq!(what(&long), dateline(name, matched), "{end:?}");
        }
        // A head form comes first; an end form beats a credit elsewhere.
        let both = format!("【北京時事】{body}＝共同");
        assert_eq!(what(&both), dateline("Jiji", "【北京時事】"));
        let credit = format!(
            "会見する首相（時事）。\n{}{body}＝共同",
            "政府は２７日、".repeat(60)
        );
        assert_eq!(what(&credit), dateline("Kyodo", "＝共同"));
    }

    #[test]
    fn japanese_mentions_are_not_credits() {
        let none = [
            "共同通信によると、政府は２７日、新たな制裁を発表した。",
            "共同通信の世論調査で、内閣支持率は３０％だった。",
            "日米両政府は共同声明を発表した。声明は＝共同声明の全文＝次の通り。",
            "【日米共同声明】両首脳は協力を確認した。",
            "【今日の時事】物価が上がった。",
            "時事通信が伝えた。",
            // "＝共同" that does not end the story (two lines follow).
            "首相は会見した＝共同\n次の段落。\n最後の段落。",
        ];
        for text in none {
            assert_eq!(what(text), None, "{text}");
        }
        // A head form beyond the head window is no dateline.
        let late = format!("{}【ワシントン共同】米政府は", "政府は２７日、".repeat(30));
        assert_eq!(what(&late), None);
    }

    #[test]
    fn chinese_forms() {
        let body = "国家统计局1日发布数据显示，12月份制造业采购经理指数为50.1%。";
        for (head, name, matched) in [
            ("新华社北京1月1日电", "Xinhua", "新华社北京1月1日电"),
            (
                "新华社北京1月1日电（记者 张三）",
                "Xinhua",
                "新华社北京1月1日电",
            ),
            (
                "新华社记者张三北京1日电 ",
                "Xinhua",
                "新华社记者张三北京1日电",
            ),
            ("新华社北京１月１日电", "Xinhua", "新华社北京１月１日电"),
            (
                "新华社布宜诺斯艾利斯12月31日电",
                "Xinhua",
                "新华社布宜诺斯艾利斯12月31日电",
            ),
            ("新華社北京1月1日電", "Xinhua", "新華社北京1月1日電"),
            ("中新社北京1月1日电", "CNS", "中新社北京1月1日电"),
            ("中新网北京1月1日电", "CNS", "中新网北京1月1日电"),
            (
                "（中央社記者王小明台北1日電）",
                "CNA",
                "（中央社記者王小明台北1日電）",
            ),
            ("（中央社台北1日電）", "CNA", "（中央社台北1日電）"),
            ("(中央社台北1日電)", "CNA", "(中央社台北1日電)"),
        ] {
            let text = format!("{head}{body}");
            assert_eq!(what(&text), dateline(name, matched), "{head}");
        }
        let credit = |text: &str| attribute(text, None).map(|a| (a.service().name, a.evidence));
        for (text, name) in [
            ("图为会议现场（新华社）。会议于1日开幕。", "Xinhua"),
            ("图为会议现场(新华社)。会议于1日开幕。", "Xinhua"),
            ("图为会议现场（新华社发）。会议于1日开幕。", "Xinhua"),
            ("图为会议现场（新華社）。会议于1日开幕。", "Xinhua"),
            ("图为会议现场新华社记者 张三 摄。会议于1日开幕。", "Xinhua"),
            ("图为会议现场（中新社）。会议于1日开幕。", "CNS"),
            ("图为会议现场中新社记者 李四 摄。会议于1日开幕。", "CNS"),
            ("圖為會場。中央社記者王小明攝。會議1日開幕。", "CNA"),
        ] {
            assert_eq!(credit(text), Some((name, Evidence::Credit)), "{text}");
        }
    }

    #[test]
    fn chinese_mentions_are_not_credits() {
        let none = [
            "据新华社报道，国家统计局1日发布数据。",
            "新华社发表评论文章指出，经济稳中向好。",
            "他对新华社记者说，今年的目标已经实现。",
            "新華社報導，總統1日出席活動。",
            "中新两国1月1日电话会谈，双方同意加强合作。",
            "據中央社報導，總統1日電話慰問災民。",
            "中央社記者1日電話訪問了他。",
        ];
        for text in none {
            assert_eq!(what(text), None, "{text}");
        }
    }

    #[test]
    fn korean_forms() {
        let body = " 정부는 1일 새해 경제정책방향을 발표했다.";
        for (head, name, matched) in [
            ("(서울=연합뉴스)", "Yonhap", "(서울=연합뉴스)"),
            ("(서울=연합뉴스) 홍길동 기자 =", "Yonhap", "(서울=연합뉴스)"),
            (
                "(워싱턴=연합뉴스) 홍길동 특파원 =",
                "Yonhap",
                "(워싱턴=연합뉴스)",
            ),
            ("（서울＝연합뉴스）", "Yonhap", "（서울＝연합뉴스）"),
            ("[서울=연합뉴스]", "Yonhap", "[서울=연합뉴스]"),
            ("[서울=뉴시스]", "Newsis", "[서울=뉴시스]"),
            ("[서울=뉴시스] 홍길동 기자 =", "Newsis", "[서울=뉴시스]"),
            ("［서울＝뉴시스］", "Newsis", "［서울＝뉴시스］"),
            ("(서울=뉴시스)", "Newsis", "(서울=뉴시스)"),
            ("(서울=뉴스1) 홍길동 기자 =", "News1", "(서울=뉴스1)"),
            ("[서울=뉴스1]", "News1", "[서울=뉴스1]"),
        ] {
            let text = format!("{head}{body}");
            assert_eq!(what(&text), dateline(name, matched), "{head}");
        }
    }

    #[test]
    fn korean_mentions_are_not_credits() {
        let none = [
            "연합뉴스에 따르면 정부는 1일 새해 경제정책방향을 발표했다.",
            "뉴시스 보도에 따르면 정부는 1일 발표했다.",
            "뉴스1 취재를 종합하면 정부는 1일 발표했다.",
            "[단독] 정부는 1일 발표했다.",
        ];
        for text in none {
            assert_eq!(what(text), None, "{text}");
        }
    }

    #[test]
    fn new_services_by_outlet() {
        for (outlet, name) in [
            ("中新社", "CNS"),
            ("China News Service", "CNS"),
            ("中央社", "CNA"),
            ("Central News Agency", "CNA"),
            ("Newsis", "Newsis"),
            ("뉴스1", "News1"),
            ("共同通信社", "Kyodo"),
            ("新華社", "Xinhua"),
        ] {
            let a = attribute("本文。", Some(outlet)).unwrap();
            assert_eq!((a.service().name, a.evidence), (name, Evidence::Outlet));
        }
        // Singapore's Channel NewsAsia is also "CNA": not an outlet of Taiwan's agency.
        assert!(attribute("本文。", Some("CNA")).is_none());
    }
}
