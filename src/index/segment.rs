//! One immutable segment file of a persistent index: writing it once, reading it through a
//! memory map with every byte checked before it is used.
//!
//! Owns: the segment file layout (below), its block checksums and the lookups a query needs
//! (band keys, samples, shingle sets, metadata, ids). Must not: decide what matches (that is
//! [`crate::index`] with [`crate::verify`]) or know about manifests.
//!
//! # Layout (format version 1, all integers little-endian)
//!
//! ```text
//! 0      header, HEADER_LEN = 512 bytes, zero-padded:
//!          0  magic  b"NDUPSEG\0"
//!          8  format version u32 (1), reserved u32
//!         16  params fingerprint u64 (xxh3 of the index parameters, as in the manifest)
//!         24  docs u64 (documents, short ones included), signed u64, bands u64
//!         48  samples u64 (entries of the sample table), block size u64
//!         64  data end u64, checks xxh3 u64 (xxh3 of the block checksum array)
//!         80  section table: SECTIONS x (offset u64, length u64), absolute byte ranges
//!        ...  header xxh3 u64 over bytes 0..(80 + 16 x SECTIONS)
//! 512    data: the sections, each starting on an 8-byte boundary
//! end    block checksums: xxh3 u64 of each BLOCK-byte block of 512..data end (the last one
//!        shorter), so that every byte of the file is covered by a checksum
//! ```
//!
//! Sections (document numbers are local to the segment, from 0):
//!
//! | # | name | content |
//! |---|---|---|
//! | 0 | sets | every document's sorted shingle hashes, u64 each, one after the other |
//! | 1 | set offsets | u64 x (docs + 1): document d's set is entries `o[d]..o[d+1]` of sets |
//! | 2 | meta | one JSON object per document: id, title, outlet, date, url, shingles, short |
//! | 3 | meta offsets | u64 x (docs + 1): byte ranges in meta |
//! | 4 | band keys | u64 x bands x signed: for each band, the keys of the signed documents, sorted |
//! | 5 | band docs | u32 x bands x signed: the document of each key above |
//! | 6 | samples | u64 x samples: sorted `(high 32 bits of a sampled shingle) << 32 | doc` |
//! | 7 | sample counts | u32 x docs: sampled shingles per document |
//! | 8 | id hashes | u64 x docs: xxh3 of each id, sorted |
//! | 9 | id docs | u32 x docs: the document of each id hash above |
//!
//! # Checking
//!
//! Opening reads and checks only the header (its checksum, the magic, the version, that every
//! section lies inside the data and has the length its counts imply, and the file length).
//! The block checksum array is checked against the header on first use; each data block is
//! checked against its checksum the first time a lookup touches it (a bit per block remembers
//! it). A flipped or missing byte is therefore an error before it can change an answer, and
//! opening stays cheap however large the segment. [`Segment::verify_all`] checks every block.

use crate::error::{Error, Result};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use xxhash_rust::xxh3::xxh3_64;

/// The first bytes of a segment file.
pub const MAGIC: &[u8; 8] = b"NDUPSEG\0";
/// The segment format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of the header area; data starts here.
pub const HEADER_LEN: u64 = 512;
/// Bytes per checksummed block.
pub const BLOCK: u64 = 16 << 10;
/// Number of sections.
pub const SECTIONS: usize = 10;

const SETS: usize = 0;
const SET_OFFSETS: usize = 1;
const META: usize = 2;
const META_OFFSETS: usize = 3;
const BAND_KEYS: usize = 4;
const BAND_DOCS: usize = 5;
const SAMPLES: usize = 6;
const SAMPLE_COUNTS: usize = 7;
const ID_HASHES: usize = 8;
const ID_DOCS: usize = 9;

/// What the index keeps of a document besides its shingle set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredMeta {
    /// Unique id.
    pub id: String,
    /// Headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Outlet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// Date as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Distinct shingles.
    pub shingles: u32,
    /// Too short to be compared: no set, no band keys, no samples.
    pub short: bool,
}

/// One document handed to [`write_segment`].
#[derive(Debug, Clone)]
pub struct NewDoc<'a> {
    /// Metadata.
    pub meta: StoredMeta,
    /// Band keys (empty for a short document).
    pub keys: std::borrow::Cow<'a, [u64]>,
    /// Sorted shingle set (empty for a short document).
    pub set: std::borrow::Cow<'a, [u64]>,
    /// Sampled shingles (empty for a short document or in Jaccard mode).
    pub samples: Vec<u64>,
}

