//! What each fuzz target checks, on any bytes. Shared by the cargo-fuzz targets in
//! `fuzz_targets/` (nightly) and by `tests/fuzz_regressions.rs` (stable `cargo test`), which
//! runs every file of `tests/fuzz-regressions/<target>/` through the same function.
//!
//! Adding a reader: write one `pub fn <target>(data: &[u8])` here, one file in
//! `fuzz_targets/`, one `[[bin]]` in `Cargo.toml`, and one line in the regression test.
#![allow(dead_code)] // each target uses one function

use neardup::config::FieldNames;
use neardup::definition::ShingleMode;
use neardup::input::{self, jsonl::parse_record, Compression, Content, Format, InputSet, LineRef};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::io::Write;

/// A small line limit, so that the fuzzer reaches the over-long line path.
pub const MAX_LINE: usize = 1 << 12;

/// A line as the reader hands it out, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub line: u64,
    pub offset: u64,
    pub bytes: Vec<u8>,
    pub unreadable: bool,
}

/// Checks the invariants of the lines of one input and returns them owned.
fn collect(read: impl FnOnce(&mut dyn FnMut(LineRef<'_>))) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    read(&mut |l: LineRef<'_>| {
        let loc = l.location;
        if let Some(prev) = out.last() {
            assert!(loc.line > prev.line, "line numbers increase");
            assert!(loc.offset >= prev.offset, "offsets do not go back");
        }
        let bytes = match l.content {
            Content::Bad(m) => {
                assert!(!m.is_empty());
                assert_eq!(loc.len, 0);
                &[][..]
            }
            Content::Skipped => panic!("a line is never skipped"),
            Content::Bytes(bytes) => {
                assert!(bytes.len() <= MAX_LINE, "a line over the limit was held");
                assert_eq!(bytes.len(), loc.len as usize);
                assert!(!bytes.contains(&b'\n'));
                assert!(
                    !bytes.iter().all(u8::is_ascii_whitespace),
                    "blank lines skipped"
                );
                bytes
            }
        };
        out.push(Line {
            line: loc.line,
            offset: loc.offset,
            bytes: bytes.to_vec(),
            unreadable: matches!(l.content, Content::Bad(_)),
        });
    });
    out
}

/// The lines of `data` read in memory by [`input::read_lines`].
pub fn lines_of(data: &[u8]) -> Vec<Line> {
    collect(|f| input::read_lines(data, MAX_LINE, f))
}

/// The JSONL reader: cutting into lines (plain, or compressed by magic bytes), parsing each
/// line, and annotating each accepted record for the removed output of `dedupe`.
pub fn jsonl(data: &[u8]) {
    let fields = FieldNames::default();
    let lines = lines_of(data);
    let plain = Compression::detect(data) == Compression::None;
    for l in &lines {
        if plain && !l.unreadable {
            let at = &data[l.offset as usize..l.offset as usize + l.bytes.len()];
            assert_eq!(at, &l.bytes[..], "a plain line is its bytes at its offset");
        }
        if l.unreadable {
            continue;
        }
        if let Ok(rec) = parse_record(&l.bytes, &fields) {
            let out = neardup::report::dedupe::annotate(&l.bytes, "kept\"id", 7)
                .expect("an accepted record can be annotated");
            assert!(!out.contains(&b'\n'), "annotated record is one line");
            // Raw values: numbers out of range are valid JSON, kept as written.
            let v: HashMap<String, Box<RawValue>> =
                serde_json::from_slice(&out).expect("an annotated record is JSON");
            let get = |k: &str| v.get(k).map(|r| r.get());
            assert_eq!(get("duplicate_of"), Some(r#""kept\"id""#));
            assert_eq!(get("cluster"), Some("7"));
            let text: String = serde_json::from_str(get("text").expect("text kept")).unwrap();
            assert_eq!(text, rec.text, "text kept");
        }
    }
}

/// Reads `payload` compressed by `compress` and checks it gives the lines of the plain
/// payload; or reads `magic` + `payload` as a (mostly corrupt) compressed stream.
fn compressed(data: &[u8], magic: &[u8], compress: fn(&[u8]) -> Vec<u8>) {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let mut raw = magic.to_vec();
        raw.extend_from_slice(payload);
        let _ = lines_of(&raw);
    } else if Compression::detect(payload) == Compression::None {
        assert_eq!(
            lines_of(&compress(payload)),
            lines_of(payload),
            "compressed and plain read the same"
        );
    }
}

/// The gzip reader: corrupt gzip streams, and gzip of any text read as the text itself.
pub fn read_gzip(data: &[u8]) {
    compressed(data, &[0x1f, 0x8b], |p| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(p).unwrap();
        e.finish().unwrap()
    });
}

/// The zstd reader: corrupt zstd frames, and zstd of any text read as the text itself.
pub fn read_zstd(data: &[u8]) {
    compressed(data, &[0x28, 0xb5, 0x2f, 0xfd], |p| {
        zstd::encode_all(p, 1).unwrap()
    });
}

/// The file reader: [`InputSet::scan`] on a file of `data` cuts the same lines as the reader
/// in memory, and [`InputSet::fetch`] reads every line back by location. (A file whose
/// decompressed bytes start with `WARC/` is a web archive whatever its name: see [`warc()`].)
pub fn scan_file(data: &[u8]) {
    if starts_as_warc(data) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, data).unwrap();
    let mut set = InputSet::open(std::slice::from_ref(&path)).unwrap();
    let mut locations = Vec::new();
    let scanned = collect(|f| {
        set.scan(64, MAX_LINE, &FieldNames::default(), |batch| {
            for l in batch.lines() {
                assert_eq!(l.format, Format::Jsonl);
                if let Content::Bytes(_) = l.content {
                    locations.push(l.location);
                }
                f(l);
            }
            Ok(())
        })
        .unwrap()
    });
    assert_eq!(scanned, lines_of(data), "file and memory read the same");
    let wanted: Vec<_> = locations.iter().map(|&l| (l, l.line)).collect();
    let mut back = Vec::new();
    set.fetch(&wanted, |line, bytes| {
        back.push((line, bytes.to_vec()));
        Ok(())
    })
    .expect("every line scanned can be read again");
    let good: Vec<(u64, Vec<u8>)> = scanned
        .into_iter()
        .filter(|l| !l.unreadable)
        .map(|l| (l.line, l.bytes))
        .collect();
    assert_eq!(back, good);
}

