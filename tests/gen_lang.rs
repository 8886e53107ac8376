//! `neardup gen --lang en|ja|zh|ko`: the Japanese, Chinese and Korean archives are in their
//! scripts, deterministic, with outlet footers, notices, wire credits, short originals, shared
//! leads and labelled copies; English stays as it was; an unknown language is refused.

mod common;

use common::{generated, generated_lang, json_lines, labels_of, run, s, stderr};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const CJK: [&str; 3] = ["ja", "zh", "ko"];

/// The documents of an archive.
fn docs(p: &Path) -> Vec<Value> {
    json_lines(&std::fs::read(p).unwrap())
}

/// The labels (`id -> group`) written next to an archive, checking the header.
fn labels(p: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(labels_of(p)).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id\tgroup"));
    lines
        .map(|l| {
            let (a, b) = l.split_once('\t').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

fn text(d: &Value) -> &str {
    d["text"].as_str().unwrap()
}

/// The text without its footer and notice (the lines after the story).
fn body<'a>(d: &'a Value, footer: &str) -> &'a str {
    text(d).strip_suffix(footer).unwrap_or(text(d))
}

/// The longest common suffix of `texts`.
fn common_suffix<'a>(texts: &[&'a str]) -> &'a str {
    let first = texts[0];
    let mut n = first.len();
    for t in &texts[1..] {
        let k = first
            .bytes()
            .rev()
            .zip(t.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count();
        n = n.min(k);
    }
    let mut start = first.len() - n;
    while !first.is_char_boundary(start) {
        start += 1;
    }
    &first[start..]
}

/// Each outlet's footer: the text all its documents end with.
fn footers(ds: &[Value]) -> BTreeMap<String, String> {
    let mut by_outlet: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for d in ds {
        by_outlet
            .entry(d["outlet"].as_str().unwrap().to_string())
            .or_default()
            .push(text(d));
    }
    by_outlet
        .into_iter()
        .map(|(o, ts)| (o, common_suffix(&ts).to_string()))
        .collect()
}

/// Character 4-grams of `t`.
fn grams(t: &str) -> BTreeSet<String> {
    let cs: Vec<char> = t.chars().collect();
    cs.windows(4).map(|w| w.iter().collect()).collect()
}

#[test]
fn each_language_is_deterministic_and_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = BTreeSet::new();
    for lang in CJK {
        let a = std::fs::read(generated_lang(dir.path(), lang, 300, 7)).unwrap();
        let again = dir.path().join(format!("{lang}-again.jsonl"));
        let out = run(&[
            "gen",
            "--lang",
            lang,
            "--docs",
            "300",
            "--seed",
            "7",
            "--threads",
            "1",
            "-o",
            s(&again),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            a,
            std::fs::read(&again).unwrap(),
            "{lang}: same seed, other threads"
        );
        let other = std::fs::read(generated_lang(dir.path(), lang, 300, 8)).unwrap();
        assert_ne!(a, other, "{lang}: another seed");
        let first = &docs(&generated_lang(dir.path(), lang, 300, 7))[0];
        assert_eq!(first["id"], format!("{lang}-0"));
        for f in ["id", "outlet", "title", "date", "text"] {
            assert!(first[f].is_string(), "{lang} {f}");
        }
        assert!(seen.insert(a), "{lang} differs from the others");
    }
}

#[test]
fn english_is_the_default_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let plain = generated(dir.path(), 300);
    let en = generated_lang(dir.path(), "en", 300, 5);
    let bytes = std::fs::read(&plain).unwrap();
    assert_eq!(bytes, std::fs::read(&en).unwrap());
    // Figures of the archive as the release before `--lang` wrote it.
    assert_eq!(bytes.len(), 844_043);
    let ds = docs(&plain);
    assert_eq!(ds[1]["outlet"], "The Mainichi");
    assert!(text(&ds[1]).starts_with("NEW YORK (Yonhap) -- Sa ward Stmen pol"));
    let ls = labels(&plain);
    assert_eq!(ls[2], ("gen-2".to_string(), "gen-0".to_string()));
    assert_eq!(ls[4], ("gen-4".to_string(), "gen-3".to_string()));
}