/// The fixed fields of a segment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Fingerprint of the index parameters the segment was written with.
    pub fingerprint: u64,
    /// Documents.
    pub docs: u64,
    /// Documents with band keys (not short).
    pub signed: u64,
    /// Bands per document.
    pub bands: u64,
    /// Entries of the sample table.
    pub samples: u64,
    /// Block size.
    pub block: u64,
    /// End of the data area (start of the block checksums).
    pub data_end: u64,
    /// xxh3 of the block checksum array.
    pub checks_xxh3: u64,
    /// Byte range of each section.
    pub sections: [(u64, u64); SECTIONS],
    /// xxh3 of the header bytes.
    pub xxh3: u64,
}

impl Header {
    fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(HEADER_LEN as usize);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        for v in [
            self.fingerprint,
            self.docs,
            self.signed,
            self.bands,
            self.samples,
            self.block,
            self.data_end,
            self.checks_xxh3,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for (o, l) in self.sections {
            b.extend_from_slice(&o.to_le_bytes());
            b.extend_from_slice(&l.to_le_bytes());
        }
        let h = xxh3_64(&b);
        b.extend_from_slice(&h.to_le_bytes());
        b.resize(HEADER_LEN as usize, 0);
        b
    }

    /// Reads and checks a header; `bad` makes the error for a message.
    fn decode(b: &[u8], bad: &dyn Fn(String) -> Error) -> Result<Header> {
        if b.len() < HEADER_LEN as usize || &b[..8] != MAGIC {
            return Err(bad("not a neardup index segment (bad magic number)".into()));
        }
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let end = 80 + 16 * SECTIONS;
        let stored = u64_at(end);
        if xxh3_64(&b[..end]) != stored {
            return Err(bad("header checksum mismatch (the file is damaged)".into()));
        }
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "segment format version {version}; this neardup reads version {FORMAT_VERSION}"
            )));
        }
        let mut sections = [(0, 0); SECTIONS];
        for (i, s) in sections.iter_mut().enumerate() {
            *s = (u64_at(80 + 16 * i), u64_at(88 + 16 * i));
        }
        Ok(Header {
            fingerprint: u64_at(16),
            docs: u64_at(24),
            signed: u64_at(32),
            bands: u64_at(40),
            samples: u64_at(48),
            block: u64_at(56),
            data_end: u64_at(64),
            checks_xxh3: u64_at(72),
            sections,
            xxh3: stored,
        })
    }

    /// Number of data blocks.
    fn blocks(&self) -> u64 {
        (self.data_end - HEADER_LEN).div_ceil(self.block)
    }

    /// The file length the header implies.
    pub fn file_len(&self) -> u64 {
        self.data_end + 8 * self.blocks()
    }
}

/// Writes the data area, hashing each block as it goes.
struct BlockWriter<W: Write> {
    out: W,
    pos: u64,
    buf: Vec<u8>,
    checks: Vec<u64>,
}

impl<W: Write> BlockWriter<W> {
    fn write(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let room = BLOCK as usize - self.buf.len();
            let n = room.min(bytes.len());
            self.buf.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            self.pos += n as u64;
            if self.buf.len() == BLOCK as usize {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    fn flush_block(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.checks.push(xxh3_64(&self.buf));
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Pads to an 8-byte boundary and returns the position.
    fn align(&mut self) -> std::io::Result<u64> {
        let pad = (8 - self.pos % 8) % 8;
        self.write(&[0u8; 8][..pad as usize])?;
        Ok(self.pos)
    }

    fn u64s(&mut self, xs: &[u64]) -> std::io::Result<()> {
        for chunk in xs.chunks(4096) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|x| x.to_le_bytes()).collect();
            self.write(&bytes)?;
        }
        Ok(())
    }

    fn u32s(&mut self, xs: &[u32]) -> std::io::Result<()> {
        for chunk in xs.chunks(4096) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|x| x.to_le_bytes()).collect();
            self.write(&bytes)?;
        }
        Ok(())
    }
}

