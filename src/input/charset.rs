//! A page's bytes to text: which character encoding they are in, and decoding them.
//!
//! Owns: the HTML standard's order for determining a page's encoding ("determining the character
//! encoding"): a byte-order mark, then the transport layer's charset (the HTTP `Content-Type`),
//! then the `<meta>` prescan ("prescan a byte stream to determine its encoding"), then detection;
//! and the same for plain text without the markup steps. Must not: do I/O, parse the page beyond
//! the prescan, or know where the bytes came from beyond the URL it is handed.
//!
//! The prescan reads the page the way the standard's algorithm does, attribute by attribute:
//! comments (`<!-- -->`) are skipped, `<!...>`, `</...>` and `<?...>` are skipped to their `>`,
//! every other tag is skipped with its attributes (quoted values may hold `>` and `charset=`), and
//! only a `<meta>` with a `charset` attribute, or with `http-equiv=content-type` and a `content`
//! naming a charset, declares the encoding. So a `<script charset="utf-8">`, or the words
//! `charset=utf-8` in the text, never do. A `<meta>` that names UTF-16 is read as UTF-8 (a page
//! that could write the tag in ASCII is not UTF-16), and `x-user-defined` as windows-1252. A page
//! starting with an XML declaration that names an encoding, and no `<meta>`, is read in that
//! encoding (as WebKit and Blink do).
//!
//! Deviations from the standard, for pages read long after they were served rather than shown:
//! - The prescan reads the first [`PRESCAN_BYTES`] (64 KiB), not 1,024 bytes. The standard only
//!   "encourages" 1,024; Chromium reads on past them until the page's body starts, and real
//!   pages put kilobytes of inline scripts, styles and preload links before their `<meta
//!   charset>` (such as a Windows-1250 page whose `<meta>` sits just past 2 KB). 64 KiB holds
//!   the head of most pages while bounding the work on pages that declare nothing, and the scan
//!   stops at the first declaration, so pages that declare early pay nothing for the bound.
//! - A label naming the "replacement" encoding (`iso-2022-kr`, `hz-gb-2312`, ...) is taken as no
//!   declaration: the standard decodes such a page to a single U+FFFD, which leaves no text.
//! - With nothing declared, bytes that are valid UTF-8 are UTF-8 (browsers do not guess UTF-8
//!   for web pages, so that authors cannot come to rely on it; archived news is mostly UTF-8,
//!   declared or not), and so are bytes that are UTF-8 but for a sequence cut at the end (a
//!   truncated record) or a rare stray byte (at least ten valid multi-byte characters for each
//!   invalid sequence, which legacy encodings of real text rarely reach); else the encoding is
//!   guessed with `chardetng` (Firefox's detector, by the author of `encoding_rs`) from the
//!   first [`DETECT_BYTES`] and the URL's top-level domain.
//!
//! Invalid sequences become U+FFFD. Text that is already valid UTF-8 and read as UTF-8 is
//! borrowed, not copied.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::Encoding;
use std::borrow::Cow;

/// How many bytes of a page the `<meta>` prescan reads (the standard suggests 1,024; see the
/// module docs for why more).
pub const PRESCAN_BYTES: usize = 64 * 1024;

/// How many bytes of an undeclared page that is not UTF-8 the detector reads.
pub const DETECT_BYTES: usize = 256 * 1024;

/// Decodes a page. `charset` is the `charset` parameter of the HTTP `Content-Type` (used when
/// `encoding_rs` knows the label); `url` is where the page was fetched from, if known (its
/// top-level domain steers detection when nothing is declared: `.pl` makes Central European
/// encodings likelier, `.jp` Japanese ones).
pub fn decode<'a>(bytes: &'a [u8], charset: Option<&str>, url: Option<&str>) -> Cow<'a, str> {
    match declared(bytes, charset) {
        Some(enc) => enc.decode(bytes).0,
        None => undeclared(bytes, url),
    }
}

/// Decodes plain text: a byte-order mark, else UTF-8 (see the module docs for the rare invalid
/// sequence), else the encoding `chardetng` guesses.
pub fn decode_plain(bytes: &[u8]) -> Cow<'_, str> {
    match Encoding::for_bom(bytes) {
        Some((enc, _)) => enc.decode(bytes).0,
        None => undeclared(bytes, None),
    }
}