#[test]
fn text_is_in_the_languages_script() {
    let dir = tempfile::tempdir().unwrap();
    for lang in CJK {
        let ds = docs(&generated_lang(dir.path(), lang, 400, 3));
        let (mut letters, mut han, mut hira, mut kata, mut hangul, mut spaces) = (0, 0, 0, 0, 0, 0);
        for d in &ds {
            for c in text(d).chars().chain(d["title"].as_str().unwrap().chars()) {
                spaces += usize::from(c == ' ');
                if !c.is_alphabetic() {
                    continue;
                }
                letters += 1;
                match c as u32 {
                    0x4E00..=0x9FFF => han += 1,
                    0x3040..=0x309F => hira += 1,
                    0x30A0..=0x30FF => kata += 1,
                    0xAC00..=0xD7A3 => hangul += 1,
                    _ => {}
                }
            }
        }
        let share = |n: usize| n as f64 / letters as f64;
        match lang {
            "ja" => {
                assert!(share(han + hira + kata) > 0.9, "{lang}");
                // Kanji, hiragana and katakana all present in realistic shares.
                assert!((0.3..0.6).contains(&share(han)), "{}", share(han));
                assert!((0.25..0.6).contains(&share(hira)), "{}", share(hira));
                assert!((0.03..0.25).contains(&share(kata)), "{}", share(kata));
                assert_eq!(spaces, 0);
            }
            "zh" => {
                assert!(share(han) > 0.9, "{lang}");
                assert_eq!(spaces, 0);
            }
            _ => {
                assert!(share(hangul) > 0.9, "{lang}");
                // Words separated by spaces.
                assert!(spaces * 8 > letters, "{spaces} {letters}");
            }
        }
        // Sentences end with a full stop of the script.
        let stop = if lang == "ko" { ".\n" } else { "。" };
        let with_stops = ds.iter().filter(|d| text(d).contains(stop)).count();
        assert_eq!(with_stops, ds.len(), "{lang}");
    }
}

#[test]
fn zipf_characters_in_a_few_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let ds = docs(&generated_lang(dir.path(), "zh", 1000, 3));
    let mut counts: HashMap<char, usize> = HashMap::new();
    for d in &ds {
        for c in text(d).chars().filter(|c| c.is_alphabetic()) {
            *counts.entry(c).or_default() += 1;
        }
    }
    let mut v: Vec<usize> = counts.values().copied().collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    let total: usize = v.iter().sum();
    let top = |k: usize| v.iter().take(k).sum::<usize>() as f64 / total as f64;
    assert!((2500..=4000).contains(&v.len()), "{}", v.len());
    // Heavy-tailed like real Chinese: a few function characters, most text in 1,000.
    assert!((0.02..0.08).contains(&top(1)), "{}", top(1));
    assert!((0.3..0.6).contains(&top(100)), "{}", top(100));
    assert!((0.8..0.95).contains(&top(1000)), "{}", top(1000));
}

#[test]
fn every_document_of_an_outlet_ends_with_its_footer() {
    let dir = tempfile::tempdir().unwrap();
    for lang in CJK {
        let ds = docs(&generated_lang(dir.path(), lang, 600, 4));
        let fs = footers(&ds);
        assert_eq!(fs.len(), 20, "{lang}: outlets");
        let distinct: BTreeSet<&String> = fs.values().collect();
        assert_eq!(distinct.len(), 20, "{lang}: footers differ");
        for (outlet, f) in &fs {
            let n = f.chars().count();
            // The footer and, at most, a line break before it in common.
            assert!((60..=202).contains(&n), "{lang} {outlet}: {n} {f}");
            assert!(f.contains(outlet.as_str()), "{lang}: {outlet} not in {f}");
        }
    }
}

#[test]
fn labels_match_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    for lang in CJK {
        let p = generated_lang(dir.path(), lang, 1000, 6);
        let ds = docs(&p);
        let ls = labels(&p);
        assert_eq!(ds.len(), ls.len());
        let index: HashMap<&str, usize> = ls
            .iter()
            .enumerate()
            .map(|(k, (id, _))| (id.as_str(), k))
            .collect();
        let mut copies = 0;
        for (k, (d, (id, group))) in ds.iter().zip(&ls).enumerate() {
            assert_eq!(d["id"], id.as_str());
            assert_eq!(id, &format!("{lang}-{k}"));
            let g = index[group.as_str()];
            assert!(g <= k, "{id} labelled with a later document");
            assert_eq!(&ls[g].1, group, "{group} is an original");
            copies += usize::from(g != k);
        }
        assert!((230..=370).contains(&copies), "{lang}: {copies} copies");
    }
}

