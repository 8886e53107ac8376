//! The Japanese, Chinese and Korean archives of `neardup gen --lang ja|zh|ko`.
//!
//! Owns: the language tables (characters, particles, outlets, footers, notices, cities, wire
//! credits) and the shapes of CJK articles and their copies. Must not: depend on the thread
//! count (document `i` is a pure function of `(seed, i, lang)`), or change the English archive.
//!
//! What an archive contains, in each language:
//! - **Text with realistic character statistics.** A vocabulary of 20,000 words with Zipf
//!   frequencies (exponent 1), each word built from a Zipf distribution over a few thousand
//!   characters picked by a seeded draw: Chinese words of 1 to 4 Han characters (mostly 2) from
//!   3,500 of U+4E00..U+9FA5, the most frequent words being single-character function words;
//!   Japanese kanji words (1 to 3 of 2,000 kanji) joined by hiragana particles and okurigana,
//!   with katakana loanwords (2 to 5 characters), no spaces, `、` and `。`; Korean words of 1 to
//!   4 of 2,000 Hangul syllables with particles attached (`은/는`, `이/가`, `을/를` chosen by
//!   the final consonant), separated by spaces, sentences ending in `.`. Quotations: `「」` in
//!   Japanese, `“”` in Chinese, `"` in Korean.
//! - **Articles** of 400 to 1,500 characters (median about 850) in Japanese and Chinese, 150 to
//!   450 words in Korean, in paragraphs of 2 to 4 sentences, one paragraph a line, with a title
//!   in the same script and the date of their index (as in English).
//! - **20 outlets** per language, each with its own channel footer (one or two lines, 60 to 200
//!   characters) appended to every document it publishes, copies included. The last six are
//!   lifestyle channels, with longer footers and more short articles and notices.
//! - **Notices**: about 10% of documents end (before the footer) with one of four fixed notices
//!   ("this giveaway has ended", "members only", ...): 25% of the channels' documents (half of
//!   those the giveaway notice), 4% of the others'.
//! - **Short originals**: 5% of originals (12% of the channels', 2% of the others') are one or
//!   two sentences (40 to 120 characters), so that footer and notice are most of their text.
//! - **Wire stories**: 60% of the other originals carry a wire credit in the forms the papers
//!   print: Japanese `【ワシントン共同】` at the head or `＝共同` / `（時事）` at the end; Chinese
//!   `新华社北京1月1日电（记者…）` at the head or `（新华社）` at the end; Korean
//!   `(서울=연합뉴스) 홍길동 기자 =`, `[부산=뉴시스]` or `(서울=뉴스1) … 기자 =` at the head.
//! - **Copies** (the `dup_rate` share) of an earlier story, each run by another outlet (with
//!   that outlet's footer) and changed as in English: a photo caption in front, cut after the
//!   first paragraphs (down to the lead alone), a few words edited, a local paragraph added,
//!   other quote marks (`「」` and `“”` swapped; `"` made curly in Korean).
//! - **Shared leads**: 1% of originals are a different, longer story that starts with the lead
//!   paragraph of an earlier story, then goes on with its own paragraphs. Copies of the
//!   earlier story cut to its lead are then contained in both (a copy of the shared-lead story
//!   keeps at least its lead and the paragraph after, so that no two copies of different
//!   stories are the same text).
//!
//! Ids are `ja-N`, `zh-N`, `ko-N`; the labels give each document the id of the original whose
//! story it tells (short originals and shared-lead stories are stories of their own).

use super::{GenConfig, GenDoc, Lang, Rng};
use std::collections::HashSet;

/// The Han characters the Chinese and Japanese pools are drawn from (the unified block as
/// assigned since Unicode 1.1).
const HAN: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FA5;
/// Words in each main vocabulary.
const VOCAB: usize = 20_000;
/// The flattening of the character distribution (see [`zipf_mandelbrot_cdf`]).
const CHAR_SHIFT: f64 = 10.0;
/// Outlets from this index on are lifestyle channels: a longer footer, more short articles
/// (12% of their originals, 2% elsewhere) and more notices (25% of their documents, half of them
/// the giveaway notice; 4% elsewhere), the mix that made false clusters on real archives.
const CHANNELS: usize = 14;
/// How far back (in documents) a copy or a shared lead looks for its original.
const LOOKBACK: u64 = 2000;

/// Zipf (exponent 1) cumulative distribution over `n` ranks.
fn zipf_cdf(n: usize) -> Vec<f64> {
    zipf_mandelbrot_cdf(n, 0.0)
}

/// Zipf-Mandelbrot cumulative distribution over `n` ranks: rank `r` has weight `1 / (r + q)`
/// (exponent 1, the head flattened by `q`). Characters are drawn this way, so that the most
/// frequent words, not one character, make the head of the character distribution.
fn zipf_mandelbrot_cdf(n: usize, q: f64) -> Vec<f64> {
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0;
    for r in 1..=n {
        total += 1.0 / (r as f64 + q);
        cdf.push(total);
    }
    for c in &mut cdf {
        *c /= total;
    }
    cdf
}

/// A rank drawn from `cdf`.
fn draw(cdf: &[f64], rng: &mut Rng) -> usize {
    let u = rng.unit();
    cdf.partition_point(|&c| c < u).min(cdf.len() - 1)
}

/// One of `xs`, uniformly.
fn pick<'a>(rng: &mut Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len() as u64) as usize]
}

/// Words with Zipf frequencies: the first are the most frequent.
struct Lexicon {
    items: Vec<String>,
    cdf: Vec<f64>,
}

impl Lexicon {
    fn new(items: Vec<String>) -> Lexicon {
        let cdf = zipf_cdf(items.len());
        Lexicon { items, cdf }
    }

    fn draw(&self, rng: &mut Rng) -> &str {
        &self.items[draw(&self.cdf, rng)]
    }

