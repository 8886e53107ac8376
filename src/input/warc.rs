//! Web archives: WARC and WET records.
//!
//! Owns: cutting a (decompressed) WARC stream into records ([`Framer`]), deciding from the
//! headers which records are articles, and turning one record into a [`Record`]
//! ([`parse_record`]): the HTTP headers of a `response` are stripped, chunked transfer coding
//! and gzip/deflate content coding undone, the charset honoured, and the HTML handed to
//! [`super::html`]; a WET `conversion` record is plain text already. Must not: open files or
//! decide ids for records that have none.
//!
//! What becomes a document: `response` records with a 2xx status and an HTML (or plain text)
//! body, `resource` records of HTML or plain text, and `conversion` records (WET). Everything
//! else (`warcinfo`, `request`, `metadata`, `revisit`, redirects, images, PDFs, ...) is
//! skipped: counted, not an error.
//!
//! A `.warc.gz` file is a series of gzip members, usually one a record; it is read as one
//! decompressed stream, and a record's location is its byte offset in that stream.

use super::Parsed;
use crate::document::Record;
use std::io::{self, BufRead, Read};

/// Longest WARC header block read before a record is declared malformed.
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Longest record block kept for parsing; larger records are skipped unread.
const MAX_BLOCK_BYTES: u64 = 64 << 20;

/// What [`Framer::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A record whose header and block (without the two trailing line ends) were appended to
    /// the buffer.
    Record {
        /// Byte offset of the record in the decompressed stream.
        offset: u64,
        /// Bytes appended.
        len: usize,
    },
    /// A record that is not an article, judged from its headers; nothing was appended.
    Skipped {
        /// Byte offset of the record.
        offset: u64,
    },
    /// A malformed record; reading goes on at the next line that starts with `WARC/`, unless
    /// `fatal` (the stream cannot be read further).
    Bad {
        /// Byte offset where the bad record starts.
        offset: u64,
        /// What is wrong.
        message: String,
        /// True when nothing more can be read from the stream.
        fatal: bool,
    },
    /// End of the stream.
    End,
}

/// The longest header line (or line of garbage between records) held at once: 1 MiB.
pub const LINE_LIMIT: u64 = 1 << 20;

/// Cuts a decompressed WARC stream into records, keeping their offsets.
pub struct Framer<R> {
    reader: R,
    /// A line read ahead while looking for the next record.
    pending: Option<Vec<u8>>,
    /// Offset of the next unread byte (counting `pending` as unread).
    offset: u64,
    line: Vec<u8>,
}

/// The value of header `name` (case-insensitive) among `Name: value` lines.
pub fn header<'a>(lines: &'a [u8], name: &str) -> Option<&'a str> {
    for line in lines.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if line[..colon]
            .trim_ascii()
            .eq_ignore_ascii_case(name.as_bytes())
        {
            return std::str::from_utf8(line[colon + 1..].trim_ascii()).ok();
        }
    }
    None
}

/// True when an HTTP or WARC `Content-Type` may hold an article.
fn wanted_type(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return true; // sniffed later
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime.is_empty()
        || mime == "text/html"
        || mime == "application/xhtml+xml"
        || mime == "text/plain"
        || mime == "application/octet-stream"
}