/// The encoding [`decode`] reads a page in, with the same arguments.
pub fn sniff(bytes: &[u8], charset: Option<&str>, url: Option<&str>) -> &'static Encoding {
    if let Some(enc) = declared(bytes, charset) {
        return enc;
    }
    if simdutf8::basic::from_utf8(bytes).is_ok() || mostly_utf8(bytes) {
        return encoding_rs::UTF_8;
    }
    detect(bytes, url)
}

/// The encoding the page declares: its byte-order mark, else `charset` (the transport layer's),
/// else what [`prescan`] finds in its first [`PRESCAN_BYTES`].
fn declared(bytes: &[u8], charset: Option<&str>) -> Option<&'static Encoding> {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return Some(enc);
    }
    if let Some(enc) = charset.and_then(|c| label(c.trim_matches(['"', '\'']).as_bytes())) {
        return Some(enc);
    }
    prescan(&bytes[..bytes.len().min(PRESCAN_BYTES)])
}

/// Decodes bytes that declare no encoding.
fn undeclared<'a>(bytes: &'a [u8], url: Option<&str>) -> Cow<'a, str> {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    if mostly_utf8(bytes) {
        return String::from_utf8_lossy(bytes);
    }
    detect(bytes, url).decode_without_bom_handling(bytes).0
}

/// Whether bytes that are not valid UTF-8 are UTF-8 all the same: within the first
/// [`DETECT_BYTES`], no invalid sequence but one cut by the end, or at least ten valid
/// multi-byte characters for each invalid sequence.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut rest = &bytes[..bytes.len().min(DETECT_BYTES)];
    let (mut good, mut bad) = (0usize, 0usize);
    loop {
        let (valid, next) = match std::str::from_utf8(rest) {
            Ok(_) => (rest, None),
            Err(e) => (
                &rest[..e.valid_up_to()],
                e.error_len().map(|n| e.valid_up_to() + n),
            ),
        };
        good += valid.iter().filter(|&&b| b >= 0xC0).count();
        match next {
            Some(n) => {
                bad += 1;
                rest = &rest[n..];
            }
            None => break,
        }
    }
    good >= 10 * bad
}

/// `chardetng`'s guess from the first [`DETECT_BYTES`] and the URL's top-level domain.
fn detect(bytes: &[u8], url: Option<&str>) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Allow);
    let prefix = &bytes[..bytes.len().min(DETECT_BYTES)];
    detector.feed(prefix, prefix.len() == bytes.len());
    let tld = url.and_then(tld);
    detector.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Allow)
}

/// The last label of the URL's host, lower-case ASCII (what `chardetng` takes); `None` for an
/// IP address, a host that is not ASCII, or no host.
fn tld(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        return None;
    } else {
        host.split(':').next()?
    };
    let label = host.trim_end_matches('.').rsplit('.').next()?;
    let ok = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| label.to_ascii_lowercase())
}

/// The encoding a label names ("get an encoding"), except the replacement encoding.
fn label(name: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(name).filter(|&enc| enc != encoding_rs::REPLACEMENT)
}

/// The bytes ran out inside a construct the prescan was reading: it finds nothing.
struct End;

/// An attribute's name and value, as written.
type Attribute<'a> = (&'a [u8], &'a [u8]);

/// The HTML standard's "prescan a byte stream to determine its encoding" over all of `bytes`
/// (callers bound it): the encoding the first `<meta>` that declares one names, else the
/// encoding an XML declaration at the start names. See the module docs.
pub fn prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    // A UTF-16 XML declaration ("<?x" in UTF-16) without a byte-order mark.
    if bytes.starts_with(b"<\0?\0x\0") {
        return Some(encoding_rs::UTF_16LE);
    }
    if bytes.starts_with(b"\0<\0?\0x") {
        return Some(encoding_rs::UTF_16BE);
    }
    match scan(bytes) {
        Ok(Some(enc)) => Some(enc),
        _ => xml_declaration(bytes),
    }
}