#[test]
fn copies_share_their_storys_body_under_another_outlet() {
    let dir = tempfile::tempdir().unwrap();
    for lang in CJK {
        let p = generated_lang(dir.path(), lang, 1000, 6);
        let ds = docs(&p);
        let fs = footers(&ds);
        let by_id: HashMap<&str, &Value> =
            ds.iter().map(|d| (d["id"].as_str().unwrap(), d)).collect();
        let (mut copies, mut sum) = (0, 0.0);
        for (id, group) in labels(&p) {
            if id == group {
                continue;
            }
            let (c, o) = (by_id[id.as_str()], by_id[group.as_str()]);
            assert_ne!(
                c["outlet"], o["outlet"],
                "{lang} {id}: copy by the same outlet"
            );
            assert_eq!(c["title"], o["title"], "{lang} {id}");
            let outlet = |d: &Value| fs[d["outlet"].as_str().unwrap()].clone();
            let (gc, go) = (grams(body(c, &outlet(c))), grams(body(o, &outlet(o))));
            let shared = gc.intersection(&go).count() as f64 / gc.len().min(go.len()) as f64;
            assert!(shared > 0.4, "{lang} {id}: {shared}");
            sum += shared;
            copies += 1;
        }
        assert!(sum / copies as f64 > 0.8, "{lang}: {}", sum / copies as f64);
    }
}

#[test]
fn notices_short_originals_wire_credits_and_shared_leads() {
    let dir = tempfile::tempdir().unwrap();
    let notices = [
        ("ja", "このプレゼント企画は終了しました。"),
        ("zh", "本次抽奖活动已结束"),
        ("ko", "이 이벤트는 종료되었습니다."),
    ];
    let credits: [(&str, &[&str]); 3] = [
        ("ja", &["共同】", "時事】", "＝共同"]),
        ("zh", &["新华社", "日电", "（新华社）"]),
        ("ko", &["=연합뉴스)", "=뉴시스]", " 기자 = "]),
    ];
    for lang in CJK {
        let p = generated_lang(dir.path(), lang, 3000, 2);
        let ds = docs(&p);
        let fs = footers(&ds);
        let ls = labels(&p);
        let notice = notices.iter().find(|(l, _)| *l == lang).unwrap().1;
        let with_notice = ds.iter().filter(|d| text(d).contains(notice)).count();
        // The giveaway notice on about 5% of documents (one notice of four on 10%, most
        // of them in the lifestyle channels, which use that one half the time).
        assert!((80..=250).contains(&with_notice), "{lang}: {with_notice}");
        for c in credits.iter().find(|(l, _)| *l == lang).unwrap().1 {
            assert!(
                ds.iter().filter(|d| text(d).contains(c)).count() > 30,
                "{lang}: {c}"
            );
        }
        let originals: Vec<&Value> = ds
            .iter()
            .zip(&ls)
            .filter(|(_, (id, g))| id == g)
            .map(|(d, _)| d)
            .collect();
        // Short originals: one or two sentences, the footer most of the text.
        let short = originals
            .iter()
            .filter(|d| {
                let f = &fs[d["outlet"].as_str().unwrap()];
                let story = body(d, f).lines().next().unwrap();
                (40..=120).contains(&story.chars().count()) && body(d, f).lines().count() <= 2
            })
            .count();
        assert!((60..=160).contains(&short), "{lang}: {short} short");
        // Shared leads: an original that starts with the lead of another original.
        let mut leads: HashMap<&str, usize> = HashMap::new();
        for d in &originals {
            let lead = text(d).lines().next().unwrap();
            if lead.chars().count() > 120 {
                *leads.entry(lead).or_default() += 1;
            }
        }
        let shared = leads.values().filter(|&&n| n > 1).count();
        assert!((5..=40).contains(&shared), "{lang}: {shared} shared leads");
        // No two stories have the same text once footers and notices (lines in many
        // documents) are set aside: the labels can be right.
        let mut line_docs: HashMap<&str, usize> = HashMap::new();
        for d in &ds {
            for l in text(d).lines() {
                *line_docs.entry(l).or_default() += 1;
            }
        }
        let mut story_of: HashMap<Vec<&str>, &str> = HashMap::new();
        for (d, (id, group)) in ds.iter().zip(&ls) {
            let f = &fs[d["outlet"].as_str().unwrap()];
            let lines: Vec<&str> = body(d, f)
                .lines()
                .filter(|l| line_docs.get(l).copied().unwrap_or(0) < 20)
                .collect();
            let first = story_of.entry(lines).or_insert(group);
            assert_eq!(
                *first,
                group.as_str(),
                "{lang} {id}: the text of another story"
            );
        }
    }
}

#[test]
fn an_unknown_language_is_refused_naming_the_accepted_ones() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.jsonl");
    let out = run(&["gen", "--lang", "xx", "--docs", "10", "-o", s(&p)]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("xx") && e.contains("en, ja, zh, ko"), "{e}");
    assert!(!p.exists());
}