/// The `charset` parameter of a `Content-Type`.
fn charset(content_type: Option<&str>) -> Option<&str> {
    content_type?.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// Splits `bytes` at the first blank line: (header lines, rest). Accepts bare `\n` line ends.
fn split_head(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut i = 0;
    while let Some(n) = bytes[i..].iter().position(|&b| b == b'\n') {
        let end = i + n + 1;
        let line = &bytes[i..end];
        if line == b"\n" || line == b"\r\n" {
            return Some((&bytes[..i], &bytes[end..]));
        }
        i = end;
    }
    None
}

impl<R: BufRead> Framer<R> {
    /// A framer at the start of `reader`.
    pub fn new(reader: R) -> Framer<R> {
        Framer {
            reader,
            pending: None,
            offset: 0,
            line: Vec::new(),
        }
    }

    /// Reads one line into `self.line` (the pending one first); false at the end. A line
    /// longer than [`LINE_LIMIT`] comes in pieces of that size, so that garbage without line
    /// ends is never held whole.
    fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        if let Some(p) = self.pending.take() {
            self.line = p;
        } else if (&mut self.reader)
            .take(LINE_LIMIT)
            .read_until(b'\n', &mut self.line)?
            == 0
        {
            return Ok(false);
        }
        self.offset += self.line.len() as u64;
        Ok(true)
    }

    /// Reads lines until one starts with `WARC/` and keeps it for the next record.
    fn resync(&mut self) -> io::Result<()> {
        while self.read_line()? {
            if self.line.starts_with(b"WARC/") {
                self.offset -= self.line.len() as u64;
                self.pending = Some(std::mem::take(&mut self.line));
                break;
            }
        }
        Ok(())
    }

    /// The next record, appended to `out` when it may be an article. An I/O error (a corrupt
    /// or cut gzip stream) comes back as a fatal [`Frame::Bad`].
    pub fn next(&mut self, out: &mut Vec<u8>) -> Frame {
        match self.try_next(out) {
            Ok(f) => f,
            Err((offset, e)) => Frame::Bad {
                offset,
                message: if e.kind() == io::ErrorKind::UnexpectedEof {
                    "the file ends inside this record (truncated)".to_string()
                } else {
                    format!("cannot read: {e}")
                },
                fatal: true,
            },
        }
    }

    fn try_next(&mut self, out: &mut Vec<u8>) -> Result<Frame, (u64, io::Error)> {
        // Blank lines between records (the record's own trailing CRLF CRLF).
        let offset = loop {
            let at = self.offset;
            if !self.read_line().map_err(|e| (at, e))? {
                return Ok(Frame::End);
            }
            if !self.line.trim_ascii().is_empty() {
                break at;
            }
        };
        let fail = |e| (offset, e);
        let start = out.len();
        if !self.line.starts_with(b"WARC/") {
            let got = String::from_utf8_lossy(&self.line[..self.line.len().min(40)])
                .trim_end()
                .to_string();
            self.resync().map_err(fail)?;
            return Ok(Frame::Bad {
                offset,
                message: format!("expected a record starting with \"WARC/\", got {got:?}"),
                fatal: false,
            });
        }
        out.extend_from_slice(&self.line);
        loop {
            if !self.read_line().map_err(fail)? {
                out.truncate(start);
                return Err(fail(io::ErrorKind::UnexpectedEof.into()));
            }
            out.extend_from_slice(&self.line);
            if self.line == b"\r\n" || self.line == b"\n" {
                break;
            }
            if out.len() - start > MAX_HEADER_BYTES {
                out.truncate(start);
                self.resync().map_err(fail)?;
                return Ok(Frame::Bad {
                    offset,
                    message: "no blank line after 1 MB of headers".into(),
                    fatal: false,
                });
            }
        }
        let head = &out[start..];
        let length = header(head, "Content-Length").map(|v| v.parse::<u64>());
        let length = match length {
            Some(Ok(n)) => n,
            other => {
                let message = match other {
                    None => "no Content-Length header".to_string(),
                    _ => format!(
                        "Content-Length is not a number: {:?}",
                        header(head, "Content-Length").unwrap_or_default()
                    ),
                };
                out.truncate(start);
                self.resync().map_err(fail)?;
                return Ok(Frame::Bad {
                    offset,
                    message,
                    fatal: false,
                });
            }
        };
        let kind = header(head, "WARC-Type").unwrap_or("").to_ascii_lowercase();
        let mut wanted = match kind.as_str() {
            "response" => true,
            "resource" | "conversion" => wanted_type(header(head, "Content-Type")),
            _ => false,
        };
        wanted &= length <= MAX_BLOCK_BYTES;
        if !wanted {
            out.truncate(start);
            let skipped =
                io::copy(&mut (&mut self.reader).take(length), &mut io::sink()).map_err(fail)?;
            self.offset += skipped;
            if skipped < length {
                return Err(fail(io::ErrorKind::UnexpectedEof.into()));
            }
            return Ok(Frame::Skipped { offset });
        }
        let read = (&mut self.reader)
            .take(length)
            .read_to_end(out)
            .map_err(fail)?;
        self.offset += read as u64;
        if (read as u64) < length {
            out.truncate(start);
            return Ok(Frame::Bad {
                offset,
                message: format!("the file ends inside this record: {read} of {length} bytes"),
                fatal: true,
            });
        }
        Ok(Frame::Record {
            offset,
            len: out.len() - start,
        })
    }
}

/// Undoes chunked transfer coding.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let nl = body
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("chunked body without a chunk size line")?;
        let size_line = std::str::from_utf8(&body[..nl]).map_err(|_| "bad chunk size")?;
        let hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(hex, 16).map_err(|_| {
            format!(
                "bad chunk size {:?}",
                hex.chars().take(20).collect::<String>()
            )
        })?;
        body = &body[nl + 1..];
        if size == 0 {
            return Ok(out);
        }
        if size > body.len() {
            // A cut transfer: keep what arrived.
            out.extend_from_slice(body);
            return Ok(out);
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
    }
}

