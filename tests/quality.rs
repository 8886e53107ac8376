//! Detection quality on small, real-looking cases: cut copies, boilerplate decoys, Chinese,
//! Japanese and Korean copies, and `neardup eval`.

mod common;

use common::{cluster_ids, run, s, seed_articles, stderr, write_docs, XorShift};
use serde_json::{json, Value};
use std::process::Output;

/// The member ids of each cluster of a run, which must have succeeded.
fn clusters(out: &Output) -> Vec<Vec<String>> {
    assert!(out.status.success(), "{}", stderr(out));
    cluster_ids(&out.stdout)
}

/// Pseudo-English: `n` words from a vocabulary of 2,000 with a Zipf-like skew, as sentences.
fn prose(seed: u64, n: usize) -> String {
    let mut rng = XorShift::new(seed);
    let mut out = String::new();
    for i in 0..n {
        let s = rng.next_u64();
        let r = (s % 1_000_000) as f64 / 1_000_000.0;
        let w = (2000f64.powf(r * r)) as u64; // skewed toward small numbers
        out.push_str(&format!("w{w}"));
        out.push(if i % 14 == 13 { '.' } else { ' ' });
        if i % 14 == 13 {
            out.push(' ');
        }
    }
    out
}

#[test]
fn cut_copies_are_found_in_containment_mode_only() {
    let dir = tempfile::tempdir().unwrap();
    let story = prose(1, 420);
    let words: Vec<&str> = story.split(' ').collect();
    let cut = words[..words.len() * 3 / 10].join(" ");
    let docs = vec![
        json!({"id": "wire", "outlet": "AP", "text": story}),
        json!({"id": "cut", "outlet": "Daily", "text": cut}),
        json!({"id": "captioned", "outlet": "Herald", "text": format!("{} {story}", prose(2, 40))}),
        json!({"id": "other", "outlet": "Herald", "text": prose(3, 400)}),
    ];
    let p = write_docs(dir.path(), "corpus.jsonl", &docs);
    let p = s(&p);
    assert_eq!(
        clusters(&run(&["cluster", p])),
        vec![vec!["wire", "cut", "captioned"]]
    );
    assert_eq!(
        clusters(&run(&["cluster", "--mode", "jaccard", p])),
        vec![vec!["wire", "captioned"]]
    );
}

#[test]
fn boilerplate_does_not_make_unrelated_stories_match() {
    let dir = tempfile::tempdir().unwrap();
    let footer = format!(
        "Related Articles. {} Follow us on social media. All rights reserved.",
        prose(99, 70)
    );
    let byline = "Reporting by Jane Doe in Tokyo; Editing by John Smith";
    let mut docs = Vec::new();
    for i in 0..30 {
        let len = 90 + (i * 7) % 60;
        docs.push(json!({"id": format!("story-{i}"), "outlet": "Times",
                         "text": format!("{byline}. {} {footer}", prose(100 + i as u64, len))}));
    }
    // Bylines alone, each with another reporter: contained in the stories' bylines, but too
    // short for containment to count.
    for (i, name) in ["Jane Doe", "Min-jun Kim", "Wei Zhang", "Maria Garcia"]
        .iter()
        .enumerate()
    {
        let text = format!("Reporting by {name} in Tokyo; Editing by John Smith");
        docs.push(json!({"id": format!("byline-{i}"), "text": text}));
    }
    let p = write_docs(dir.path(), "corpus.jsonl", &docs);
    let p = s(&p);
    assert_eq!(clusters(&run(&["cluster", p])), Vec::<Vec<String>>::new());
    assert_eq!(
        clusters(&run(&["cluster", "--mode", "jaccard", p])),
        Vec::<Vec<String>>::new()
    );
    // Without the size guards, and without outlets (so that nothing is learned as the
    // outlet's boilerplate), each byline is contained in the stories and would match.
    let anonymous: Vec<Value> = docs
        .iter()
        .map(|d| json!({"id": d["id"], "text": d["text"]}))
        .collect();
    let sub = dir.path().join("anonymous");
    std::fs::create_dir(&sub).unwrap();
    let a = write_docs(&sub, "corpus.jsonl", &anonymous);
    let loose = clusters(&run(&[
        "cluster",
        "--min-contained",
        "5",
        "--min-contained-words",
        "0",
        s(&a),
    ]));
    assert!(
        loose
            .iter()
            .any(|c| c.iter().any(|id| id.starts_with("byline"))),
        "{loose:?}"
    );
    // With the boilerplate guard set very low, the footer no longer even yields candidates.
    let out = run(&["cluster", "--max-df", "5", p]);
    let header: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(header["counts"]["boilerplate_samples"].as_u64().unwrap() > 0);
}