/// Normalization and shingling of any text (bytes read as lossy UTF-8): normalization is
/// idempotent, the fast shingling path agrees with normalize-then-shingle, sets are sorted
/// and distinct; wire attribution, the change diff and HTML escaping take any text.
pub fn normalize_shingle(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let n = neardup::normalize::normalize(&text);
    assert_eq!(neardup::normalize::normalize(&n), n, "idempotent");
    for mode in [
        ShingleMode::default(),
        ShingleMode::Words(1),
        ShingleMode::Words(3),
        ShingleMode::Chars(1),
        ShingleMode::Chars(3),
    ] {
        let fast = neardup::shingle::shingles_of_text(&text, mode, 7);
        let slow = neardup::shingle::shingles(&n, mode, 7);
        assert_eq!(fast.hashes, slow.hashes, "{mode}");
        assert!(
            fast.hashes.windows(2).all(|w| w[0] < w[1]),
            "sorted, distinct"
        );
    }
    let _ = neardup::wire::attribute(&text, Some(&text));
    let mid = (0..=text.len() / 2)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let _ = neardup::report::changes::changes(&text[..mid], &text[mid..]);
    let escaped = neardup::report::html::escape(&text);
    assert!(!escaped.contains(['<', '>', '"', '\'']), "escaped");
}

/// True when `data`, decompressed as the reader would, starts with `WARC/`.
fn starts_as_warc(data: &[u8]) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let _ = match Compression::detect(data) {
        Compression::None => (&data[..data.len().min(5)]).read_to_end(&mut head),
        Compression::Gzip => flate2::read::MultiGzDecoder::new(data)
            .take(5)
            .read_to_end(&mut head),
        Compression::Zstd => match zstd::stream::read::Decoder::new(data) {
            Ok(d) => d.take(5).read_to_end(&mut head),
            Err(_) => Ok(0),
        },
        // Not read: one bad unit naming the format.
        Compression::Xz | Compression::Bzip2 => Ok(0),
    };
    head.starts_with(b"WARC/")
}