    /// `n` distinct words after `fixed`, of `len(rng)` characters from `chars`, each character
    /// drawn with Zipf frequencies over the order of `chars`.
    fn built(
        rng: &mut Rng,
        fixed: &[&str],
        chars: &[char],
        n: usize,
        len: impl Fn(&mut Rng) -> usize,
    ) -> Lexicon {
        let char_cdf = zipf_mandelbrot_cdf(chars.len(), CHAR_SHIFT);
        let mut seen: HashSet<String> = fixed.iter().map(|s| s.to_string()).collect();
        let mut items: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        let mut tries = 0usize;
        while items.len() < fixed.len() + n && tries < 50 * n {
            tries += 1;
            let k = len(rng);
            let w: String = (0..k).map(|_| chars[draw(&char_cdf, rng)]).collect();
            if seen.insert(w.clone()) {
                items.push(w);
            }
        }
        Lexicon::new(items)
    }
}

/// `n` distinct characters made by `make`, in the order first made.
fn distinct_chars(rng: &mut Rng, n: usize, make: impl Fn(&mut Rng) -> char) -> Vec<char> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut tries = 0usize;
    while out.len() < n && tries < 100 * n {
        tries += 1;
        let c = make(rng);
        if seen.insert(c) {
            out.push(c);
        }
    }
    out
}

/// A Han character of the unified block.
fn han(rng: &mut Rng) -> char {
    let span = u64::from(HAN.end() - HAN.start() + 1);
    char::from_u32(HAN.start() + rng.below(span) as u32).unwrap_or('\u{4E00}')
}

/// A Hangul syllable with a common shape: any initial, a common vowel, no final consonant
/// half of the time, else one of the seven common finals.
fn hangul(rng: &mut Rng) -> char {
    const VOWELS: [u32; 16] = [0, 4, 8, 13, 18, 20, 1, 5, 12, 17, 6, 2, 9, 14, 19, 11];
    const FINALS: [u32; 7] = [4, 8, 21, 16, 1, 17, 19];
    let initial = rng.below(19) as u32;
    let vowel = VOWELS[rng.below(VOWELS.len() as u64) as usize];
    let fin = if rng.below(2) == 0 {
        0
    } else {
        FINALS[rng.below(FINALS.len() as u64) as usize]
    };
    char::from_u32(0xAC00 + (initial * 21 + vowel) * 28 + fin).unwrap_or('\u{AC00}')
}

/// True when the Hangul syllable `c` ends in a consonant (takes 은, 이, 을, 과, 으로).
fn has_final(c: char) -> bool {
    let u = c as u32;
    (0xAC00..=0xD7A3).contains(&u) && !(u - 0xAC00).is_multiple_of(28)
}

// ---------------------------------------------------------------------------------------------
// The language tables.
// ---------------------------------------------------------------------------------------------

/// What differs between the three languages, apart from the sentence builders.
struct Table {
    /// Prefix of the ids.
    prefix: &'static str,
    /// Invented outlets, in the script.
    outlets: [&'static str; 20],
    /// First parts of the footers (`{n}` is the outlet's name).
    footer_a: &'static [&'static str],
    /// Second parts of the footers.
    footer_b: &'static [&'static str],
    /// The third part of the channels' footers (see [`CHANNELS`]).
    footer_c: &'static str,
    /// Fixed notices appended to some documents before the footer.
    notices: &'static [&'static str],
    /// Datelines of wire stories; from `foreign` on, abroad.
    cities: &'static [&'static str],
    /// Index of the first foreign city.
    foreign: usize,
    /// Wire services.
    agencies: &'static [&'static str],
    /// Family names for quotes and bylines.
    surnames: &'static [&'static str],
}

const JA: Table = Table {
    prefix: "ja",
    outlets: [
        "東邦新聞",
        "北海日報",
        "中央タイムズ",
        "関西毎朝新聞",
        "瀬戸内新報",
        "信濃日日",
        "九州民報",
        "東都経済新聞",
        "みなと新聞",
        "日本ニュース通信",
        "上州タイムス",
        "南海日日新聞",
        "北陸朝報",
        "常磐新報",
        "山陰中央報",
        "あさひが丘新聞",
        "湘南デイリー",
        "奥州日報",
        "ライフスタイル通信",
        "トレンドニュース速報",
    ],
    footer_a: &[
        "この記事は{n}が配信しています。記事・写真・図表の無断転載を禁じます。",
        "{n}の記事、写真、イラストなどの著作権は{n}またはその情報提供者に帰属します。",
        "【{n}】ニュースの最新情報は{n}デジタル版でご覧いただけます。",
        "本記事は{n}編集部が取材・執筆したものです。内容の無断複製・転載を禁止します。",
        "ご意見・ご感想は{n}読者センターまでお寄せください。",
    ],
    footer_b: &[
        "すべての内容は日本の著作権法並びに国際条約により保護されています。",
        "ニュースの情報提供は公式アプリの投稿フォームから受け付けています。",
        "有料会員になると、すべての記事をお読みいただけます。今なら初月無料です。",
        "最新のニュースは公式アカウントでも配信中です。フォローをお願いします。",
    ],
    footer_c: "掲載している情報は取材時点のものであり、商品の価格や仕様、サービス内容などは予告なく変更される場合があります。",
    notices: &[
        "このプレゼント企画は終了しました。たくさんのご応募ありがとうございました。",
        "※この記事は会員限定です。続きは会員登録の上でお読みいただけます。",
        "本記事の内容は掲載時点のものです。最新の情報は各公式サイトでご確認ください。",
        "【お知らせ】紙面の都合により、本日の連載はお休みします。",
    ],
    cities: &[
        "大阪",
        "名古屋",
        "札幌",
        "福岡",
        "那覇",
        "仙台",
        "ワシントン",
        "北京",
        "ソウル",
        "ニューヨーク",
        "ロンドン",
        "パリ",
        "モスクワ",
        "上海",
        "ベルリン",
        "シドニー",
    ],
    foreign: 6,
    agencies: &["共同", "時事"],
    surnames: &[
        "佐藤",
        "鈴木",
        "高橋",
        "田中",
        "伊藤",
        "渡辺",
        "山本",
        "中村",
        "小林",
        "加藤",
        "吉田",
        "山田",
        "佐々木",
        "山口",
        "松本",
        "井上",
        "木村",
        "林",
        "清水",
        "斎藤",
    ],
};