/// Undoes a `Content-Encoding`.
fn decode_content(body: Vec<u8>, encoding: Option<&str>) -> Result<Vec<u8>, String> {
    let enc = encoding.unwrap_or("").trim().to_ascii_lowercase();
    let mut out = Vec::new();
    match enc.as_str() {
        "" | "identity" | "none" => return Ok(body),
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut out),
        "deflate" => {
            // Servers send zlib-wrapped or raw deflate under this name.
            let r = flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out);
            if r.is_err() {
                out.clear();
                flate2::read::DeflateDecoder::new(&body[..]).read_to_end(&mut out)
            } else {
                r
            }
        }
        other => return Err(format!("unsupported Content-Encoding {other:?}")),
    }
    .map_err(|e| format!("cannot decode Content-Encoding {enc}: {e}"))?;
    Ok(out)
}

/// The outlet of a URL: its host, lower case, without `www.`, `m.`, `mobile.` or `amp.` in
/// front.
///
/// ```
/// use neardup::input::warc::outlet_of;
/// assert_eq!(outlet_of("https://www.Example.co.uk:8080/a?b").as_deref(), Some("example.co.uk"));
/// assert_eq!(outlet_of("http://m.news.example/x").as_deref(), Some("news.example"));
/// assert_eq!(outlet_of("not a url"), None);
/// ```
pub fn outlet_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url.trim().trim_matches(['<', '>'])).ok()?;
    let mut host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    for prefix in ["www.", "m.", "mobile.", "amp."] {
        if host.len() > prefix.len() + 3
            && host.starts_with(prefix)
            && host[prefix.len()..].contains('.')
        {
            host.drain(..prefix.len());
            break;
        }
    }
    (!host.is_empty()).then_some(host)
}

/// True when a body without a usable `Content-Type` looks like HTML.
fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    head[start..].first() == Some(&b'<')
}

