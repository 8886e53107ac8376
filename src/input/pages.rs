//! The records the first pass extracted from web pages, kept on disk, so that a later pass of
//! the same run reads a page's text, title, date and URL back instead of extracting it again.
//!
//! Owns: [`PageSpool`] (an unnamed [`Spill`] of encoded [`Record`]s and the index that finds
//! one by its unit's place), the encoding, and the rule of which formats are kept
//! ([`crate::input::Format::extracts`]). Must not: decide when a unit is read again or check that it is still
//! what was read (the second pass fetches its bytes and checks them as for any unit, then asks
//! here for its record), or keep records in memory.
//!
//! Layout: records are appended in input order (the order the first pass accepts documents),
//! each field a 4-byte little-endian length (`u32::MAX` for none) and its UTF-8 bytes, in the
//! order text, id, title, outlet, date, URL. A record ends where the next begins (or the spill
//! ends). A record with a field of `u32::MAX` bytes or more is not kept (its page is extracted
//! again).
//!
//! Memory: one index entry a page kept, 24 bytes (input, offset in the input, offset in the
//! spill), in a vector sorted by the unit's place and searched by bisection; everything else
//! is on disk (about the size of the extracted texts).

use crate::document::{Location, Record};
use crate::error::{Error, Result};
use crate::fsutil::Spill;

/// What a [`PageSpool`]'s errors name.
const WHAT: &str = "extracted pages";

/// Where one kept record is.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The unit's input.
    input: u32,
    /// The unit's offset in its input ([`Location::offset`]).
    offset: u64,
    /// Where its record starts in the spill.
    at: u64,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 24);

/// The records of pages extracted by the first pass, on disk, found again by their units'
/// places: see the module docs.
#[derive(Debug)]
pub struct PageSpool {
    spill: Spill,
    index: Vec<Entry>,
}

impl PageSpool {
    /// An empty spool (a buffered, unnamed temporary file in `TMPDIR`).
    ///
    /// # Errors
    /// The temporary file cannot be made.
    pub fn new() -> Result<PageSpool> {
        Ok(PageSpool {
            spill: Spill::buffered(WHAT)?,
            index: Vec::new(),
        })
    }

    /// Keeps `encoded` (made by [`encode`]) as the record of the unit at `loc`. Units must come
    /// in input order (input, then offset); one out of order is not kept (its page is
    /// extracted again).
    ///
    /// # Errors
    /// The spill cannot be written.
    pub fn push(&mut self, loc: &Location, encoded: &[u8]) -> Result<()> {
        if encoded.is_empty()
            || self
                .index
                .last()
                .is_some_and(|e| (e.input, e.offset) >= (loc.input, loc.offset))
        {
            return Ok(());
        }
        let at = self.spill.append(encoded)?;
        self.index.push(Entry {
            input: loc.input,
            offset: loc.offset,
            at,
        });
        Ok(())
    }

    /// Writes out what is buffered: the spool can be read from then on, and no longer pushed
    /// to.
    ///
    /// # Errors
    /// The spill cannot be written.
    pub fn finish(&mut self) -> Result<()> {
        self.spill.finish()
    }

    /// Pages kept.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no page was kept.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The record kept for the unit at `loc`, if one was (from several threads at once).
    ///
    /// # Errors
    /// The spill cannot be read, or does not hold a record where the index says.
    ///
    /// # Panics
    /// Before [`PageSpool::finish`].
    pub fn get(&self, loc: &Location) -> Option<Result<Record>> {
        let i = self
            .index
            .binary_search_by(|e| (e.input, e.offset).cmp(&(loc.input, loc.offset)))
            .ok()?;
        let at = self.index[i].at;
        let end = self.index.get(i + 1).map_or(self.spill.len(), |e| e.at);
        let mut buf = vec![0u8; (end - at) as usize];
        Some(
            self.spill
                .read_at(&mut buf, at)
                .and_then(|()| decode(&buf).ok_or_else(corrupt)),
        )
    }
}

fn corrupt() -> Error {
    Error::temporary(
        WHAT,
        std::io::Error::new(std::io::ErrorKind::InvalidData, "a record is not readable"),
    )
}

/// Appends `rec`, encoded, to `out`; returns the bytes added (0, and nothing added, when a
/// field is too long to be kept).
pub fn encode(rec: &Record, out: &mut Vec<u8>) -> usize {
    let fields = [
        Some(&rec.text),
        rec.id.as_ref(),
        rec.title.as_ref(),
        rec.outlet.as_ref(),
        rec.date.as_ref(),
        rec.url.as_ref(),
    ];
    if fields
        .iter()
        .flatten()
        .any(|f| f.len() >= u32::MAX as usize)
    {
        return 0;
    }
    let start = out.len();
    for f in fields {
        match f {
            Some(s) => {
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
        }
    }
    out.len() - start
}

/// The record [`encode`] wrote as `bytes`, or `None` when `bytes` is not exactly one.
fn decode(mut bytes: &[u8]) -> Option<Record> {
    let mut field = || -> Option<Option<String>> {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len);
        if len == u32::MAX {
            bytes = rest;
            return Some(None);
        }
        let (s, rest) = rest.split_at_checked(len as usize)?;
        bytes = rest;
        Some(Some(String::from_utf8(s.to_vec()).ok()?))
    };
    let rec = Record {
        text: field()??,
        id: field()?,
        title: field()?,
        outlet: field()?,
        date: field()?,
        url: field()?,
    };
    bytes.is_empty().then_some(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(input: u32, offset: u64) -> Location {
        Location {
            input,
            line: 1,
            offset,
            len: 1,
            checksum: 0,
        }
    }

    #[test]
    fn records_are_found_by_place_as_kept() {
        let recs = [
            Record {
                text: "Zwölf Boxkämpfer\njagen Viktor".into(),
                id: Some("<urn:uuid:1>".into()),
                title: Some(String::new()),
                outlet: None,
                date: Some("2026-12-07".into()),
                url: Some("https://example.com/a".into()),
            },
            Record::default(),
            Record {
                text: "標題".into(),
                outlet: Some("example.com".into()),
                ..Record::default()
            },
        ];
        let places = [at(0, 0), at(0, 500), at(3, 7)];
        let mut spool = PageSpool::new().unwrap();
        for (rec, loc) in recs.iter().zip(&places) {
            let mut buf = Vec::new();
            let n = encode(rec, &mut buf);
            assert_eq!(n, buf.len());
            assert_eq!(decode(&buf).as_ref(), Some(rec));
            assert_eq!(decode(&buf[..n - 1]), None, "a cut record is not one");
            spool.push(loc, &buf).unwrap();
        }
        // Out of order or again: not kept.
        let mut other = Vec::new();
        encode(&Record::default(), &mut other);
        spool.push(&at(0, 500), &other).unwrap();
        spool.push(&at(1, 0), &other).unwrap();
        spool.finish().unwrap();
        assert_eq!(spool.len(), 3);
        for (rec, loc) in recs.iter().zip(&places).rev() {
            assert_eq!(&spool.get(loc).unwrap().unwrap(), rec);
        }
        assert!(spool.get(&at(0, 1)).is_none());
        assert!(spool.get(&at(1, 0)).is_none());
        assert!(spool.get(&at(4, 0)).is_none());
    }
}