/// The prescan's loop over the bytes.
fn scan(b: &[u8]) -> Result<Option<&'static Encoding>, End> {
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'<', &b[pos..]) {
        pos += i;
        let rest = &b[pos..];
        let second = rest.get(1).copied().unwrap_or(0);
        if rest.starts_with(b"<!--") {
            // To the first '>' after the '<' preceded by "--" (which may be those of "<!--").
            let close = memchr::memmem::find(&rest[2..], b"-->").ok_or(End)?;
            pos += 2 + close + 2;
        } else if rest.len() >= 6
            && rest[1..5].eq_ignore_ascii_case(b"meta")
            && (is_space(rest[5]) || rest[5] == b'/')
        {
            pos += 5;
            if let Some(enc) = meta(b, &mut pos)? {
                return Ok(Some(enc));
            }
        } else if second.is_ascii_alphabetic()
            || (second == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic))
        {
            // Any other tag: to the end of its name, then past its attributes.
            let end = rest
                .iter()
                .position(|&c| is_space(c) || c == b'>')
                .ok_or(End)?;
            pos += end;
            while attribute(b, &mut pos)?.is_some() {}
        } else if matches!(second, b'!' | b'/' | b'?') {
            pos += 1 + memchr::memchr(b'>', &rest[1..]).ok_or(End)?;
        }
        pos += 1;
    }
    Ok(None)
}

/// The attributes of a `<meta` tag from `pos` (its name read): the encoding it declares, if it
/// does. Leaves `pos` on the last byte read.
fn meta(b: &[u8], pos: &mut usize) -> Result<Option<&'static Encoding>, End> {
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    // `None`: no charset yet; `Some(None)`: a `charset` attribute naming no encoding.
    let mut charset: Option<Option<&'static Encoding>> = None;
    // Which of http-equiv, content and charset were seen (a repeated attribute is ignored).
    let mut seen = [false; 3];
    while let Some((name, value)) = attribute(b, pos)? {
        let which = if name.eq_ignore_ascii_case(b"http-equiv") {
            0
        } else if name.eq_ignore_ascii_case(b"content") {
            1
        } else if name.eq_ignore_ascii_case(b"charset") {
            2
        } else {
            continue;
        };
        if std::mem::replace(&mut seen[which], true) {
            continue;
        }
        match which {
            0 => got_pragma |= value.eq_ignore_ascii_case(b"content-type"),
            1 => {
                if charset.is_none() {
                    if let Some(enc) = from_content(value) {
                        charset = Some(Some(enc));
                        need_pragma = Some(true);
                    }
                }
            }
            _ => {
                charset = Some(label(value));
                need_pragma = Some(false);
            }
        }
    }
    let declared = match (need_pragma, charset) {
        (Some(false), Some(Some(enc))) => Some(enc),
        (Some(true), Some(Some(enc))) if got_pragma => Some(enc),
        _ => None,
    };
    Ok(declared.map(in_ascii))
}

/// A declaration written in ASCII bytes cannot mean UTF-16 (read as UTF-8) nor x-user-defined
/// (read as windows-1252).
fn in_ascii(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE {
        encoding_rs::UTF_8
    } else if enc == encoding_rs::X_USER_DEFINED {
        encoding_rs::WINDOWS_1252
    } else {
        enc
    }
}

/// The standard's "get an attribute" (while sniffing) from `pos`: `(name, value)` as written
/// (callers compare them ignoring ASCII case, as the standard lower-cases them), or `None` at the
/// tag's `>` (where `pos` is left).
fn attribute<'a>(b: &'a [u8], pos: &mut usize) -> Result<Option<Attribute<'a>>, End> {
    let at = |p: usize| b.get(p).copied().ok_or(End);
    while is_space(at(*pos)?) || at(*pos)? == b'/' {
        *pos += 1;
    }
    if at(*pos)? == b'>' {
        return Ok(None);
    }
    let start = *pos;
    loop {
        match at(*pos)? {
            b'=' if *pos > start => {
                let name = &b[start..*pos];
                *pos += 1;
                return value(b, pos, name);
            }
            c if is_space(c) => break,
            b'/' | b'>' => return Ok(Some((&b[start..*pos], b""))),
            _ => *pos += 1,
        }
    }
    let name = &b[start..*pos];
    while is_space(at(*pos)?) {
        *pos += 1;
    }
    if at(*pos)? != b'=' {
        return Ok(Some((name, b"")));
    }
    *pos += 1;
    value(b, pos, name)
}