const ZH: Table = Table {
    prefix: "zh",
    outlets: [
        "星城日报",
        "滨海晨报",
        "金陵时报",
        "蓉城快报",
        "塞北新闻网",
        "湘江晚报",
        "闽南商报",
        "云岭都市报",
        "黄河新闻网",
        "珠江时讯",
        "松花江日报",
        "东方财经报",
        "高原时报",
        "太湖晨刊",
        "渤海日报",
        "天山时报",
        "洞庭快讯",
        "泰山晚报",
        "长白山新闻",
        "钱塘都市报",
    ],
    footer_a: &[
        "本文来源：{n}。未经授权，禁止转载、摘编、复制或建立镜像，违者必究。",
        "{n}版权所有，未经书面许可不得转载、摘编或以其他方式使用。",
        "更多精彩内容，请关注{n}官方客户端及微信公众号，每日推送本地要闻。",
        "本文由{n}原创，转载请注明出处，并保留作者署名及原文链接。",
        "{n}新闻热线欢迎广大读者提供新闻线索，一经采用，即付稿酬。",
    ],
    footer_b: &[
        "凡本网注明来源的作品，版权均属于本网，转载时须注明出处，违者本网将依法追究责任。",
        "欢迎下载客户端，第一时间获取最新资讯与深度报道，参与互动评论，分享身边的新鲜事。",
        "本网所刊载内容仅供参考，不构成任何投资建议，据此操作风险自担。",
        "扫描二维码关注我们的官方账号，获取更多本地新闻与生活服务信息。",
    ],
    footer_c: "本频道所载商品价格、活动信息及服务内容均以商家实际公布为准，如有变动恕不另行通知，敬请读者谅解。",
    notices: &[
        "本次抽奖活动已结束，感谢大家的积极参与。",
        "本文仅代表作者观点，不代表本网立场。",
        "以上内容为截至发稿时的信息，最新情况请以官方发布为准。",
        "【温馨提示】本栏目今日暂停更新，敬请谅解。",
    ],
    cities: &[
        "北京",
        "上海",
        "广州",
        "深圳",
        "武汉",
        "成都",
        "南京",
        "杭州",
        "西安",
        "华盛顿",
        "东京",
        "首尔",
        "伦敦",
        "巴黎",
        "莫斯科",
    ],
    foreign: 9,
    agencies: &["新华社", "中新社"],
    surnames: &[
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
        "郭", "何", "林", "高", "罗",
    ],
};

const KO: Table = Table {
    prefix: "ko",
    outlets: [
        "한빛일보",
        "서해신문",
        "동해경제",
        "누리뉴스",
        "가람일보",
        "새벽타임즈",
        "한울신문",
        "바다일보",
        "온누리경제",
        "하늘뉴스",
        "푸른신문",
        "미래일보",
        "대한투데이",
        "중앙매일",
        "해오름신문",
        "남도일보",
        "솔빛뉴스",
        "다온경제",
        "별빛신문",
        "한강타임스",
    ],
    footer_a: &[
        "ⓒ {n}, 무단 전재 및 재배포 금지. 기사 문의는 편집국으로 연락 바랍니다.",
        "<저작권자 ⓒ {n}, 무단전재 및 재배포 금지>",
        "{n} 기사 제보는 카카오톡 또는 전화로 보내주세요.",
        "이 기사는 {n}의 자체 취재로 작성되었습니다.",
        "{n} 구독하기를 누르시면 최신 뉴스를 받아보실 수 있습니다.",
    ],
    footer_b: &[
        "기사의 저작권은 해당 언론사에 있으며, 무단 복제와 배포를 금합니다.",
        "독자 여러분의 소중한 제보를 기다립니다. 제보된 내용은 철저히 비밀이 보장됩니다.",
        "지금 회원으로 가입하시면 모든 기사를 무료로 보실 수 있으며, 뉴스레터도 받아보실 수 있습니다.",
        "공식 채널을 구독하시고 오늘의 주요 뉴스를 가장 먼저 받아보세요.",
    ],
    footer_c: "게재된 상품 가격과 이벤트 정보는 취재 시점 기준이며 사전 예고 없이 변경될 수 있습니다.",
    notices: &[
        "이 이벤트는 종료되었습니다. 많은 참여에 감사드립니다.",
        "이 기사는 유료 회원 전용입니다. 전체 기사는 회원 가입 후 이용하실 수 있습니다.",
        "본 기사의 내용은 작성 시점 기준이며, 최신 정보는 공식 홈페이지에서 확인하시기 바랍니다.",
        "[알림] 지면 사정으로 오늘 연재는 쉽니다.",
    ],
    cities: &[
        "서울",
        "부산",
        "대구",
        "인천",
        "광주",
        "대전",
        "울산",
        "세종",
        "수원",
        "워싱턴",
        "베이징",
        "도쿄",
        "런던",
        "파리",
        "뉴욕",
    ],
    foreign: 9,
    agencies: &["연합뉴스", "뉴시스", "뉴스1"],
    surnames: &[
        "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권",
        "황", "안", "송", "류", "홍",
    ],
};

/// Chinese function words, the most frequent words of the vocabulary, most frequent first.
const ZH_FUNCTION: &[&str] = &[
    "的", "了", "在", "是", "和", "有", "也", "不", "都", "与", "对", "将", "被", "从", "等", "这",
    "为", "以", "而", "及", "并", "但", "其", "中", "上", "到", "要", "会", "已", "由",
];
/// Units after numbers.
const ZH_COUNTERS: &[&str] = &["人", "元", "年", "月", "日", "件", "%", "亿元", "万人"];
/// Verbs that introduce a quotation.
const ZH_SAY: &[&str] = &["表示", "指出", "强调", "说", "介绍"];