/// Writes one section with `f`, aligned, and returns its byte range.
fn section<W: Write>(
    w: &mut BlockWriter<W>,
    f: impl FnOnce(&mut BlockWriter<W>) -> std::io::Result<()>,
) -> std::io::Result<(u64, u64)> {
    let start = w.align()?;
    f(w)?;
    Ok((start, w.pos - start))
}

/// Writes a complete segment of `docs` to `file` (a new, empty file) and syncs it to disk.
/// `bands` is the number of band keys of each signed document; `fingerprint` ties the segment
/// to its index's parameters. Returns the header written.
pub fn write_segment<'a>(
    file: &mut std::fs::File,
    path: &Path,
    fingerprint: u64,
    bands: usize,
    docs: impl Iterator<Item = Result<NewDoc<'a>>>,
) -> Result<Header> {
    let io = |e: std::io::Error| Error::output(path, e);
    file.write_all(&[0u8; HEADER_LEN as usize]).map_err(io)?;
    let mut w = BlockWriter {
        out: std::io::BufWriter::with_capacity(1 << 20, &mut *file),
        pos: HEADER_LEN,
        buf: Vec::with_capacity(BLOCK as usize),
        checks: Vec::new(),
    };
    let mut sections = [(0u64, 0u64); SECTIONS];
    let mut set_offsets = vec![0u64];
    let mut metas: Vec<u8> = Vec::new();
    let mut meta_offsets = vec![0u64];
    let mut band: Vec<Vec<(u64, u32)>> = vec![Vec::new(); bands];
    let mut samples: Vec<u64> = Vec::new();
    let mut sample_counts: Vec<u32> = Vec::new();
    let mut ids: Vec<(u64, u32)> = Vec::new();
    // Sets are streamed; the rest is small enough to be held until the sets are written.
    let start = w.align().map_err(io)?;
    for (d, doc) in docs.enumerate() {
        let doc = doc?;
        let d = u32::try_from(d).map_err(|_| Error::Config {
            field: "index segment",
            expected: "fewer than 4,294,967,295 documents".into(),
            got: "more".into(),
        })?;
        w.u64s(&doc.set).map_err(io)?;
        set_offsets.push(set_offsets.last().expect("starts at 0") + doc.set.len() as u64);
        serde_json::to_writer(&mut metas, &doc.meta).map_err(|e| io(e.into()))?;
        meta_offsets.push(metas.len() as u64);
        if !doc.keys.is_empty() {
            assert_eq!(doc.keys.len(), bands, "one key per band");
            for (b, &k) in doc.keys.iter().enumerate() {
                band[b].push((k, d));
            }
        }
        sample_counts.push(doc.samples.len() as u32);
        samples.extend(doc.samples.iter().map(|&x| (x >> 32) << 32 | u64::from(d)));
        ids.push((xxh3_64(doc.meta.id.as_bytes()), d));
    }
    sections[SETS] = (start, w.pos - start);
    let docs = meta_offsets.len() as u64 - 1;
    let signed = band.first().map_or(0, |b| b.len() as u64);
    sections[SET_OFFSETS] = section(&mut w, |w| w.u64s(&set_offsets)).map_err(io)?;
    sections[META] = section(&mut w, |w| w.write(&metas)).map_err(io)?;
    sections[META_OFFSETS] = section(&mut w, |w| w.u64s(&meta_offsets)).map_err(io)?;
    drop(metas);
    for b in &mut band {
        b.sort_unstable();
    }
    sections[BAND_KEYS] = section(&mut w, |w| {
        band.iter()
            .try_for_each(|b| w.u64s(&b.iter().map(|x| x.0).collect::<Vec<_>>()))
    })
    .map_err(io)?;
    sections[BAND_DOCS] = section(&mut w, |w| {
        band.iter()
            .try_for_each(|b| w.u32s(&b.iter().map(|x| x.1).collect::<Vec<_>>()))
    })
    .map_err(io)?;
    drop(band);
    samples.sort_unstable();
    sections[SAMPLES] = section(&mut w, |w| w.u64s(&samples)).map_err(io)?;
    sections[SAMPLE_COUNTS] = section(&mut w, |w| w.u32s(&sample_counts)).map_err(io)?;
    ids.sort_unstable();
    sections[ID_HASHES] = section(&mut w, |w| {
        w.u64s(&ids.iter().map(|x| x.0).collect::<Vec<_>>())
    })
    .map_err(io)?;
    sections[ID_DOCS] = section(&mut w, |w| {
        w.u32s(&ids.iter().map(|x| x.1).collect::<Vec<_>>())
    })
    .map_err(io)?;
    w.flush_block().map_err(io)?;
    let data_end = w.pos;
    let checks: Vec<u8> = w.checks.iter().flat_map(|x| x.to_le_bytes()).collect();
    w.out.write_all(&checks).map_err(io)?;
    w.out.flush().map_err(io)?;
    drop(w);
    let mut header = Header {
        fingerprint,
        docs,
        signed,
        bands: bands as u64,
        samples: samples.len() as u64,
        block: BLOCK,
        data_end,
        checks_xxh3: xxh3_64(&checks),
        sections,
        xxh3: 0,
    };
    let bytes = header.encode();
    header.xxh3 = u64::from_le_bytes(bytes[80 + 16 * SECTIONS..][..8].try_into().expect("8"));
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(header)
}