/// Turns one WARC record (header and block, as framed by [`Framer`]) into a document, or says
/// why it is skipped. The error is the message to print after `file: record N: `.
pub fn parse_record(bytes: &[u8]) -> Result<Parsed, String> {
    let (head, block) = split_head(bytes).ok_or("no blank line after the WARC headers")?;
    let length: usize = header(head, "Content-Length")
        .and_then(|v| v.parse().ok())
        .ok_or("no Content-Length header")?;
    let block = block
        .get(..length)
        .ok_or("record shorter than its Content-Length")?;
    let kind = header(head, "WARC-Type").unwrap_or("").to_ascii_lowercase();
    let url = header(head, "WARC-Target-URI").map(|u| u.trim_matches(['<', '>']).to_string());
    let id = header(head, "WARC-Record-ID").map(|i| i.trim_matches(['<', '>']).to_string());
    let warc_date = header(head, "WARC-Date").map(str::to_string);
    let (body, content_type): (Vec<u8>, Option<String>) = match kind.as_str() {
        "response" => {
            if !block.starts_with(b"HTTP/") {
                return Ok(Parsed::Skip("response without an HTTP status line"));
            }
            let (http, payload) =
                split_head(block).ok_or("no blank line after the HTTP headers")?;
            let status_line = http.split(|&b| b == b'\n').next().unwrap_or_default();
            let status = status_line
                .split(|&b| b == b' ')
                .nth(1)
                .and_then(|s| std::str::from_utf8(s).ok())
                .and_then(|s| s.trim().parse::<u16>().ok())
                .ok_or("no status code in the HTTP status line")?;
            if !(200..300).contains(&status) {
                return Ok(Parsed::Skip("HTTP status other than 2xx"));
            }
            let ct = header(http, "Content-Type").map(str::to_string);
            if !wanted_type(ct.as_deref()) {
                return Ok(Parsed::Skip("not HTML or text"));
            }
            let chunked = header(http, "Transfer-Encoding")
                .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
            let payload = if chunked {
                dechunk(payload)?
            } else {
                payload.to_vec()
            };
            (
                decode_content(payload, header(http, "Content-Encoding"))?,
                ct,
            )
        }
        "resource" | "conversion" => (
            block.to_vec(),
            header(head, "Content-Type").map(str::to_string),
        ),
        _ => {
            return Ok(Parsed::Skip(
                "not a response, resource or conversion record",
            ))
        }
    };
    let mime = content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_html = match mime.as_str() {
        "text/html" | "application/xhtml+xml" => true,
        "text/plain" => false,
        _ if kind == "conversion" => false,
        "" | "application/octet-stream" => looks_like_html(&body),
        _ => return Ok(Parsed::Skip("not HTML or text")),
    };
    let text = super::charset::decode(&body, charset(content_type.as_deref()), url.as_deref());
    let outlet = url.as_deref().and_then(outlet_of);
    let record = if is_html {
        let page = super::html::extract(&text);
        Record {
            id,
            text: page.text,
            title: page.title,
            outlet,
            date: page.date.or(warc_date),
            url,
        }
    } else {
        Record {
            id,
            text: text.into_owned(),
            title: None,
            outlet,
            date: warc_date,
            url,
        }
    };
    Ok(Parsed::Doc(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn frames(data: &[u8]) -> Vec<(Frame, Vec<u8>)> {
        frames_after(&mut Framer::new(data))
    }

    fn frames_after<R: BufRead>(f: &mut Framer<R>) -> Vec<(Frame, Vec<u8>)> {
        let mut v = Vec::new();
        loop {
            let mut out = Vec::new();
            match f.next(&mut out) {
                Frame::End => return v,
                fr => v.push((fr, out)),
            }
        }
    }

    #[test]
    fn frames_records_skips_others_and_resyncs_after_garbage() {
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Hi</p>";
        let a = record("warcinfo", "", b"software: x\r\n");
        let b = record(
            "response",
            "WARC-Target-URI: http://www.a.example/x\r\n",
            html,
        );
        let mut data = a.clone();
        data.extend_from_slice(&b);
        data.extend_from_slice(b"garbage line\r\nmore\r\n");
        let c = record("conversion", "Content-Type: text/plain\r\n", b"plain");
        data.extend_from_slice(&c);
        let got = frames(&data);
        assert_eq!(got[0].0, Frame::Skipped { offset: 0 });
        assert_eq!(
            got[1].0,
            Frame::Record {
                offset: a.len() as u64,
                len: b.len() - 4
            }
        );
        assert_eq!(got[1].1, &b[..b.len() - 4]);
        assert!(
            matches!(&got[2].0, Frame::Bad { fatal: false, message, .. } if message.contains("garbage")),
            "{:?}",
            got[2].0
        );
        let c_at = (a.len() + b.len() + 20) as u64;
        assert_eq!(
            got[3].0,
            Frame::Record {
                offset: c_at,
                len: c.len() - 4
            }
        );
        assert_eq!(
            &data[c_at as usize..c_at as usize + c.len() - 4],
            &got[3].1[..]
        );
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn truncated_record_is_fatal_and_says_so() {
        let mut r = record("response", "", b"HTTP/1.1 200 OK\r\n\r\n<p>long body</p>");
        r.truncate(r.len() - 10);
        let got = frames(&r);
        assert!(
            matches!(&got[0].0, Frame::Bad { fatal: true, message, .. } if message.contains("ends inside")),
            "{:?}",
            got[0].0
        );
        let got = frames(b"WARC/1.0\r\nWARC-Type: response\r\n\r\n");
        assert!(
            matches!(&got[0].0, Frame::Bad { message, .. } if message == "no Content-Length header")
        );
    }

    #[test]
    fn parses_responses_with_chunks_gzip_and_charsets() {
        use std::io::Write;
        let page = "<html><head><title>T</title></head><body><p>Caf\u{e9} news.</p></body></html>";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        gz.write_all(page.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let mut chunked = format!("{:x}\r\n", 10).into_bytes();
        chunked.extend_from_slice(&gz[..10]);
        chunked.extend_from_slice(format!("\r\n{:x};ext=1\r\n", gz.len() - 10).as_bytes());
        chunked.extend_from_slice(&gz[10..]);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        http.extend_from_slice(&chunked);
        let r = record(
            "response",
            "WARC-Target-URI: https://www.paper.example/a\r\nWARC-Date: 2024-05-01T00:00:00Z\r\n",
            &http,
        );
        let Parsed::Doc(d) = parse_record(&r[..r.len() - 4]).unwrap() else {
            panic!("skipped")
        };
        assert_eq!(d.text, "Caf\u{e9} news.");
        assert_eq!(d.title.as_deref(), Some("T"));
        assert_eq!(d.outlet.as_deref(), Some("paper.example"));
        assert_eq!(d.date.as_deref(), Some("2024-05-01T00:00:00Z"));
        assert_eq!(d.id.as_deref(), Some("urn:uuid:response"));

        let latin = record(
            "response",
            "",
            b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>caf\xe9</p>",
        );
        let Parsed::Doc(d) = parse_record(&latin).unwrap() else {
            panic!()
        };
        assert_eq!(d.text, "caf\u{e9}");
    }

    #[test]
    fn skips_what_is_not_an_article() {
        for (kind, block) in [
            (
                "response",
                &b"HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n"[..],
            ),
            (
                "response",
                b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
            ),
            ("request", b"GET / HTTP/1.1\r\n\r\n"),
            ("metadata", b"via: x\r\n"),
        ] {
            let r = record(kind, "", block);
            assert!(matches!(parse_record(&r), Ok(Parsed::Skip(_))), "{kind}");
        }
        let r = record(
            "response",
            "",
            b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx",
        );
        assert!(parse_record(&r).unwrap_err().contains("br"));
    }
}