/// The value part of "get an attribute", from just past the `=`.
fn value<'a>(b: &'a [u8], pos: &mut usize, name: &'a [u8]) -> Result<Option<Attribute<'a>>, End> {
    let at = |p: usize| b.get(p).copied().ok_or(End);
    while is_space(at(*pos)?) {
        *pos += 1;
    }
    let first = at(*pos)?;
    if first == b'"' || first == b'\'' {
        let start = *pos + 1;
        let len = memchr::memchr(first, &b[start..]).ok_or(End)?;
        *pos = start + len + 1;
        return Ok(Some((name, &b[start..start + len])));
    }
    if first == b'>' {
        return Ok(Some((name, b"")));
    }
    let start = *pos;
    *pos += 1;
    loop {
        let c = at(*pos)?;
        if is_space(c) || c == b'>' {
            return Ok(Some((name, &b[start..*pos])));
        }
        *pos += 1;
    }
}

/// The standard's "extracting a character encoding from a meta element": the encoding after the
/// first `charset` followed by `=` in a `content` value such as `text/html; charset=gb2312`.
fn from_content(s: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    loop {
        let i = s[pos..]
            .windows(7)
            .position(|w| w.eq_ignore_ascii_case(b"charset"))?;
        let mut j = pos + i + 7;
        while s.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if s.get(j) != Some(&b'=') {
            pos = j;
            continue;
        }
        j += 1;
        while s.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let first = *s.get(j)?;
        if first == b'"' || first == b'\'' {
            let len = memchr::memchr(first, &s[j + 1..])?;
            return label(&s[j + 1..j + 1 + len]);
        }
        let end = s[j..]
            .iter()
            .position(|&c| c.is_ascii_whitespace() || c == b';')
            .map_or(s.len(), |k| j + k);
        return label(&s[j..end]);
    }
}

/// The encoding named by an XML declaration (`<?xml version="1.0" encoding="..."?>`) at the
/// start of `bytes`, read as a `<meta>` would be ([`in_ascii`]).
fn xml_declaration(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let decl = &bytes[..memchr::memchr(b'>', bytes)?];
    let mut j = memchr::memmem::find(decl, b"encoding")? + b"encoding".len();
    let skip = |j: &mut usize| {
        while decl.get(*j).is_some_and(|&c| c <= b' ') {
            *j += 1;
        }
    };
    skip(&mut j);
    if decl.get(j) != Some(&b'=') {
        return None;
    }
    j += 1;
    skip(&mut j);
    let quote = *decl.get(j).filter(|&&q| q == b'"' || q == b'\'')?;
    let len = memchr::memchr(quote, &decl[j + 1..])?;
    label(&decl[j + 1..j + 1 + len]).map(in_ascii)
}