/// The WARC reader: the framer on any bytes (plain, or gzip/zstd by magic bytes) in memory,
/// every record it hands out parsed by `warc::parse_record`; and the same bytes as a `.warc`
/// file through [`InputSet::scan`] and [`InputSet::fetch`].
pub fn warc(data: &[u8]) {
    use neardup::input::warc::{Frame, Framer};
    let plain = Compression::detect(data) == Compression::None;
    let mut framed: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut frames = 0usize;
    if plain {
        let mut framer = Framer::new(data);
        let mut buf = Vec::new();
        let mut last: Option<u64> = None;
        loop {
            frames += 1;
            assert!(frames <= data.len() + 2, "the framer makes progress");
            buf.clear();
            let offset = match framer.next(&mut buf) {
                Frame::End => break,
                Frame::Record { offset, len } => {
                    assert_eq!(buf.len(), len);
                    let at = &data[offset as usize..offset as usize + len];
                    assert_eq!(at, &buf[..], "a record is its bytes at its offset");
                    assert!(buf.starts_with(b"WARC/"));
                    let _ = neardup::input::warc::parse_record(&buf);
                    framed.push((offset, buf.clone()));
                    offset
                }
                Frame::Skipped { offset } => offset,
                Frame::Bad {
                    offset,
                    message,
                    fatal,
                } => {
                    assert!(!message.is_empty());
                    if fatal {
                        break;
                    }
                    offset
                }
            };
            assert!(offset as usize <= data.len());
            if let Some(l) = last {
                assert!(offset > l, "record offsets increase");
            }
            last = Some(offset);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.warc");
    std::fs::write(&path, data).unwrap();
    let mut set = InputSet::open(std::slice::from_ref(&path)).unwrap();
    let mut scanned: Vec<(neardup::document::Location, Vec<u8>)> = Vec::new();
    set.scan(64, MAX_LINE, &FieldNames::default(), |batch| {
        for l in batch.lines() {
            assert_eq!(l.format, Format::Warc);
            match l.content {
                Content::Bytes(b) => {
                    assert_eq!(b.len(), l.location.len as usize);
                    scanned.push((l.location, b.to_vec()));
                }
                Content::Bad(m) => assert!(!m.is_empty()),
                Content::Skipped => {}
            }
        }
        Ok(())
    })
    .expect("a bad archive is bad units, not an error");
    if plain {
        let from_file: Vec<(u64, Vec<u8>)> =
            scanned.iter().map(|(l, b)| (l.offset, b.clone())).collect();
        assert_eq!(from_file, framed, "file and memory frame the same records");
    }
    let wanted: Vec<_> = scanned.iter().map(|(l, _)| (*l, l.line)).collect();
    let mut back = Vec::new();
    set.fetch(&wanted, |line, bytes| {
        back.push((line, bytes.to_vec()));
        Ok(())
    })
    .expect("every record scanned can be read again");
    let good: Vec<(u64, Vec<u8>)> = scanned.into_iter().map(|(l, b)| (l.line, b)).collect();
    assert_eq!(back, good);
}

/// A valid index segment of a few documents (one short), written once per process.
fn segment_bytes() -> &'static [u8] {
    use neardup::index::segment::{write_segment, NewDoc, StoredMeta};
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.nds");
        let mut f = std::fs::File::create_new(&path).unwrap();
        let sets: Vec<Vec<u64>> = (0..6u64)
            .map(|d| (0..d * 3 + 2).map(|i| (d << 33) + i).collect())
            .collect();
        let keys: Vec<Vec<u64>> = (0..6u64).map(|d| vec![d % 2, d << 40]).collect();
        let docs = (0..6usize).map(|d| {
            let short = d == 4;
            Ok(NewDoc {
                meta: StoredMeta {
                    id: format!("doc-{d}"),
                    title: Some(format!("Title {d}")),
                    outlet: (d % 2 == 0).then(|| "Outlet".to_string()),
                    date: Some("2024-01-02".into()),
                    url: None,
                    shingles: if short { 0 } else { sets[d].len() as u32 },
                    short,
                },
                keys: std::borrow::Cow::Borrowed(if short { &[] } else { &keys[d] }),
                set: std::borrow::Cow::Borrowed(if short { &[][..] } else { &sets[d][..] }),
                samples: if short {
                    vec![]
                } else {
                    vec![(d as u64 % 3) << 32]
                },
            })
        });
        write_segment(&mut f, &path, 7, 2, docs).unwrap();
        std::fs::read(&path).unwrap()
    })
}

/// The index segment reader on damaged files: a valid segment with bytes changed as `data`
/// says (pairs of a 2-byte position and a byte to xor in; an odd last byte cuts the file
/// there, as a fraction of its length), or `data` itself as a segment file when it starts
/// with `!`. Opening and every lookup must give an answer or an error, never a panic or a
/// read out of bounds; the undamaged segment answers everything.
pub fn index_segment(data: &[u8]) {
    use neardup::index::segment::Segment;
    let mut bytes = segment_bytes().to_vec();
    let damaged = !data.is_empty();
    if let Some(raw) = data.strip_prefix(b"!") {
        bytes = raw.to_vec();
    } else {
        for pair in data.chunks(3) {
            match *pair {
                [hi, lo, x] => {
                    let at = (usize::from(hi) << 8 | usize::from(lo)) % bytes.len();
                    bytes[at] ^= x;
                }
                [cut, ..] => {
                    let keep = bytes.len() * usize::from(cut) / 256;
                    bytes.truncate(keep);
                }
                [] => {}
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.nds");
    std::fs::write(&path, &bytes).unwrap();
    let seg = match Segment::open(&path) {
        Ok(seg) => seg,
        Err(e) => {
            assert!(damaged, "the valid segment opens: {e}");
            return;
        }
    };
    let all_ok = [
        seg.verify_all().is_ok(),
        (0..seg.docs().min(64) as u32).all(|d| {
            [
                seg.set(d).is_ok(),
                seg.meta(d).is_ok(),
                seg.sample_count(d).is_ok(),
            ]
            .into_iter()
            .all(|x| x)
        }),
        (0..2).all(|b| {
            (0..4u64).all(|k| {
                seg.band_bucket(b, k, 100).is_ok() && seg.band_bucket(b, k << 40, 100).is_ok()
            })
        }),
        (0..4).all(|h| seg.sample_docs(h, 100).is_ok()),
        (0..8).all(|d| seg.find_id(&format!("doc-{d}")).is_ok()),
    ];
    if !damaged {
        assert!(
            all_ok.iter().all(|&x| x),
            "the valid segment answers everything"
        );
        assert_eq!(seg.docs(), 6);
        assert_eq!(seg.meta(3).unwrap().id, "doc-3");
        assert_eq!(seg.find_id("doc-5").unwrap(), Some(5));
        assert_eq!(seg.set(1).unwrap().len(), 5);
    }
}