/// A segment opened for reading: a memory map, checked block by block as it is used.
#[derive(Debug)]
pub struct Segment {
    path: PathBuf,
    map: memmap2::Mmap,
    header: Header,
    checks_ok: OnceLock<std::result::Result<(), String>>,
    verified: Vec<AtomicU64>,
}

impl Segment {
    /// Maps `path` and checks its header; reads nothing else.
    pub fn open(path: &Path) -> Result<Segment> {
        let file = std::fs::File::open(path).map_err(|e| Error::input(path, e))?;
        // SAFETY: `Mmap::map` is unsafe because the mapped bytes are handed out as `&[u8]`,
        // which Rust assumes never change, while another process could write to or truncate
        // the file under the map. neardup never does either to a segment: a segment file is
        // created with `create_new` under a name no other add uses, written once, synced, and
        // only then named in the manifest (`index/mod.rs`, `add`); it is never opened for writing
        // again, and the only removals (`Writer::open` deleting orphans that no manifest lists,
        // `compact` deleting the segments its new manifest replaced) are unlinks, which leave
        // existing maps valid. Segments are only opened through the
        // manifest, so a file being written is never mapped. What remains is outside any
        // program's control (another program rewriting the index's files, documented in
        // docs/reliability.md); even then every byte read through the map is checked against
        // its checksum before use, so damage read in full is reported as corruption.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::input(path, e))?;
        let bad = |m: String| corrupt(path, m);
        let header = Header::decode(&map, &bad)?;
        let len = map.len() as u64;
        if header.block == 0 || header.data_end < HEADER_LEN || header.file_len() != len {
            return Err(bad(format!(
                "file is {len} bytes, its header says {} (truncated or damaged)",
                if header.block == 0 || header.data_end < HEADER_LEN {
                    "nothing sensible".to_string()
                } else {
                    header.file_len().to_string()
                }
            )));
        }
        let (d, s, b) = (header.docs, header.signed, header.bands);
        let want: [Option<u64>; SECTIONS] = [
            None,
            Some(8 * (d + 1)),
            None,
            Some(8 * (d + 1)),
            Some(8 * b * s),
            Some(4 * b * s),
            Some(8 * header.samples),
            Some(4 * d),
            Some(8 * d),
            Some(4 * d),
        ];
        for (i, &(o, l)) in header.sections.iter().enumerate() {
            let inside = o >= HEADER_LEN && o.checked_add(l).is_some_and(|e| e <= header.data_end);
            if !inside || want[i].is_some_and(|w| w != l) || o % 8 != 0 {
                return Err(bad(format!("section {i} has an impossible range")));
            }
        }
        let words = header.blocks().div_ceil(64) as usize;
        Ok(Segment {
            path: path.to_path_buf(),
            map,
            header,
            checks_ok: OnceLock::new(),
            verified: (0..words).map(|_| AtomicU64::new(0)).collect(),
        })
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Documents in the segment.
    pub fn docs(&self) -> u64 {
        self.header.docs
    }

    /// Bytes of the file.
    pub fn file_len(&self) -> u64 {
        self.map.len() as u64
    }

    fn corrupt(&self, m: String) -> Error {
        corrupt(&self.path, m)
    }

    fn check_block(&self, i: u64) -> Result<()> {
        let (word, bit) = ((i / 64) as usize, 1u64 << (i % 64));
        if self.verified[word].load(Ordering::Relaxed) & bit != 0 {
            return Ok(());
        }
        let ok = self.checks_ok.get_or_init(|| {
            let c = &self.map[self.header.data_end as usize..];
            if xxh3_64(c) == self.header.checks_xxh3 {
                Ok(())
            } else {
                Err("block checksum table damaged".into())
            }
        });
        if let Err(m) = ok {
            return Err(self.corrupt(m.clone()));
        }
        let a = HEADER_LEN + i * self.header.block;
        let b = (a + self.header.block).min(self.header.data_end);
        let at = (self.header.data_end + 8 * i) as usize;
        let want = u64::from_le_bytes(self.map[at..at + 8].try_into().expect("8 bytes"));
        if xxh3_64(&self.map[a as usize..b as usize]) != want {
            return Err(self.corrupt(format!(
                "checksum mismatch in bytes {a}..{b} (the file is damaged)"
            )));
        }
        self.verified[word].fetch_or(bit, Ordering::Relaxed);
        Ok(())
    }

    /// Bytes `len` from `offset` of section `s`, every block they touch checked.
    fn bytes(&self, s: usize, offset: u64, len: u64) -> Result<&[u8]> {
        let (so, sl) = self.header.sections[s];
        if offset.checked_add(len).is_none_or(|e| e > sl) {
            return Err(self.corrupt(format!("a reference points outside section {s}")));
        }
        if len == 0 {
            return Ok(&[]);
        }
        let (a, b) = (so + offset, so + offset + len);
        let bs = self.header.block;
        for i in (a - HEADER_LEN) / bs..=(b - 1 - HEADER_LEN) / bs {
            self.check_block(i)?;
        }
        Ok(&self.map[a as usize..b as usize])
    }

    fn u64_at(&self, s: usize, i: u64) -> Result<u64> {
        let b = self.bytes(s, 8 * i, 8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    fn u32_at(&self, s: usize, i: u64) -> Result<u32> {
        let b = self.bytes(s, 4 * i, 4)?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// First index in `lo..hi` of u64 section `s` (sorted there) whose value is >= `key`:
    /// halving entry by entry while the range is large, then one read of what is left.
    fn lower_bound(&self, s: usize, mut lo: u64, mut hi: u64, key: u64) -> Result<u64> {
        while hi - lo > 256 {
            let mid = lo + (hi - lo) / 2;
            if self.u64_at(s, mid)? < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let rest = self.bytes(s, 8 * lo, 8 * (hi - lo))?;
        let below = rest
            .chunks_exact(8)
            .take_while(|c| u64::from_le_bytes((*c).try_into().expect("8 bytes")) < key)
            .count();
        Ok(lo + below as u64)
    }

    /// Calls `f` on the values of u64 section `s` from index `from` (below `end`), read 64 at
    /// a time, until `f` returns false.
    fn scan_u64(
        &self,
        s: usize,
        from: u64,
        end: u64,
        mut f: impl FnMut(u64, u64) -> bool,
    ) -> Result<()> {
        let mut i = from;
        while i < end {
            let n = (end - i).min(64);
            let bytes = self.bytes(s, 8 * i, 8 * n)?;
            for (j, c) in bytes.chunks_exact(8).enumerate() {
                if !f(
                    i + j as u64,
                    u64::from_le_bytes(c.try_into().expect("8 bytes")),
                ) {
                    return Ok(());
                }
            }
            i += n;
        }
        Ok(())
    }

    /// The documents whose key in `band` equals `key`, at most `limit + 1` of them (so that a
    /// caller can tell a bucket larger than `limit`), in increasing order.
    pub fn band_bucket(&self, band: usize, key: u64, limit: usize) -> Result<Vec<u32>> {
        let n = self.header.signed;
        let (lo, hi) = (band as u64 * n, (band as u64 + 1) * n);
        let first = self.lower_bound(BAND_KEYS, lo, hi, key)?;
        let mut last = first;
        self.scan_u64(BAND_KEYS, first, hi, |i, k| {
            let take = k == key && i - first <= limit as u64;
            if take {
                last = i + 1;
            }
            take
        })?;
        let docs = self.bytes(BAND_DOCS, 4 * first, 4 * (last - first))?;
        Ok(docs
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    /// The documents holding a sample whose high 32 bits are `high`, one entry per sample,
    /// at most `limit + 1` of them.
    pub fn sample_docs(&self, high: u32, limit: usize) -> Result<Vec<u32>> {
        let n = self.header.samples;
        let first = self.lower_bound(SAMPLES, 0, n, u64::from(high) << 32)?;
        let mut out = Vec::new();
        self.scan_u64(SAMPLES, first, n, |_, e| {
            let take = e >> 32 == u64::from(high) && out.len() <= limit;
            if take {
                out.push(e as u32);
            }
            take
        })?;
        Ok(out)
    }

    /// Sampled shingles of document `d`.
    pub fn sample_count(&self, d: u32) -> Result<u32> {
        self.u32_at(SAMPLE_COUNTS, u64::from(d))
    }

    fn range(&self, s: usize, d: u32) -> Result<(u64, u64)> {
        if u64::from(d) >= self.header.docs {
            return Err(self.corrupt(format!("document {d} out of range")));
        }
        let (a, b) = (self.u64_at(s, d.into())?, self.u64_at(s, u64::from(d) + 1)?);
        if a > b {
            return Err(self.corrupt(format!("offsets of document {d} decrease")));
        }
        Ok((a, b))
    }

    /// The sorted shingle set of document `d`.
    pub fn set(&self, d: u32) -> Result<Vec<u64>> {
        let (a, b) = self.range(SET_OFFSETS, d)?;
        let bytes = self.bytes(SETS, 8 * a, 8 * (b - a))?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    /// The metadata of document `d`.
    pub fn meta(&self, d: u32) -> Result<StoredMeta> {
        let (a, b) = self.range(META_OFFSETS, d)?;
        let bytes = self.bytes(META, a, b - a)?;
        serde_json::from_slice(bytes)
            .map_err(|e| self.corrupt(format!("metadata of document {d}: {e}")))
    }

    /// The document with id `id`, if any.
    pub fn find_id(&self, id: &str) -> Result<Option<u32>> {
        let h = xxh3_64(id.as_bytes());
        let n = self.header.docs;
        let mut i = self.lower_bound(ID_HASHES, 0, n, h)?;
        while i < n && self.u64_at(ID_HASHES, i)? == h {
            let d = self.u32_at(ID_DOCS, i)?;
            if self.meta(d)?.id == id {
                return Ok(Some(d));
            }
            i += 1;
        }
        Ok(None)
    }

    /// Checks every block of the file (reads it all).
    pub fn verify_all(&self) -> Result<()> {
        for i in 0..self.header.blocks() {
            self.check_block(i)?;
        }
        Ok(())
    }

    /// The band keys of every document, read back from the band tables: `bands` keys per
    /// document, in document order (zeros for a short document, which has none). What
    /// [`write_segment`] took as [`NewDoc::keys`], for merging segments.
    pub fn keys_by_doc(&self) -> Result<Vec<u64>> {
        let (docs, n, bands) = (self.header.docs, self.header.signed, self.header.bands);
        let len = docs
            .checked_mul(bands)
            .and_then(|l| usize::try_from(l).ok())
            .ok_or_else(|| self.corrupt("impossible document and band counts".into()))?;
        let mut out = vec![0u64; len];
        for b in 0..bands {
            let keys = self.bytes(BAND_KEYS, 8 * b * n, 8 * n)?;
            let ds = self.bytes(BAND_DOCS, 4 * b * n, 4 * n)?;
            for (k, d) in keys.chunks_exact(8).zip(ds.chunks_exact(4)) {
                let d = u64::from(u32::from_le_bytes(d.try_into().expect("4 bytes")));
                if d >= docs {
                    return Err(
                        self.corrupt(format!("band table names document {d}, out of range"))
                    );
                }
                out[(d * bands + b) as usize] = u64::from_le_bytes(k.try_into().expect("8 bytes"));
            }
        }
        Ok(out)
    }

    /// The header's checksum, which ties a segment to its manifest entry.
    pub fn header_xxh3(&self) -> u64 {
        self.header.xxh3
    }
}

/// The error for a damaged or foreign file.
pub(crate) fn corrupt(path: &Path, message: String) -> Error {
    Error::Index {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, short: bool) -> StoredMeta {
        StoredMeta {
            id: id.into(),
            title: Some(format!("title {id}")),
            outlet: None,
            date: None,
            url: None,
            shingles: 0,
            short,
        }
    }

    /// Writes documents with sets `i*10..i*10+n` and keys from a small alphabet, then checks
    /// every lookup against the data written.
    #[test]
    fn lookups_return_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.nds");
        let mut f = std::fs::File::create_new(&path).unwrap();
        let n = 3000u32; // sets large enough to span many blocks
        let keys: Vec<Vec<u64>> = (0..n)
            .map(|d| vec![u64::from(d % 7), u64::from(d % 11) << 40, 5])
            .collect();
        let sets: Vec<Vec<u64>> = (0..n)
            .map(|d| {
                (0..(d % 50) as u64)
                    .map(|i| (u64::from(d) << 33) + i)
                    .collect()
            })
            .collect();
        let docs = (0..n).map(|d| {
            let short = d % 13 == 0;
            Ok(NewDoc {
                meta: meta(&format!("doc-{d}"), short),
                keys: std::borrow::Cow::Borrowed(if short { &[] } else { &keys[d as usize] }),
                set: std::borrow::Cow::Borrowed(if short { &[][..] } else { &sets[d as usize] }),
                samples: if short {
                    vec![]
                } else {
                    vec![u64::from(d % 5) << 32]
                },
            })
        });
        let h = write_segment(&mut f, &path, 42, 3, docs).unwrap();
        let seg = Segment::open(&path).unwrap();
        assert_eq!(seg.header(), &h);
        assert_eq!(seg.docs(), u64::from(n));
        let signed: Vec<u32> = (0..n).filter(|d| d % 13 != 0).collect();
        assert_eq!(h.signed, signed.len() as u64);
        for d in [0, 1, 12, 13, 14, 2999] {
            let short = d % 13 == 0;
            let want: &[u64] = if short { &[] } else { &sets[d as usize] };
            assert_eq!(seg.set(d).unwrap(), want);
            assert_eq!(seg.meta(d).unwrap(), meta(&format!("doc-{d}"), short));
            assert_eq!(seg.find_id(&format!("doc-{d}")).unwrap(), Some(d));
            assert_eq!(seg.sample_count(d).unwrap(), u32::from(!short));
        }
        assert_eq!(seg.find_id("doc-3000").unwrap(), None);
        let bucket = seg.band_bucket(0, 3, usize::MAX).unwrap();
        let want: Vec<u32> = signed.iter().copied().filter(|d| d % 7 == 3).collect();
        assert_eq!(bucket, want);
        let bucket = seg.band_bucket(1, 4 << 40, usize::MAX).unwrap();
        let want: Vec<u32> = signed.iter().copied().filter(|d| d % 11 == 4).collect();
        assert_eq!(bucket, want);
        assert_eq!(seg.band_bucket(2, 5, 9).unwrap().len(), 10, "limit + 1");
        assert!(seg.band_bucket(2, 6, usize::MAX).unwrap().is_empty());
        let s2: Vec<u32> = seg.sample_docs(2, usize::MAX).unwrap();
        let want: Vec<u32> = signed.iter().copied().filter(|d| d % 5 == 2).collect();
        assert_eq!(s2, want);
        seg.verify_all().unwrap();
    }

    #[test]
    fn a_flipped_byte_is_found_where_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.nds");
        let mut f = std::fs::File::create_new(&path).unwrap();
        let set: Vec<u64> = (0..5000).collect(); // 40 KB: three blocks
        let keys = [1u64];
        let docs = std::iter::once(Ok(NewDoc {
            meta: meta("a", false),
            keys: std::borrow::Cow::Borrowed(&keys),
            set: std::borrow::Cow::Borrowed(&set[..]),
            samples: vec![],
        }));
        write_segment(&mut f, &path, 1, 1, docs).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[HEADER_LEN as usize + 20_000] ^= 1; // inside the set, second block
        std::fs::write(&path, &bytes).unwrap();
        let seg = Segment::open(&path).unwrap();
        assert_eq!(seg.meta(0).unwrap().id, "a", "other blocks still read");
        let err = seg.set(0).unwrap_err().to_string();
        assert!(err.contains("checksum mismatch"), "{err}");
        assert!(seg.verify_all().is_err());
    }
}