/// 0x09, 0x0A, 0x0C, 0x0D or 0x20: the prescan's whitespace.
fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_KR, GBK, ISO_8859_2, SHIFT_JIS, UTF_8, WINDOWS_1250, WINDOWS_1252};

    const POLISH: &str = "Rząd zapowiada, że nowe przepisy wejdą w życie już od przyszłego roku. \
        Minister finansów podkreślił, że zmiany przybliżą Polskę do średniej unijnej, a samorządy \
        dostaną więcej pieniędzy na drogi, szkoły i szpitale. Opozycja uważa, że źródła \
        finansowania są niejasne i że ciężar reformy poniosą gospodarstwa domowe.";
    const CHINESE: &str = "国务院总理主持召开国务院常务会议，部署进一步促进消费的政策措施。\
        会议指出，消费是经济增长的主要动力，要加快推动服务消费提质扩容，稳定汽车、家电等大宗消费，\
        完善农村流通体系，让群众买得放心、用得舒心。会议还研究了加强粮食生产和防汛抗旱工作。";
    const JAPANESE: &str = "政府は十日、新たな経済対策を閣議決定した。物価高に対応するため、\
        低所得世帯への給付金を支給するほか、電気やガス料金の補助を年度末まで延長する。\
        首相は記者会見で「国民の暮らしを守ることが最優先だ」と述べ、早期の補正予算成立を目指す考えを示した。";
    const KOREAN: &str = "정부는 10일 국무회의를 열고 내년도 예산안을 의결했다. 기획재정부는 \
        이번 예산안이 경제 회복과 민생 안정에 중점을 두었다고 밝혔다. 취약계층 지원과 일자리 \
        예산이 크게 늘었고, 지방 재정 지원도 확대됐다. 야당은 국회 심의 과정에서 꼼꼼히 따지겠다고 했다.";

    fn encoded(enc: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = enc.encode(text);
        assert!(!unmappable, "{} cannot write the sample", enc.name());
        bytes.into_owned()
    }

    fn page(head: &str, enc: &'static Encoding, text: &str) -> Vec<u8> {
        let mut bytes = format!("<!DOCTYPE html><html><head>{head}</head><body><p>").into_bytes();
        bytes.extend(encoded(enc, text));
        bytes.extend_from_slice(b"</p></body></html>");
        bytes
    }

    #[test]
    fn the_old_cases() {
        let latin = b"<p>caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la fran\xe7aise</p>";
        assert_eq!(sniff(latin, None, None), WINDOWS_1252);
        assert_eq!(
            decode(latin, None, None),
            "<p>café crème brûlée à la française</p>"
        );
        assert_eq!(
            decode(b"<p>caf\xe9</p>", Some("iso-8859-1"), None),
            "<p>café</p>"
        );
        let utf8 = "<p>café</p>".as_bytes();
        assert!(matches!(
            decode(utf8, None, None),
            Cow::Borrowed("<p>café</p>")
        ));
        let meta = b"<meta charset=\"windows-1251\"><p>\xcf\xf0\xe8</p>";
        assert!(decode(meta, None, None).contains("При"));
        let equiv = b"<meta http-equiv=Content-Type content='text/html; charset=koi8-r'>\xf0";
        assert!(decode(equiv, None, None).ends_with('П'));
    }

    #[test]
    fn a_script_charset_is_not_a_declaration() {
        let mut bytes = b"<html><head><script charset=\"utf-8\" src=\"/a.js\"></script>".to_vec();
        bytes.extend_from_slice(b"<meta charset=\"windows-1250\"></head><p>bli\xbfej</p>");
        assert_eq!(prescan(&bytes), Some(WINDOWS_1250));
        assert!(decode(&bytes, None, None).contains("bliżej"));
        // Nor text, nor a quoted attribute value holding a whole fake tag.
        let text = b"<p>Set charset=utf-8 in <a title='<meta charset=utf-8>'>x</a></p>";
        assert_eq!(prescan(text), None);
        assert_eq!(prescan(b"<link href=\"a.css\" charset=\"utf-8\">"), None);
    }

    #[test]
    fn a_meta_past_2_kb_is_read() {
        let mut bytes = b"<html><head><style>".to_vec();
        bytes.extend(std::iter::repeat_n(b' ', 2100));
        bytes.extend_from_slice(b"</style><meta http-equiv=\"Content-Type\" ");
        bytes.extend_from_slice(b"content=\"text/html; charset=windows-1250\"></head>");
        bytes.extend_from_slice(b"<p>Coraz bli\xbfej porozumienia</p>");
        assert!(bytes.len() > 2048);
        assert_eq!(
            decode(&bytes, None, None),
            String::from_utf8_lossy(&bytes).replace('\u{fffd}', "ż")
        );
        // Past the bound, nothing is read.
        let mut far = vec![b' '; PRESCAN_BYTES];
        far.extend_from_slice(b"<meta charset=windows-1250>");
        assert_eq!(declared(&far, None), None);
    }

    #[test]
    fn comments_and_other_markup_are_skipped() {
        assert_eq!(prescan(b"<!-- <meta charset=gb2312> --><p>x"), None);
        assert_eq!(
            prescan(b"<!--><meta charset=gb2312>"),
            Some(GBK),
            "<!--> ends a comment"
        );
        assert_eq!(prescan(b"<!-- a -- b --><meta charset=gb2312>"), Some(GBK));
        assert_eq!(prescan(b"<!-- never closed <meta charset=gb2312>"), None);
        assert_eq!(
            prescan(b"<!DOCTYPE html><?php x ?></br><meta charset=gb2312>"),
            Some(GBK)
        );
        assert_eq!(prescan(b"<title a='>'><meta charset=gb2312>"), Some(GBK));
        assert_eq!(prescan(b"<metax charset=gb2312>"), None, "not a meta tag");
        assert_eq!(prescan(b"<META\nCHARSET = 'GB2312'>"), Some(GBK));
        assert_eq!(prescan(b"<meta/charset=gb2312>"), Some(GBK));
        assert_eq!(
            prescan(b"<meta charset=gb2312/>"),
            None,
            "the value is `gb2312/`"
        );
        assert_eq!(
            prescan(b"<meta charset=\"gb2312"),
            None,
            "cut inside the value"
        );
    }

    #[test]
    fn http_equiv_needs_both_attributes() {
        let both = b"<meta content=\"text/html; charset=euc-kr\" http-equiv=\"content-type\">";
        assert_eq!(prescan(both), Some(EUC_KR));
        assert_eq!(
            prescan(b"<meta content=\"text/html; charset=euc-kr\">"),
            None
        );
        let refresh = b"<meta http-equiv=refresh content=\"0; charset=euc-kr\">";
        assert_eq!(prescan(refresh), None);
        // The first `charset=` followed by '=' counts, quoted or not; an unmatched quote is none.
        let pragma = |content: &str| {
            let tag = format!("<meta http-equiv=content-type content='{content}'>");
            prescan(tag.as_bytes())
        };
        assert_eq!(
            pragma("text/html;charset = \"shift_jis\" x"),
            Some(SHIFT_JIS)
        );
        assert_eq!(pragma("charsetx; charset=gbk;"), Some(GBK));
        assert_eq!(pragma("text/html; charset=\"gbk"), None);
        assert_eq!(pragma("text/html; charset=nonsense"), None);
        // A charset attribute wins over content, and a repeated attribute is ignored.
        let tag = b"<meta charset=gbk http-equiv=content-type content='charset=euc-kr'>";
        assert_eq!(prescan(tag), Some(GBK));
        assert_eq!(prescan(b"<meta charset=gbk charset=euc-kr>"), Some(GBK));
        // A meta naming no known encoding declares nothing; the next one may.
        assert_eq!(
            prescan(b"<meta charset=bogus><meta charset=euc-kr>"),
            Some(EUC_KR)
        );
    }

    #[test]
    fn utf16_and_user_defined_in_a_meta() {
        assert_eq!(prescan(b"<meta charset=utf-16le>"), Some(UTF_8));
        assert_eq!(prescan(b"<meta charset=utf-16>"), Some(UTF_8));
        assert_eq!(
            prescan(b"<meta charset=x-user-defined>"),
            Some(WINDOWS_1252)
        );
        assert_eq!(
            prescan(b"<?xml version='1.0' encoding='ISO-8859-2'?><p>"),
            Some(ISO_8859_2)
        );
        assert_eq!(prescan(b"<\0?\0x\0m\0l\0"), Some(encoding_rs::UTF_16LE));
        assert_eq!(
            prescan(b"<meta charset=iso-2022-kr>"),
            None,
            "the replacement encoding"
        );
    }

    #[test]
    fn the_order_bom_then_http_then_meta() {
        let body = page("<meta charset=windows-1250>", UTF_8, "żółw");
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(&body);
        assert_eq!(sniff(&bom, Some("windows-1250"), None), UTF_8);
        assert!(decode(&bom, Some("windows-1250"), None).contains("<p>żółw</p>"));
        // The header beats the meta, when encoding_rs knows its label.
        assert_eq!(sniff(&body, Some("utf-8"), None), UTF_8);
        assert_eq!(sniff(&body, Some("\"UTF-8\""), None), UTF_8);
        assert_eq!(sniff(&body, Some("unheard-of"), None), WINDOWS_1250);
        assert_eq!(sniff(&body, None, None), WINDOWS_1250);
    }

    #[test]
    fn undeclared_legacy_pages_are_detected() {
        for (enc, text, tld_url) in [
            (GBK, CHINESE, None),
            (SHIFT_JIS, JAPANESE, None),
            (EUC_KR, KOREAN, None),
            (
                ISO_8859_2,
                POLISH,
                Some("http://www.example.pl/kraj/1.html"),
            ),
            (ISO_8859_2, POLISH, None),
            (WINDOWS_1250, POLISH, None),
        ] {
            let bytes = page("<title>x</title>", enc, text);
            assert_eq!(sniff(&bytes, None, tld_url).name(), enc.name(), "{text}");
            assert!(decode(&bytes, None, tld_url).contains(text));
        }
        let declared = page("<meta charset=gb2312>", GBK, CHINESE);
        assert!(decode(&declared, None, None).contains(CHINESE));
    }

    #[test]
    fn utf8_with_a_flaw_is_still_utf8() {
        let mut cut = page("", UTF_8, CHINESE);
        cut.truncate(cut.len() - 19);
        assert!(std::str::from_utf8(&cut).is_err());
        assert_eq!(sniff(&cut, None, None), UTF_8);
        let mut stray = page("", UTF_8, POLISH).to_vec();
        stray.extend_from_slice(b"<p>\xa9 2024</p>");
        assert_eq!(sniff(&stray, None, None), UTF_8);
        assert!(decode(&stray, None, None).contains(POLISH));
    }

    #[test]
    fn plain_text() {
        assert!(matches!(
            decode_plain("żółw".as_bytes()),
            Cow::Borrowed("żółw")
        ));
        assert_eq!(decode_plain(&encoded(GBK, CHINESE)), CHINESE);
        assert_eq!(decode_plain(b"\xff\xfeh\0i\0"), "hi");
        // Plain text has no markup: a meta in it declares nothing.
        let text = [b"<meta charset=gbk>".as_slice(), &encoded(EUC_KR, KOREAN)].concat();
        assert!(decode_plain(&text).ends_with(KOREAN));
    }

    /// Pieces of markup that matter to the prescan, to build pages from.
    const PIECES: &[&[u8]] = &[
        b"<meta ",
        b"<META/",
        b"charset",
        b"=",
        b"\"",
        b"'",
        b">",
        b" ",
        b"/",
        b"<!--",
        b"-->",
        b"<!",
        b"</",
        b"<?",
        b"<p",
        b"<script charset=gbk ",
        b"http-equiv=content-type ",
        b"content=",
        b"text/html; charset=",
        b"gbk",
        b"euc-kr",
        b"utf-16",
        b"\xbf\xe9",
        b"x",
    ];

    proptest::proptest! {
        /// The prescan reads left to right: once a prefix of a page declares an encoding, the
        /// whole page declares the same (a reader fed the bytes in chunks decides alike); markup
        /// that declares nothing and leaves no construct open does not hide a `<meta>` after
        /// it; and no page makes the prescan or the decoder panic.
        #[test]
        fn a_declaration_found_in_a_prefix_stands(
            picks in proptest::collection::vec(0..PIECES.len(), 0..10),
            more in proptest::collection::vec(0..PIECES.len(), 0..10),
            cut in 0.0f64..1.0,
        ) {
            let bytes = |picks: &[usize]| -> Vec<u8> {
                picks.iter().flat_map(|&i| PIECES[i].iter().copied()).collect()
            };
            let junk = bytes(&picks);
            let page = [junk.as_slice(), b"<meta charset=euc-kr>", &bytes(&more)].concat();
            if let Ok(None) = scan(&junk) {
                proptest::prop_assert_eq!(scan(&page).ok().flatten(), Some(EUC_KR));
            }
            let prefix = &page[..(cut * page.len() as f64) as usize];
            if let Ok(Some(enc)) = scan(prefix) {
                proptest::prop_assert_eq!(scan(&page).ok().flatten(), Some(enc));
            }
            let _ = decode(&page, None, None);
        }
    }

    #[test]
    fn top_level_domains() {
        assert_eq!(tld("https://www.Gazeta.PL/a?b").as_deref(), Some("pl"));
        assert_eq!(
            tld("http://user@news.example.co.jp:8080/x").as_deref(),
            Some("jp")
        );
        assert_eq!(tld("http://example.cz./").as_deref(), Some("cz"));
        assert_eq!(tld("http://127.0.0.1/"), None);
        assert_eq!(tld("http://[::1]/"), None);
        assert_eq!(tld("http://пример.рф/"), None);
        assert_eq!(tld(""), None);
    }
}