/// The most frequent Japanese kanji words, most frequent first.
const JA_COMMON: &[&str] = &[
    "日本", "政府", "同", "年", "県", "市", "氏", "者", "人", "今回", "会社", "首相", "国", "事業",
    "問題", "発表", "関係", "必要", "可能", "対応",
];
/// Japanese particles, most frequent first.
const JA_PARTICLES: &[&str] = &[
    "の",
    "に",
    "は",
    "を",
    "が",
    "で",
    "と",
    "も",
    "から",
    "へ",
    "まで",
    "より",
    "や",
    "について",
    "として",
    "による",
];
/// Verb forms (okurigana) between phrases.
const JA_LINKS: &[&str] = &[
    "して",
    "され",
    "した",
    "する",
    "している",
    "しており",
    "しながら",
    "となり",
    "であり",
    "ており",
];
/// Sentence endings.
const JA_ENDINGS: &[&str] = &[
    "した",
    "する",
    "している",
    "された",
    "です",
    "となった",
    "を発表した",
    "と述べた",
    "という",
    "を明らかにした",
    "が決まった",
    "の見通しだ",
    "に達した",
    "を始めた",
    "しました",
    "します",
];
/// Hiragana nouns and pronouns.
const JA_KANA_WORDS: &[&str] = &[
    "こと",
    "ため",
    "もの",
    "よう",
    "これ",
    "それ",
    "ところ",
    "とき",
    "ほか",
];
/// Units after numbers.
const JA_COUNTERS: &[&str] = &["人", "円", "年", "月", "日", "件", "％", "億円", "万人"];
/// Titles after a quoted speaker's name.
const JA_HONORIFICS: &[&str] = &["氏", "社長", "大臣", "教授", "知事", "代表"];
/// Verbs after a quotation.
const JA_SAY: &[&str] = &["述べた", "話した", "強調した", "語った"];
/// Katakana for loanwords.
const KATAKANA: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンガギグゲゴザジズゼゾダデドバビブベボパピプペポ";

/// The most frequent Korean words, most frequent first.
const KO_COMMON: &[&str] = &[
    "수", "등", "및", "그", "이번", "것", "더", "또", "지난", "같은", "위해", "대한", "통해",
    "있는", "관련", "정부", "올해", "최근", "가장", "현재",
];
/// Korean particles after a final consonant, most frequent first.
const KO_PARTICLES_FINAL: &[&str] = &[
    "은", "이", "을", "의", "에", "에서", "과", "으로", "도", "만", "까지", "에게",
];
/// The same particles after a vowel.
const KO_PARTICLES_OPEN: &[&str] = &[
    "는", "가", "를", "의", "에", "에서", "와", "로", "도", "만", "까지", "에게",
];
/// Sentence endings (attached, or a word of their own when they start with a space).
const KO_ENDINGS: &[&str] = &[
    "했다",
    "한다",
    "됐다",
    "밝혔다",
    "전했다",
    "설명했다",
    "강조했다",
    "있다",
    "예정이다",
    " 것으로 알려졌다",
    " 계획이다",
];
/// Units after numbers.
const KO_COUNTERS: &[&str] = &["명", "원", "년", "월", "일", "건", "%", "억원", "만명"];
/// Titles after a quoted speaker's name.
const KO_SPEAKERS: &[&str] = &["씨는", "대표는", "장관은", "교수는", "위원장은"];
/// Verbs after a quotation.
const KO_SAY: &[&str] = &["말했다", "밝혔다", "강조했다", "설명했다"];

// ---------------------------------------------------------------------------------------------
// The generator.
// ---------------------------------------------------------------------------------------------

/// What an original is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A copy of an earlier story.
    Copy,
    /// One or two sentences.
    Short,
    /// Starts with the lead of an earlier story.
    SharedLead,
    /// An article.
    Plain,
}

/// A story before a copy changes it.
struct Story {
    paras: Vec<String>,
    /// A credit at the end of the story (`＝共同`), kept by every copy.
    tail: Option<String>,
    title: String,
    /// Its wire service.
    agency: Option<&'static str>,
}

/// The vocabulary and tables of one language, built once per run.
pub(super) struct Cjk {
    lang: Lang,
    config: GenConfig,
    table: &'static Table,
    /// Kanji words (ja), words of Han characters (zh), of Hangul syllables (ko).
    words: Lexicon,
    /// Katakana loanwords (ja only).
    kata: Lexicon,
    /// Characters given names are made of.
    name_chars: Vec<char>,
    /// `JA_PARTICLES` or the Korean particles' ranks, Zipf.
    particle_cdf: Vec<f64>,
    /// The footer of each outlet.
    footers: Vec<String>,
}

