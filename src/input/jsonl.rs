//! One JSON Lines record to a [`Record`].
//!
//! Owns: picking the configured fields out of a JSON object without building a tree of the
//! fields it does not need, and the wording of every per-line error. Must not: do I/O or decide
//! ids for lines that have none (the caller knows the file and line).

use crate::config::FieldNames;
use crate::document::Record;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;
use std::io::Write as _;

#[derive(Clone, Copy)]
enum Which {
    Id,
    Text,
    Title,
    Outlet,
    Date,
    Url,
    Other,
}

struct KeySeed<'a>(&'a FieldNames);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Which;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Which, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Which;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Which, E> {
        let n = self.0;
        Ok(if v == n.text {
            Which::Text
        } else if v == n.id {
            Which::Id
        } else if v == n.title {
            Which::Title
        } else if v == n.outlet {
            Which::Outlet
        } else if v == n.date {
            Which::Date
        } else if v == n.url {
            Which::Url
        } else {
            Which::Other
        })
    }
}

/// The raw values of the wanted fields; the rest is skipped. With `raw_text`, the text field
/// is taken as written ([`RawValue`]) and unescaped by [`unescape`].
struct RecordSeed<'a> {
    fields: &'a FieldNames,
    raw_text: bool,
}

#[derive(Default)]
struct RawFields<'de> {
    values: [Option<Value>; 6],
    /// The text field as written (not unescaped yet).
    text: Option<&'de RawValue>,
    /// The id field was written `-0` (which serde_json reads as a float).
    negative_zero_id: bool,
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = RawFields<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields<'de>, A::Error> {
        let mut raw = RawFields::default();
        while let Some(which) = map.next_key_seed(KeySeed(self.fields))? {
            let slot = match which {
                Which::Id => {
                    let v = map.next_value::<&RawValue>()?;
                    raw.negative_zero_id = v.get() == "-0";
                    raw.values[0] = Some(serde_json::from_str(v.get()).map_err(A::Error::custom)?);
                    continue;
                }
                Which::Text if self.raw_text => {
                    raw.text = Some(map.next_value::<&RawValue>()?);
                    continue;
                }
                Which::Text => 1,
                Which::Title => 2,
                Which::Outlet => 3,
                Which::Date => 4,
                Which::Url => 5,
                Which::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            raw.values[slot] = Some(map.next_value::<Value>()?);
        }
        Ok(raw)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Strips serde_json's " at line L column N" and puts the place in front (the column alone for
/// a line of JSON Lines).
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => &msg,
    };
    if e.line() > 1 {
        // A whole `.json` file spread over lines.
        return format!(
            "invalid JSON at line {}, column {}: {msg}",
            e.line(),
            e.column()
        );
    }
    format!("invalid JSON at column {}: {msg}", e.column())
}

/// The value of each ASCII hex digit, 0x10 for any other byte.
const HEX: [u8; 256] = {
    let mut t = [0x10u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The code unit of the four hex digits at `b[at..]`, when there are four.
fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let h = b.get(at..at + 4)?;
    let d = [
        HEX[h[0] as usize],
        HEX[h[1] as usize],
        HEX[h[2] as usize],
        HEX[h[3] as usize],
    ];
    if (d[0] | d[1] | d[2] | d[3]) & 0x10 != 0 {
        return None;
    }
    Some(u32::from(d[0]) << 12 | u32::from(d[1]) << 8 | u32::from(d[2]) << 4 | u32::from(d[3]))
}

/// The string a JSON string literal `raw` (quotes included) stands for, when it is a string
/// with valid escapes (serde_json has checked the syntax and that no control character is
/// left raw); `None` for anything else (another kind of value, a lone surrogate), which the
/// caller hands to serde_json.
///
/// Text written with every non-ASCII character escaped (`\u0436`, as Python's `json.dumps`
/// writes by default) is mostly escapes: runs of escapes are decoded one after another, and
/// `memchr` looks for the next one only past a run of plain text.
fn unescape(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', &b[i..]) {
        out.push_str(&inner[i..i + off]);
        i += off;
        // `b[i]` is a backslash. Escapes are decoded while they follow each other, or stand
        // one ASCII byte apart (a space between two escaped words).
        loop {
            let (c, len) = escape_at(b, i)?;
            out.push(c);
            i += len;
            match b.get(i) {
                Some(b'\\') => {}
                Some(&x) if x.is_ascii() && b.get(i + 1) == Some(&b'\\') => {
                    out.push(char::from(x));
                    i += 1;
                }
                _ => break,
            }
        }
    }
    out.push_str(&inner[i..]);
    Some(out)
}