#[test]
fn chinese_japanese_and_korean_copies_cluster() {
    let zh = "新华社北京11月26日电 国家统计局26日发布数据显示，今年前十个月全国规模以上工业企业实现利润总额同比增长百分之三点二，其中高技术制造业利润增长明显。专家表示，随着一系列稳增长政策持续发力，工业经济运行总体平稳，企业效益逐步改善，但外部环境依然复杂严峻。";
    let zh_other = "中新网上海11月25日电 上海市气象台发布寒潮蓝色预警，预计未来三天受强冷空气影响，全市气温将下降八到十摄氏度，并伴有六到七级偏北大风。有关部门提醒市民注意防寒保暖，农业生产单位做好防冻措施，出行注意交通安全。";
    let ja = "東京（共同）＝政府は２７日、南海トラフ地震の被害想定を見直し、死者数が最大で約２９万８千人に上るとの推計を公表した。前回の想定から減少したものの、防災対策の遅れが指摘されている。内閣府の有識者会議は、建物の耐震化や津波避難タワーの整備を進めれば被害を大幅に減らせると強調した。";
    let ja_other = "大阪（共同）＝大阪府警は２６日、特殊詐欺グループの拠点を摘発し、男女５人を詐欺の疑いで逮捕したと発表した。高齢者から現金をだまし取った疑いが持たれており、被害総額は数億円に上るとみて捜査を続けている。";
    let ko = "(서울=연합뉴스) 정부는 26일 국무회의에서 내년도 예산안을 의결하고 경기 회복을 위한 재정 지출을 확대하기로 했다고 밝혔다. 기획재정부는 일자리 창출과 취약계층 지원에 중점을 두었으며, 지방 경제 활성화를 위한 사업 예산도 크게 늘렸다고 설명했다. 야당은 재정 건전성 악화를 우려하며 국회 심사 과정에서 꼼꼼히 따지겠다는 입장을 보였다.";
    let ko_other = "(부산=연합뉴스) 부산 해운대구의 한 아파트 단지에서 26일 오후 화재가 발생해 주민 수십 명이 긴급 대피했다. 소방당국은 장비와 인력을 투입해 약 한 시간 만에 불을 완전히 진화했으며, 정확한 화재 원인과 재산 피해 규모를 조사하고 있다.";
    let mixed = "【ニューヨーク共同】米アップル（Apple）のティム・クック（Tim Cook）最高経営責任者（CEO）は２５日、新型iPhoneの販売が好調だと述べた。中国市場での回復が寄与したという。アナリストは年末商戦に向けて需要がさらに伸びると予想している。";
    let docs = vec![
        json!({"id": "zh-1", "text": zh}),
        json!({"id": "zh-2", "text": zh.replace("专家表示", "有专家指出")}),
        json!({"id": "zh-3", "text": zh_other}),
        json!({"id": "ja-1", "text": ja}),
        json!({"id": "ja-2", "text": ja.split('。').take(2).collect::<Vec<_>>().join("。") + "。"}),
        json!({"id": "ja-3", "text": ja_other}),
        json!({"id": "ko-1", "text": ko}),
        json!({"id": "ko-2", "text": ko.replace("크게 늘렸다고", "대폭 늘렸다고")}),
        json!({"id": "ko-3", "text": ko_other}),
        json!({"id": "mixed-1", "text": mixed}),
        json!({"id": "mixed-2", "text": format!("{mixed}（了）")}),
    ];
    let dir = tempfile::tempdir().unwrap();
    let p = write_docs(dir.path(), "corpus.jsonl", &docs);
    let got = clusters(&run(&["cluster", s(&p)]));
    assert_eq!(
        got,
        vec![
            vec!["zh-1", "zh-2"],
            vec!["ja-1", "ja-2"],
            vec!["ko-1", "ko-2"],
            vec!["mixed-1", "mixed-2"],
        ]
    );
}

#[test]
fn eval_scores_labels_and_exact_truth() {
    let seed = seed_articles();
    let seed = s(&seed);
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.tsv");
    std::fs::write(&pairs, "seed-2\tseed-4\n").unwrap();
    let groups = dir.path().join("groups.tsv");
    std::fs::write(
        &groups,
        "id\tgroup\nseed-1\ta\nseed-2\tb\nseed-3\tb\nseed-4\tb\n",
    )
    .unwrap();
    let json = |args: &[&str]| -> Value {
        let out = run(&[&["eval", "-q", "--format", "json", seed][..], args].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = json(&["--labels", s(&pairs)]);
    assert_eq!(v["scores"]["precision"], 1.0);
    assert_eq!(v["scores"]["recall"], 1.0);
    assert_eq!(v["ari"], 1.0);
    let v = json(&["--labels", s(&groups)]);
    assert_eq!(v["scores"]["truth_pairs"], 3);
    assert_eq!(v["scores"]["found_pairs"], 1);
    assert_eq!(v["worst_misses"].as_array().unwrap().len(), 2);
    let v = json(&["--exact"]);
    assert_eq!(v["scores"]["truth_pairs"], 1);
    assert_eq!(v["scores"]["recall"], 1.0);
    assert_eq!(v["by_kind"][0]["kind"], "jaccard>=0.9");
    let text = run(&["eval", "-q", seed, "--exact"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("recall      1.0000"));
}