impl Cjk {
    /// Builds the vocabulary of `lang` (not `Lang::En`) for `config`.
    pub(super) fn new(config: GenConfig, lang: Lang) -> Cjk {
        let mut rng = Rng::new(config.seed, 100 + lang as u64, 0);
        let (table, words, kata, name_chars, particles) = match lang {
            Lang::Ja => {
                let kanji = distinct_chars(&mut rng, 2000, han);
                let words =
                    Lexicon::built(&mut rng, JA_COMMON, &kanji, VOCAB, |r| match r.below(20) {
                        0..=3 => 1,
                        4..=16 => 2,
                        _ => 3,
                    });
                let kana: Vec<char> = KATAKANA.chars().collect();
                let kata = Lexicon::built(&mut rng, &[], &kana, 3000, |r| 2 + r.below(4) as usize);
                // Some loanwords have a long vowel mark.
                let kata = Lexicon::new(
                    kata.items
                        .into_iter()
                        .enumerate()
                        .map(|(k, w)| {
                            if k % 4 == 1 {
                                let mut cs: Vec<char> = w.chars().collect();
                                cs.insert(1 + k % (cs.len() - 1).max(1), 'ー');
                                cs.into_iter().collect()
                            } else {
                                w
                            }
                        })
                        .collect(),
                );
                (&JA, words, kata, kanji, JA_PARTICLES.len())
            }
            Lang::Zh => {
                let chars = distinct_chars(&mut rng, 3500, han);
                let words = Lexicon::built(&mut rng, ZH_FUNCTION, &chars, VOCAB, |r| {
                    match r.below(50) {
                        0..=3 => 1,
                        4..=38 => 2,
                        39..=45 => 3,
                        _ => 4,
                    }
                });
                (&ZH, words, Lexicon::new(Vec::new()), chars, 0)
            }
            _ => {
                let syllables = distinct_chars(&mut rng, 2000, hangul);
                let words = Lexicon::built(&mut rng, KO_COMMON, &syllables, VOCAB, |r| {
                    match r.below(50) {
                        0..=5 => 1,
                        6..=30 => 2,
                        31..=44 => 3,
                        _ => 4,
                    }
                });
                (
                    &KO,
                    words,
                    Lexicon::new(Vec::new()),
                    syllables,
                    KO_PARTICLES_FINAL.len(),
                )
            }
        };
        let footers = (0..table.outlets.len())
            .map(|k| {
                let name = table.outlets[k];
                let a = table.footer_a[k % table.footer_a.len()].replace("{n}", name);
                let b = table.footer_b[(k / table.footer_a.len()) % table.footer_b.len()];
                // Even outlets print the footer on two lines, odd ones on one.
                let sep = if k % 2 == 0 {
                    "\n"
                } else if lang == Lang::Ko {
                    " "
                } else {
                    ""
                };
                if k >= CHANNELS {
                    let c = table.footer_c;
                    let sep2 = if lang == Lang::Ko { " " } else { "" };
                    format!("{a}{sep}{b}{sep2}{c}")
                } else {
                    format!("{a}{sep}{b}")
                }
            })
            .collect();
        Cjk {
            lang,
            config,
            table,
            words,
            kata,
            name_chars,
            particle_cdf: zipf_cdf(particles.max(1)),
            footers,
        }
    }

    // --- Text -----------------------------------------------------------------------------

    /// A person's name: a family name and one or two given characters (Korean: two).
    fn name(&self, rng: &mut Rng, out: &mut String) {
        out.push_str(pick(rng, self.table.surnames));
        let n = if self.lang == Lang::Ko {
            2
        } else {
            1 + rng.below(2)
        };
        for _ in 0..n {
            out.push(self.name_chars[rng.below(self.name_chars.len() as u64) as usize]);
        }
    }

    /// A number with a unit.
    fn number(&self, rng: &mut Rng, out: &mut String) {
        let counters = match self.lang {
            Lang::Ja => JA_COUNTERS,
            Lang::Zh => ZH_COUNTERS,
            _ => KO_COUNTERS,
        };
        let scale = if rng.below(3) == 0 { 10_000 } else { 100 };
        out.push_str(&(1 + rng.below(scale)).to_string());
        out.push_str(pick(rng, counters));
    }

    /// A Japanese content word: kanji, katakana, a number or a hiragana noun.
    fn ja_content(&self, rng: &mut Rng, out: &mut String) {
        match rng.below(100) {
            0..=74 => out.push_str(self.words.draw(rng)),
            75..=86 => out.push_str(self.kata.draw(rng)),
            87..=91 => self.number(rng, out),
            _ => out.push_str(pick(rng, JA_KANA_WORDS)),
        }
    }

    /// A clause of `units` phrases (Japanese), words (Chinese) or spaced words (Korean),
    /// without the final full stop; `ending` gives it a verb ending and allows commas.
    fn clause(&self, rng: &mut Rng, units: u64, ending: bool, out: &mut String) {
        match self.lang {
            Lang::Ja => {
                for k in 0..units {
                    self.ja_content(rng, out);
                    if k + 1 == units {
                        if ending {
                            out.push_str(pick(rng, JA_ENDINGS));
                        }
                        break;
                    }
                    match rng.below(100) {
                        0..=69 => {
                            out.push_str(JA_PARTICLES[draw(&self.particle_cdf, rng)]);
                            if ending && rng.below(100) < 12 {
                                out.push('、');
                            }
                        }
                        70..=84 => {
                            out.push_str(pick(rng, JA_LINKS));
                            if ending && rng.below(4) == 0 {
                                out.push('、');
                            }
                        }
                        _ => {}
                    }
                }
            }
            Lang::Zh => {
                for k in 0..units {
                    if rng.below(100) < 3 {
                        self.number(rng, out);
                    } else {
                        out.push_str(self.words.draw(rng));
                    }
                    if ending && k + 1 < units && rng.below(100) < 8 {
                        out.push('，');
                    }
                }
            }
            _ => {
                for k in 0..units {
                    if k > 0 {
                        out.push(' ');
                    }
                    if rng.below(100) < 5 {
                        self.number(rng, out);
                        continue;
                    }
                    let w = self.words.draw(rng);
                    out.push_str(w);
                    if k + 1 == units {
                        if ending {
                            out.push_str(pick(rng, KO_ENDINGS));
                        }
                    } else if rng.below(100) < 50 {
                        let p = draw(&self.particle_cdf, rng);
                        let fin = w.chars().last().is_some_and(has_final);
                        out.push_str(if fin {
                            KO_PARTICLES_FINAL[p]
                        } else {
                            KO_PARTICLES_OPEN[p]
                        });
                    }
                }
            }
        }
    }

    /// The units of an ordinary sentence.
    fn sentence_units(&self, rng: &mut Rng) -> u64 {
        match self.lang {
            Lang::Ja => 4 + rng.below(9),
            Lang::Zh => 8 + rng.below(18),
            _ => 8 + rng.below(17),
        }
    }

    /// A sentence of `units`, with its full stop.
    fn sentence_of(&self, rng: &mut Rng, units: u64, out: &mut String) {
        self.clause(rng, units, true, out);
        out.push(if self.lang == Lang::Ko { '.' } else { '。' });
    }