/// The escape that starts at `b[i]` (a backslash): the character it stands for and how many
/// bytes it takes; `None` for an escape [`unescape`] leaves to serde_json.
fn escape_at(b: &[u8], i: usize) -> Option<(char, usize)> {
    let c = match *b.get(i + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let first = hex4(b, i + 2)?;
            return match first {
                0xD800..=0xDBFF => {
                    if b.get(i + 6..i + 8)? != b"\\u" {
                        return None;
                    }
                    let second = hex4(b, i + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&second) {
                        return None;
                    }
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    Some((char::from_u32(code)?, 12))
                }
                0xDC00..=0xDFFF => None,
                c => Some((char::from_u32(c)?, 6)),
            };
        }
        _ => return None,
    };
    Some((c, 2))
}

/// Parses one line. The error is the message to print after `file:line: `.
pub fn parse_record(line: &[u8], fields: &FieldNames) -> Result<Record, String> {
    // The vectorized check first; std's, which says where the error is, when it fails.
    let text = match simdutf8::basic::from_utf8(line) {
        Ok(text) => text,
        Err(_) => std::str::from_utf8(line)
            .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1))?,
    };
    // Byte order marks left at the start of a line (files joined with `cat`) are not JSON.
    let text = text.trim_start_matches('\u{FEFF}');
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        let got = match serde_json::from_str::<Value>(text) {
            Ok(v) => kind(&v).to_string(),
            Err(e) => return Err(json_error(&e)),
        };
        return Err(format!("expected a JSON object, got {got}"));
    }
    // The fast way first (the text unescaped into one string of the right size); a line it
    // does not take, valid or not, is parsed the general way, which gives its record or the
    // error it always gave.
    parse_object(text, fields, true, None).or_else(|_| parse_object(text, fields, false, None))
}

/// [`parse_record`] of a JSON object that holds the fields other than the text, with the text
/// given beside it (a Parquet row: see [`crate::input::parquet`]). A text field in `object` is
/// ignored.
pub fn parse_record_with_text(
    object: &str,
    fields: &FieldNames,
    text: String,
) -> Result<Record, String> {
    parse_object(object, fields, true, Some(text))
}

/// Appends `s` to `out` as a JSON string, quotes included: `"`, `\\` and control characters
/// escaped, everything else as it is. Eight bytes are looked at a time, since long article
/// texts hold few characters to escape (serde_json looks at one byte at a time).
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// True when some byte of `w` is below 0x20, a quote or a backslash.
    fn special(w: u64) -> bool {
        let below = w.wrapping_sub(ONES * 0x20) & !w;
        let q = w ^ (ONES * u64::from(b'"'));
        let b = w ^ (ONES * u64::from(b'\\'));
        (below | (q.wrapping_sub(ONES) & !q) | (b.wrapping_sub(ONES) & !b)) & HIGH != 0
    }
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let w = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
            if !special(w) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        for (k, &c) in bytes[i..end].iter().enumerate() {
            let escape: &[u8] = match c {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                c if c < 0x20 => b"",
                _ => continue,
            };
            out.extend_from_slice(&bytes[done..i + k]);
            if escape.is_empty() {
                write!(out, "\\u{:04x}", c).expect("writing to memory");
            } else {
                out.extend_from_slice(escape);
            }
            done = i + k + 1;
        }
        i = end;
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
}

