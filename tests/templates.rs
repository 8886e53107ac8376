//! Template items kept apart from syndication: near-identical texts that are different news
//! (Reuters dividend notices of different companies, the daily "Fed adds reserves" report, one
//! product notice for several phone models) are not one wire story in `cluster`, and `dedupe`
//! keeps each of them unless told `--templates remove`; copies of one story stay one cluster.

mod common;

use common::{
    cluster_id_sets, json_lines, run, s, seed_articles, skip_or_fail, stderr, write_lines,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

const REUTERS: &str = "/work/shared/corpora/reuters21578.jsonl.gz";
const DIVIDENDS: [&str; 4] = [
    "reuters-3734",
    "reuters-4025",
    "reuters-5546",
    "reuters-7782",
];

fn cluster_file(input: &Path, dir: &Path) -> (Value, Vec<BTreeSet<String>>) {
    let out = dir.join("clusters.jsonl");
    let o = run(&["cluster", "-q", s(input), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    let header = json_lines(&bytes).remove(0);
    (header, cluster_id_sets(&bytes))
}

/// The ids `dedupe` keeps with `args`.
fn kept(input: &Path, dir: &Path, args: &[&str]) -> BTreeSet<String> {
    let out = dir.join("kept.jsonl");
    let mut all = vec!["dedupe", "-q", s(input), "-o", s(&out)];
    all.extend(args);
    let o = run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    json_lines(&std::fs::read(&out).unwrap())
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// Part of Reuters-21578: its first 3,000 articles, every dividend notice that starts "Qtly
/// div" and every "FED ADDS RESERVES" report (the whole corpus takes minutes in a debug build;
/// the same clusters form in this part). Returns the file and the ids of the Fed reports.
fn reuters_part(dir: &Path) -> Option<(PathBuf, Vec<(String, String)>)> {
    if !Path::new(REUTERS).exists() {
        skip_or_fail(&format!("{REUTERS} is absent"));
        return None;
    }
    let file = std::fs::File::open(REUTERS).unwrap();
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let mut lines = Vec::new();
    let mut fed = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        let title = v["title"].as_str().unwrap_or("");
        let text = v["text"].as_str().unwrap_or("");
        if title.contains("FED ADDS RESERVES") {
            fed.push((
                v["id"].as_str().unwrap().to_string(),
                v["date"].as_str().unwrap().to_string(),
            ));
        }
        if i < 3000 || text.starts_with("Qtly div") || title.contains("FED ADDS RESERVES") {
            lines.push(line);
        }
    }
    Some((write_lines(dir, "reuters-part.jsonl", &lines), fed))
}

#[test]
fn reuters_dividend_notices_and_daily_fed_reports_are_not_wire_stories() {
    let dir = tempfile::tempdir().unwrap();
    let Some((input, fed)) = reuters_part(dir.path()) else {
        return;
    };
    // Near-identical texts: with `--templates remove` dedupe keeps one of the four notices.
    let together = kept(&input, dir.path(), &["--templates", "remove"]);
    let left: Vec<_> = DIVIDENDS
        .iter()
        .filter(|d| together.contains(**d))
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let fed_left = fed.iter().filter(|(id, _)| together.contains(id)).count();
    assert!(
        fed_left < fed.len() - 4,
        "{fed_left} of {} Fed reports",
        fed.len()
    );

    let (header, found) = cluster_file(&input, dir.path());
    for c in &found {
        let dividends: Vec<_> = DIVIDENDS.iter().filter(|d| c.contains(**d)).collect();
        assert!(dividends.len() < 2, "one cluster: {dividends:?}");
        // Reports of different days are different news. One pair stays together: 19 and 20
        // March differ only by "six pct" against "6-1/16 pct", a number against a word, which
        // is also how a copy's edit looks (see `template`).
        let days: BTreeSet<&str> = fed
            .iter()
            .filter(|(id, _)| c.contains(id))
            .map(|(_, date)| date.split(' ').next().unwrap())
            .collect();
        assert!(
            days.len() < 3,
            "Fed reports of {days:?} in one cluster {c:?}"
        );
    }
    let counts = &header["counts"];
    assert!(counts["templates"].as_u64().unwrap() >= 2, "{counts}");
    assert!(
        counts["template_items"].as_u64().unwrap() >= 4 + 7,
        "{counts}"
    );

    // By default dedupe loses none of the notices.
    let apart = kept(&input, dir.path(), &[]);
    for d in DIVIDENDS {
        assert!(apart.contains(d), "{d} removed");
    }
    // All the Fed reports but one copy of the pair of 19 and 20 March.
    let fed_kept = fed.iter().filter(|(id, _)| apart.contains(id)).count();
    assert_eq!(
        fed_kept,
        fed.len() - 1,
        "{fed_kept} of {} Fed reports kept",
        fed.len()
    );
    assert_eq!(kept(&input, dir.path(), &["--templates", "keep"]), apart);
}

fn article(id: &str, outlet: &str, date: &str, title: &str, text: &str) -> String {
    json!({"id": id, "outlet": outlet, "date": date, "title": title, "text": text}).to_string()
}

/// Checks that the `notices` (ids) are near-identical (dedupe `--templates remove` keeps one)
/// and kept apart by default, while the `copies` (ids) of one story stay one cluster.
fn check_apart(lines: &[String], notices: &[&str], copies: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "news.jsonl", lines);
    let together = kept(&input, dir.path(), &["--templates", "remove"]);
    assert_eq!(
        notices.iter().filter(|n| together.contains(**n)).count(),
        1,
        "the notices are near-identical texts"
    );
    let (header, found) = cluster_file(&input, dir.path());
    for c in &found {
        let n = notices.iter().filter(|n| c.contains(**n)).count();
        assert!(n < 2, "notices of different items in one cluster: {c:?}");
    }
    let copies: BTreeSet<String> = copies.iter().map(|c| c.to_string()).collect();
    assert!(found.contains(&copies), "{found:?}");
    assert_eq!(header["counts"]["templates"], 1, "{}", header["counts"]);
    let apart = kept(&input, dir.path(), &[]);
    for n in notices {
        assert!(apart.contains(*n), "{n} removed");
    }
}

#[test]
fn japanese_product_notices_for_different_models_are_apart() {
    let notice = |model: &str| {
        format!(
            "{model}向けの最新ソフトウェア更新の配信が本日から始まりました。今回の更新ではカメラの撮影機能が改善され、\
             暗い場所での画質が向上しています。また電池の持ちが良くなり、通信の安定性も高まりました。\
             更新は設定画面のシステム項目から行えます。更新の前には必ずデータのバックアップを取ってください。\
             更新にかかる時間は通信環境によって異なります。詳しくは公式サイトのサポートページをご覧ください。"
        )
    };
    let story = "政府は十五日、来年度の予算案で子育て支援の拡充に重点を置く方針を固めた。保育施設の整備や\
                 児童手当の増額を盛り込み、少子化対策を加速させる狙いがある。財源については社会保険料の見直しなどで\
                 確保する考えで、年末までに具体案をまとめる。野党からは財源の裏付けが不十分だとの批判も出ている。\
                 首相は記者団に対し、将来世代への投資として必要な施策だと強調した。";
    let copy = format!("{story}（共同）");
    let lines = vec![
        article(
            "ja-1",
            "ケータイ速報",
            "2024-03-01",
            "Galaxy S24に更新配信",
            &notice("Galaxy S24"),
        ),
        article(
            "ja-2",
            "ケータイ速報",
            "2024-03-01",
            "AQUOS sense8に更新配信",
            &notice("AQUOS sense8"),
        ),
        article(
            "ja-3",
            "ケータイ速報",
            "2024-03-01",
            "Xperia 10 Vに更新配信",
            &notice("Xperia 10 V"),
        ),
        article(
            "ja-4",
            "東京新聞",
            "2024-03-15",
            "子育て支援を拡充へ",
            story,
        ),
        article(
            "ja-5",
            "北海道新聞",
            "2024-03-15",
            "子育て支援を拡充へ 来年度予算案",
            &copy,
        ),
    ];
    check_apart(&lines, &["ja-1", "ja-2", "ja-3"], &["ja-4", "ja-5"]);
}

#[test]
fn chinese_and_korean_company_announcements_are_apart() {
    let zh = "本公司董事会于近日召开会议，审议通过了二零二三年度利润分配方案。公司拟以总股本为基数，\
              向全体股东每十股派发现金红利三元，不送红股，不以资本公积金转增股本。本次权益分派股权登记日为\
              三月二十日，除息日为三月二十一日。公司全体董事保证公告内容真实、准确和完整，没有虚假记载。";
    let zh_story = "国家统计局十五日发布数据显示，今年前两个月全国规模以上工业增加值同比增长百分之七，\
                    增速比去年全年加快。其中制造业增长较快，高技术制造业增加值增长明显。专家表示，\
                    工业生产稳中有升，经济运行开局良好，但外部环境仍然复杂严峻，需要继续巩固回升向好的态势。";
    let lines = vec![
        article(
            "zh-1",
            "证券时报",
            "2024-03-10",
            "华夏银行关于利润分配的公告",
            zh,
        ),
        article(
            "zh-2",
            "证券时报",
            "2024-03-10",
            "招商轮船关于利润分配的公告",
            zh,
        ),
        article(
            "zh-3",
            "新华网",
            "2024-03-15",
            "前两月工业增加值增长百分之七",
            zh_story,
        ),
        article(
            "zh-4",
            "人民网",
            "2024-03-15",
            "前两月工业增加值增长百分之七",
            &format!("{zh_story}（新华社）"),
        ),
    ];
    check_apart(&lines, &["zh-1", "zh-2"], &["zh-3", "zh-4"]);

    let ko = "이사회는 2023년 회계연도 결산 배당으로 보통주 1주당 현금 500원을 지급하기로 결의했다. \
              배당 기준일은 3월 20일이며 배당금은 주주총회 승인 후 한 달 이내에 지급될 예정이다. \
              회사는 앞으로도 안정적인 배당 정책을 유지하고 주주 가치를 높이기 위해 노력하겠다고 밝혔다. \
              자세한 내용은 전자공시시스템에 게시된 공시를 참고하면 된다.";
    let ko_story = "정부는 15일 내년도 예산안에서 저출생 대응을 위한 지원을 크게 늘리기로 했다고 밝혔다. \
                    보육 시설 확충과 아동 수당 인상이 포함됐으며 재원은 지출 구조조정으로 마련할 계획이다. \
                    야당은 재원 대책이 부족하다고 비판했고 정부는 미래 세대를 위한 투자라고 강조했다. \
                    세부 방안은 연말까지 확정될 예정이다.";
    let lines = vec![
        article(
            "ko-1",
            "연합인포맥스",
            "2024-03-10",
            "삼성전자 현금배당 결정",
            ko,
        ),
        article(
            "ko-2",
            "연합인포맥스",
            "2024-03-10",
            "현대자동차 현금배당 결정",
            ko,
        ),
        article(
            "ko-3",
            "연합뉴스",
            "2024-03-15",
            "저출생 지원 대폭 확대",
            ko_story,
        ),
        article(
            "ko-4",
            "한겨레",
            "2024-03-15",
            "저출생 지원 대폭 확대",
            &format!("(서울=연합뉴스) {ko_story}"),
        ),
    ];
    check_apart(&lines, &["ko-1", "ko-2"], &["ko-3", "ko-4"]);
}

#[test]
fn the_seed_ap_story_is_still_one_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_articles();
    let (header, found) = cluster_file(&seed, dir.path());
    let pair: BTreeSet<String> = ["seed-2", "seed-4"].map(String::from).into();
    assert!(found.contains(&pair), "{found:?}");
    assert_eq!(header["counts"]["templates"], 0);
}