    /// A sentence that quotes someone.
    fn quote(&self, rng: &mut Rng, out: &mut String) {
        let units = self.sentence_units(rng);
        match self.lang {
            Lang::Ja => {
                out.push('「');
                self.clause(rng, units, true, out);
                out.push_str("」と");
                self.name(rng, out);
                out.push_str(pick(rng, JA_HONORIFICS));
                out.push('は');
                out.push_str(pick(rng, JA_SAY));
                out.push('。');
            }
            Lang::Zh => {
                self.name(rng, out);
                out.push_str(pick(rng, ZH_SAY));
                out.push_str("：“");
                self.clause(rng, units, true, out);
                out.push_str("。”");
            }
            _ => {
                out.push('"');
                self.clause(rng, units, true, out);
                out.push_str("\"라고 ");
                self.name(rng, out);
                out.push(' ');
                out.push_str(pick(rng, KO_SPEAKERS));
                out.push(' ');
                out.push_str(pick(rng, KO_SAY));
                out.push('.');
            }
        }
    }

    /// A paragraph of 2 to 4 sentences, one a quotation a quarter of the time.
    fn paragraph(&self, rng: &mut Rng) -> String {
        let n = 2 + rng.below(3);
        let quoted = if rng.below(4) == 0 { rng.below(n) } else { n };
        let mut p = String::new();
        for s in 0..n {
            if s > 0 && self.lang == Lang::Ko {
                p.push(' ');
            }
            if s == quoted {
                self.quote(rng, &mut p);
            } else {
                let units = self.sentence_units(rng);
                self.sentence_of(rng, units, &mut p);
            }
        }
        p
    }

    /// The length that article targets count: characters, or words in Korean.
    fn size(&self, text: &str) -> u64 {
        if self.lang == Lang::Ko {
            text.split(' ').count() as u64
        } else {
            text.chars().count() as u64
        }
    }

    /// Paragraphs until `target` (see [`Cjk::size`]) is reached.
    fn paragraphs(&self, rng: &mut Rng, target: u64, paras: &mut Vec<String>) {
        let mut size: u64 = paras.iter().map(|p| self.size(p)).sum();
        while size < target {
            let p = self.paragraph(rng);
            size += self.size(&p);
            paras.push(p);
        }
    }

    /// The target size of an article.
    fn article_size(&self, rng: &mut Rng) -> u64 {
        if self.lang == Lang::Ko {
            150 + rng.below(151) + rng.below(151)
        } else {
            let long = if rng.below(10) == 0 {
                rng.below(300)
            } else {
                0
            };
            400 + rng.below(401) + rng.below(401) + long
        }
    }

    /// A title: a clause without ending or full stop.
    fn title(&self, rng: &mut Rng) -> String {
        let units = match self.lang {
            Lang::Ja => 3 + rng.below(3),
            Lang::Zh => 5 + rng.below(8),
            _ => 3 + rng.below(5),
        };
        let mut t = String::new();
        self.clause(rng, units, false, &mut t);
        t
    }

    /// One or two sentences of 40 to 120 characters in all.
    fn short_text(&self, rng: &mut Rng) -> String {
        let mut best = String::new();
        for _ in 0..20 {
            let mut p = String::new();
            for s in 0..1 + rng.below(2) {
                if s > 0 && self.lang == Lang::Ko {
                    p.push(' ');
                }
                let units = self.sentence_units(rng);
                self.sentence_of(rng, units, &mut p);
            }
            let n = p.chars().count();
            if (40..=120).contains(&n) {
                return p;
            }
            if best.is_empty() || n.abs_diff(80) < best.chars().count().abs_diff(80) {
                best = p;
            }
        }
        best
    }

    // --- Archive structure ----------------------------------------------------------------

    fn is_original(&self, i: u64) -> bool {
        i == 0 || Rng::new(self.config.seed, 2, i).unit() >= self.config.dup_rate
    }

    fn kind(&self, i: u64) -> Kind {
        if !self.is_original(i) {
            return Kind::Copy;
        }
        if i == 0 {
            return Kind::Plain;
        }
        let short = if self.outlet_of(i) >= CHANNELS {
            120
        } else {
            20
        };
        match Rng::new(self.config.seed, 101, i).below(1000) {
            r if r < short => Kind::Short,
            r if r < short + 10 => Kind::SharedLead,
            _ => Kind::Plain,
        }
    }

    /// The outlet that published original `i`.
    fn outlet_of(&self, i: u64) -> usize {
        Rng::new(self.config.seed, 102, i).below(self.table.outlets.len() as u64) as usize
    }

    /// A wire credit for story `i`: its text and whether it goes at the head.
    fn credit(&self, rng: &mut Rng, i: u64, agency: usize) -> (String, bool) {
        let t = self.table;
        let city_k = rng.below(t.cities.len() as u64) as usize;
        let city = t.cities[city_k];
        let ag = t.agencies[agency];
        let head = rng.below(10) < 7;
        match self.lang {
            Lang::Ja if head => (format!("【{city}{ag}】"), true),
            Lang::Ja if agency == 0 => (format!("＝{ag}"), false),
            Lang::Ja => (format!("（{ag}）"), false),
            Lang::Zh if head => {
                let (m, d) = month_day(i);
                let mut s = format!("{ag}{city}{m}月{d}日电");
                if rng.below(10) < 4 {
                    s.push_str("（记者");
                    self.name(rng, &mut s);
                    s.push('）');
                }
                (s, true)
            }
            Lang::Zh => (format!("（{ag}）"), false),
            _ => {
                // Korean credits are always at the head.
                let mut s = match agency {
                    1 => format!("[{city}=뉴시스]"),
                    _ => format!("({city}={ag})"),
                };
                if agency == 2 || rng.below(10) < 6 {
                    s.push(' ');
                    self.name(rng, &mut s);
                    s.push_str(if city_k >= t.foreign {
                        " 특파원 ="
                    } else {
                        " 기자 ="
                    });
                }
                s.push(' ');
                (s, true)
            }
        }
    }

