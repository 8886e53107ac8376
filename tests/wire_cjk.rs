//! Japanese, Chinese and Korean wire credits in the cluster file: copies of one story with
//! different credit forms are attributed each to its service, with the evidence, and a copy
//! that only mentions a service in a sentence is attributed to none.

mod common;

use common::{doc, json_lines, run, s, stderr, write_lines, XorShift};
use serde_json::Value;

/// A story of `n` characters drawn from `count` code points from `first` (a fixed
/// pseudo-random sequence per `seed`), with a full stop now and then.
fn body(seed: u64, first: u32, count: u32, n: usize) -> String {
    let mut rng = XorShift::new(seed);
    (0..n)
        .map(|_| {
            let x = rng.next_u64();
            if x.is_multiple_of(13) {
                '。'
            } else {
                char::from_u32(first + (x >> 20) as u32 % count).expect("a code point")
            }
        })
        .collect()
}

/// A wire service and its evidence: (service, kind, text).
type Wire = (String, String, String);

/// Per member id: the wire service and the evidence, from the cluster lines.
fn members(out: &[Value]) -> Vec<(String, Option<Wire>)> {
    let mut found = Vec::new();
    for c in out.iter().filter(|r| r["record"] == "cluster") {
        for m in c["members"].as_array().expect("members") {
            let wire = m["wire"].as_str().map(|w| {
                let e = &m["wire_evidence"];
                (
                    w.to_string(),
                    e["kind"].as_str().expect("kind").to_string(),
                    e["text"].as_str().expect("text").to_string(),
                )
            });
            found.push((m["id"].as_str().expect("id").to_string(), wire));
        }
    }
    found.sort();
    found
}

#[test]
fn cjk_credit_forms_attribute_cluster_members() {
    let dir = tempfile::tempdir().unwrap();
    let ja = body(1, 0x4E00, 2500, 500);
    let zh = body(2, 0x4E00, 2500, 500);
    let ko = body(3, 0xAC00, 2000, 500);
    let docs = [
        doc("ja1", &format!("【ワシントン共同】{ja}")),
        doc("ja2", &format!("{ja}＝共同")),
        doc("ja3", &format!("共同通信によると、{ja}")),
        doc("zh1", &format!("新华社北京1月1日电（记者 张三）{zh}")),
        doc("zh2", &format!("（中央社台北1日電）{zh}")),
        doc("zh3", &format!("据新华社报道，{zh}")),
        doc("ko1", &format!("[서울=뉴시스] 홍길동 기자 = {ko}")),
        doc("ko2", &format!("(서울=연합뉴스) 홍길동 기자 = {ko}")),
        doc("ko3", &format!("연합뉴스에 따르면 {ko}")),
    ];
    let input = write_lines(dir.path(), "cjk.jsonl", &docs);
    let out_path = dir.path().join("out.jsonl");
    let out = run(&["cluster", s(&input), "-o", s(&out_path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&std::fs::read(&out_path).unwrap());
    let dateline = |w: &str, t: &str| Some((w.to_string(), "dateline".to_string(), t.to_string()));
    let expected = vec![
        ("ja1".to_string(), dateline("Kyodo", "【ワシントン共同】")),
        ("ja2".to_string(), dateline("Kyodo", "＝共同")),
        ("ja3".to_string(), None),
        ("ko1".to_string(), dateline("Newsis", "[서울=뉴시스]")),
        ("ko2".to_string(), dateline("Yonhap", "(서울=연합뉴스)")),
        ("ko3".to_string(), None),
        ("zh1".to_string(), dateline("Xinhua", "新华社北京1月1日电")),
        ("zh2".to_string(), dateline("CNA", "（中央社台北1日電）")),
        ("zh3".to_string(), None),
    ];
    assert_eq!(members(&lines), expected);
    // The header counts the new services with the others.
    let wires: Vec<&str> = lines[0]["wires"]
        .as_array()
        .expect("wires")
        .iter()
        .map(|w| w["wire"].as_str().expect("wire"))
        .collect();
    for w in ["Kyodo", "Xinhua", "CNA", "Yonhap", "Newsis"] {
        assert!(wires.contains(&w), "{w} in {wires:?}");
    }
}