/// [`parse_record`] of a line that starts with `{`; see [`RecordSeed`] for `raw_text`. A
/// `given` text stands for the text field.
fn parse_object(
    text: &str,
    fields: &FieldNames,
    raw_text: bool,
    given: Option<String>,
) -> Result<Record, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = serde::Deserializer::deserialize_map(&mut de, RecordSeed { fields, raw_text })
        .map_err(|e| json_error(&e))?;
    de.end().map_err(|e| json_error(&e))?;
    let negative_zero_id = raw.negative_zero_id;
    let [id, body, title, outlet, date, url] = raw.values;
    let body = match (given, raw.text) {
        (Some(given), _) => Some(Value::String(given)),
        (None, Some(r)) => Some(Value::String(unescape(r.get()).ok_or_else(String::new)?)),
        (None, None) => body,
    };
    let text = match body {
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(format!(
                "field {:?} must be a string, got {}",
                fields.text,
                kind(&other)
            ))
        }
        None => return Err(format!("no {:?} field", fields.text)),
    };
    let id = match id {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => {
            return Err(format!("field {:?} is an empty string", fields.id))
        }
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        // `-0` is the integer 0, so the same id as `0` and `"0"`.
        Some(Value::Number(_)) if negative_zero_id => Some("0".to_string()),
        Some(other) => {
            return Err(format!(
                "field {:?} must be a string or an integer, got {}",
                fields.id,
                kind(&other)
            ))
        }
    };
    let meta = |v: Option<Value>, name: &str| -> Result<Option<String>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!(
                "field {name:?} must be a string or null, got {}",
                kind(&other)
            )),
        }
    };
    Ok(Record {
        id,
        text,
        title: meta(title, &fields.title)?,
        outlet: meta(outlet, &fields.outlet)?,
        date: meta(date, &fields.date)?,
        url: meta(url, &fields.url)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Record, String> {
        parse_record(s.as_bytes(), &FieldNames::default())
    }

    proptest::proptest! {
        #[test]
        fn strings_written_as_json_read_back_the_same(s in "(\\PC|[\\x00-\\x1f\"\\\\])*") {
            let mut out = Vec::new();
            write_json_str(&mut out, &s);
            let back: String = serde_json::from_slice(&out).unwrap();
            proptest::prop_assert_eq!(back, s);
        }

        /// Text fields unescaped the fast way equal serde_json's strings, and lines the fast
        /// way does not take (lone surrogates, other values, bad escapes) give what the
        /// general parser gives.
        #[test]
        fn fast_text_matches_serde_json(
            t in "([a-z \"\\\\/\u{e9}\u{65e5}\u{1F600}\n\t]|\\\\u(00[0-9a-f]{2}|[dD][89abAB][0-9a-f]{2}|[dD][c-fC-F][0-9a-f]{2}|20[0-9a-f]{2})|\\\\[nrtbf/]){0,20}"
        ) {
            let line = format!("{{\"id\":\"x\",\"text\":\"{t}\"}}");
            let fast = parse_object(&line, &FieldNames::default(), true, None);
            let slow = parse_object(&line, &FieldNames::default(), false, None);
            if let Ok(r) = &fast {
                proptest::prop_assert_eq!(Ok(r.clone()), slow.clone());
            }
            proptest::prop_assert_eq!(parse(&line), slow);
        }
    }

    #[test]
    fn reads_wanted_fields_and_skips_others() {
        let r = parse(r#"{"id":"a1","extra":{"deep":[1,2,{"x":null}]},"text":"Hello \u201cworld\u201d","title":"T","outlet":null,"date":"2024-01-02","url":"http://x"}"#).unwrap();
        assert_eq!(r.id.as_deref(), Some("a1"));
        assert_eq!(r.text, "Hello \u{201C}world\u{201D}");
        assert_eq!(r.title.as_deref(), Some("T"));
        assert_eq!(r.outlet, None);
        assert_eq!(r.date.as_deref(), Some("2024-01-02"));
        assert_eq!(r.url.as_deref(), Some("http://x"));
    }

    #[test]
    fn integer_ids_become_strings_and_missing_ids_are_none() {
        assert_eq!(
            parse(r#"{"id":42,"text":"x"}"#).unwrap().id.as_deref(),
            Some("42")
        );
        assert_eq!(parse(r#"{"text":"x"}"#).unwrap().id, None);
        // -0 is the integer 0; other floats stay rejected.
        assert_eq!(
            parse(r#"{"id": -0 ,"text":"x"}"#).unwrap().id.as_deref(),
            Some("0")
        );
        assert!(parse(r#"{"id":-0.0,"text":"x"}"#).is_err());
        assert!(parse(r#"{"id":0.0,"text":"x"}"#).is_err());
    }

    #[test]
    fn renamed_fields() {
        let f = FieldNames {
            id: "doc_id".into(),
            text: "body".into(),
            ..FieldNames::default()
        };
        let r = parse_record(br#"{"doc_id":"z","body":"b","text":7}"#, &f).unwrap();
        assert_eq!((r.id.as_deref(), r.text.as_str()), (Some("z"), "b"));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(parse(r#"{"id":"a"}"#).unwrap_err(), r#"no "text" field"#);
        assert_eq!(
            parse(r#"{"text":5}"#).unwrap_err(),
            r#"field "text" must be a string, got a number"#
        );
        assert_eq!(
            parse(r#"{"text":"x","id":[1]}"#).unwrap_err(),
            r#"field "id" must be a string or an integer, got an array"#
        );
        assert_eq!(
            parse("[1,2]").unwrap_err(),
            "expected a JSON object, got an array"
        );
        assert!(parse(r#"{"text": "x""#)
            .unwrap_err()
            .starts_with("invalid JSON at column"));
        assert!(parse(r#"{"text":"x"} trailing"#)
            .unwrap_err()
            .starts_with("invalid JSON"));
        assert_eq!(
            parse_record(b"{\"text\":\"\xff\"}", &FieldNames::default()).unwrap_err(),
            "invalid UTF-8 at byte 10"
        );
    }
}