    /// The original story `i` (not a copy).
    fn story(&self, i: u64, kind: Kind) -> Story {
        let mut rng = Rng::new(self.config.seed, 103, i);
        let title = self.title(&mut rng);
        if kind == Kind::Short {
            return Story {
                paras: vec![self.short_text(&mut rng)],
                tail: None,
                title,
                agency: None,
            };
        }
        let wire = rng.below(100) < 60;
        let agency = rng.below(self.table.agencies.len() as u64) as usize;
        let mut paras = Vec::new();
        let mut target = self.article_size(&mut rng);
        if kind == Kind::SharedLead {
            if let Some(j) = self.lead_source(i) {
                paras.push(self.story(j, Kind::Plain).paras.swap_remove(0));
                target += target / 2;
            }
        }
        let borrowed = !paras.is_empty();
        self.paragraphs(&mut rng, target, &mut paras);
        let mut tail = None;
        if wire {
            let (c, head) = self.credit(&mut rng, i, agency);
            if !head {
                tail = Some(c);
            } else if !borrowed {
                paras[0].insert_str(0, &c);
            }
        }
        Story {
            paras,
            tail,
            title,
            agency: wire.then_some(self.table.agencies[agency]),
        }
    }

    /// The earlier plain story whose lead shared-lead story `i` starts with.
    fn lead_source(&self, i: u64) -> Option<u64> {
        let mut rng = Rng::new(self.config.seed, 104, i);
        let mut j = i.checked_sub(1 + rng.below(i.min(LOOKBACK)))?;
        while self.kind(j) != Kind::Plain {
            j = j.checked_sub(1)?;
        }
        Some(j)
    }

    /// A photo caption for a copy.
    fn caption(&self, rng: &mut Rng, agency: Option<&str>) -> String {
        let mut c = String::new();
        match self.lang {
            Lang::Ja => {
                c.push_str("【写真】");
                let units = 3 + rng.below(3);
                self.clause(rng, units, false, &mut c);
                if let Some(a) = agency {
                    c.push_str(&format!("（{a}）"));
                }
            }
            Lang::Zh => {
                c.push_str("图为");
                let units = 6 + rng.below(6);
                self.clause(rng, units, false, &mut c);
                c.push('。');
                if let Some(a) = agency {
                    c.push_str(&format!("（{a}记者"));
                    self.name(rng, &mut c);
                    c.push_str("摄）");
                }
            }
            _ => {
                let units = 3 + rng.below(4);
                self.clause(rng, units, false, &mut c);
                if let Some(a) = agency {
                    c.push_str(&format!(" /{a}"));
                }
            }
        }
        c
    }

    /// A few words of paragraph text replaced (one in a short text).
    fn edit_words(&self, rng: &mut Rng, paras: &mut [String]) {
        let chars: usize = paras.iter().map(|p| p.chars().count()).sum();
        let edits = if chars < 200 { 1 } else { 1 + rng.below(4) };
        for _ in 0..edits {
            let p = rng.below(paras.len() as u64) as usize;
            if self.lang == Lang::Ko {
                let mut ws: Vec<String> = paras[p].split(' ').map(str::to_string).collect();
                let k = rng.below(ws.len() as u64) as usize;
                ws[k] = self.words.draw(rng).to_string();
                paras[p] = ws.join(" ");
            } else {
                let mut cs: Vec<char> = paras[p].chars().collect();
                let k = rng.below(cs.len() as u64) as usize;
                let end = (k + 2).min(cs.len());
                cs.splice(k..end, self.words.draw(rng).chars());
                paras[p] = cs.into_iter().collect();
            }
        }
    }

    /// The quotation marks changed: `「」` and `“”` swapped, or Korean `"` made curly.
    fn requote(&self, p: &str) -> String {
        if self.lang == Lang::Ko {
            let mut open = true;
            p.chars()
                .map(|c| {
                    if c == '"' {
                        open = !open;
                        if open {
                            '\u{201D}'
                        } else {
                            '\u{201C}'
                        }
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            p.chars()
                .map(|c| match c {
                    '「' => '\u{201C}',
                    '」' => '\u{201D}',
                    '\u{201C}' => '「',
                    '\u{201D}' => '」',
                    c => c,
                })
                .collect()
        }
    }

    /// Document `i`.
    pub(super) fn doc(&self, i: u64) -> GenDoc {
        let n_outlets = self.table.outlets.len() as u64;
        let mut rng = Rng::new(self.config.seed, 105, i);
        let kind = self.kind(i);
        let (source, outlet) = if kind == Kind::Copy {
            let mut j = i - 1 - rng.below(i.min(LOOKBACK));
            while !self.is_original(j) {
                j -= 1;
            }
            let o = self.outlet_of(j) as u64;
            (j, ((o + 1 + rng.below(n_outlets - 1)) % n_outlets) as usize)
        } else {
            (i, self.outlet_of(i))
        };
        let source_kind = self.kind(source);
        let story = self.story(source, source_kind);
        let mut paras = story.paras;
        if source != i {
            // Where the story's lead is, after what was put in front of it.
            let mut lead = 0;
            for _ in 0..1 + rng.below(3) {
                match rng.below(5) {
                    0 => {
                        paras.insert(0, self.caption(&mut rng, story.agency));
                        lead += 1;
                    }
                    1 => {
                        // Cut after the first paragraphs, down to the lead alone. Not a
                        // shared-lead story: its lead alone is the earlier story's lead.
                        let rest = (paras.len() - lead) as u64;
                        let floor = 1 + usize::from(source_kind == Kind::SharedLead);
                        let keep = lead + floor + rng.below(rest / 2 + 1) as usize;
                        paras.truncate(keep.min(paras.len()));
                    }
                    2 => self.edit_words(&mut rng, &mut paras),
                    3 => {
                        // A local paragraph added (one sentence, as in English).
                        let mut p = String::new();
                        let units = self.sentence_units(&mut rng);
                        self.sentence_of(&mut rng, units, &mut p);
                        let at = rng.below(paras.len() as u64 + 1) as usize;
                        paras.insert(at, p);
                        lead += usize::from(at <= lead);
                    }
                    _ => {
                        paras = paras.iter().map(|p| self.requote(p)).collect();
                    }
                }
            }
        }
        if let (Some(t), Some(last)) = (&story.tail, paras.last_mut()) {
            last.push_str(t);
        }
        let channel = outlet >= CHANNELS;
        if rng.below(100) < if channel { 25 } else { 4 } {
            let notices = self.table.notices;
            let k = if channel && rng.below(2) == 0 {
                0
            } else {
                rng.below(notices.len() as u64) as usize
            };
            paras.push(notices[k].to_string());
        }
        paras.push(self.footers[outlet].clone());
        GenDoc::new(
            self.table.prefix,
            i,
            source,
            self.table.outlets[outlet],
            &story.title,
            &paras,
        )
    }
}

/// The month and day of the date of document `i` (as in its `date` field).
fn month_day(i: u64) -> (u32, u32) {
    use chrono::Datelike;
    let day = 738_000 + (i / 300) as i64;
    chrono::NaiveDate::from_num_days_from_ce_opt(day as i32)
        .map_or((1, 1), |d| (d.month(), d.day()))
}

#[cfg(test)]
mod tests {
    use super::super::Generator;
    use super::*;

    fn docs(lang: Lang, n: u64, seed: u64) -> Vec<GenDoc> {
        let g = Generator::with_lang(
            GenConfig {
                docs: n,
                seed,
                dup_rate: 0.3,
            },
            lang,
        );
        (0..n).map(|i| g.doc(i)).collect()
    }

    fn field(d: &GenDoc, f: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(&d.line).unwrap();
        v[f].as_str().unwrap().to_string()
    }

    #[test]
    fn deterministic_per_language_and_seed() {
        for lang in [Lang::Ja, Lang::Zh, Lang::Ko] {
            let a = docs(lang, 200, 3);
            assert_eq!(a, docs(lang, 200, 3), "{lang}");
            assert_ne!(a, docs(lang, 200, 4), "{lang}");
            assert!(a[0].id.starts_with(lang.code()), "{lang}");
        }
    }

    #[test]
    fn footers_are_60_to_200_characters_and_distinct() {
        for lang in [Lang::Ja, Lang::Zh, Lang::Ko] {
            let g = Cjk::new(GenConfig::default(), lang);
            let set: HashSet<&String> = g.footers.iter().collect();
            assert_eq!(set.len(), 20, "{lang}");
            for f in &g.footers {
                let n = f.chars().count();
                assert!((60..=200).contains(&n), "{lang} {n}: {f}");
                assert!(f.lines().count() <= 2, "{f}");
            }
        }
    }

    #[test]
    fn article_sizes_and_kinds() {
        for lang in [Lang::Ja, Lang::Zh, Lang::Ko] {
            let g = Cjk::new(
                GenConfig {
                    docs: 3000,
                    seed: 9,
                    dup_rate: 0.3,
                },
                lang,
            );
            let mut sizes = Vec::new();
            let (mut short, mut shared, mut wire) = (0, 0, 0);
            for i in 0..3000 {
                let k = g.kind(i);
                if k == Kind::Copy {
                    continue;
                }
                let s = g.story(i, k);
                let text = s.paras.join("\n");
                match k {
                    Kind::Short => {
                        short += 1;
                        let n = text.chars().count();
                        assert!((40..=120).contains(&n), "{lang} short {n}: {text}");
                    }
                    Kind::SharedLead => {
                        shared += 1;
                        let j = g.lead_source(i).unwrap();
                        assert!(text.starts_with(&g.story(j, Kind::Plain).paras[0]));
                    }
                    _ => sizes.push(g.size(&text)),
                }
                wire += u64::from(s.agency.is_some());
            }
            sizes.sort_unstable();
            let median = sizes[sizes.len() / 2];
            let originals = sizes.len() + short + shared;
            if lang == Lang::Ko {
                assert!((250..=350).contains(&median), "{lang} {median}");
            } else {
                assert!((700..=950).contains(&median), "{lang} {median}");
                assert!(sizes[0] >= 400 && sizes[sizes.len() - 1] <= 1700, "{lang}");
            }
            assert!((60..=160).contains(&short), "{lang} {short} of {originals}");
            assert!((8..=45).contains(&shared), "{lang} {shared}");
            let share = wire as f64 / originals as f64;
            assert!((0.5..0.65).contains(&share), "{lang} {share}");
        }
    }

    #[test]
    fn copies_by_another_outlet_with_its_footer() {
        for lang in [Lang::Ja, Lang::Zh, Lang::Ko] {
            let g = Cjk::new(
                GenConfig {
                    docs: 500,
                    seed: 2,
                    dup_rate: 0.3,
                },
                lang,
            );
            for i in 0..500 {
                let d = g.doc(i);
                let outlet = field(&d, "outlet");
                let k = g.table.outlets.iter().position(|o| *o == outlet).unwrap();
                assert!(field(&d, "text").ends_with(&g.footers[k]));
                if d.id != d.story {
                    let j: u64 = d.story[3..].parse().unwrap();
                    assert_ne!(g.outlet_of(j), k, "{lang} {i}");
                }
            }
        }
    }

    #[test]
    fn korean_particles_follow_the_final_consonant() {
        assert!(has_final('은'));
        assert!(!has_final('가'));
        assert!(!has_final('a'));
    }

    #[test]
    fn chinese_credits_carry_the_story_date() {
        let g = Cjk::new(GenConfig::default(), Lang::Zh);
        let (m, d) = month_day(0);
        let (c, _) = (0..50)
            .map(|k| g.credit(&mut Rng::new(1, 9, k), 0, 0))
            .find(|(_, head)| *head)
            .unwrap();
        assert!(c.starts_with("新华社"), "{c}");
        assert!(c.contains(&format!("{m}月{d}日电")), "{c}");
    }
}
