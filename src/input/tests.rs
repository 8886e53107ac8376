use super::*;
use crate::error::Error;
use std::io::Write;

fn lines_of(set: &mut InputSet) -> Vec<(Location, Vec<u8>)> {
    let mut out = Vec::new();
    set.scan(7, 1 << 20, &crate::config::FieldNames::default(), |b| {
        out.extend(b.lines().map(|l| match l.content {
            Content::Bytes(b) => (l.location, b.to_vec()),
            other => panic!("{other:?}"),
        }));
        Ok(())
    })
    .unwrap();
    out
}

/// The lines read from `p` with decompressed copies of at most `budget` bytes, checked
/// against `want` (bodies and line numbers), and read again both ways; returns whether
/// positioned reads were possible.
fn read_twice(p: &Path, budget: u64, want: &[(&[u8], u64)]) -> bool {
    let mut set = InputSet::open(&[p.to_path_buf()]).unwrap();
    set.set_copy_budget(budget);
    let got = lines_of(&mut set);
    let seen: Vec<(&[u8], u64)> = got.iter().map(|(l, b)| (b.as_slice(), l.line)).collect();
    assert_eq!(seen, want, "{}", p.display());
    let last = got.len() - 1;
    let wanted: Vec<(Location, usize)> = vec![(got[0].0, 0), (got[last].0, last)];
    let mut back = Vec::new();
    set.fetch(&wanted, |i, b| {
        back.push((i, b.to_vec()));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        back,
        vec![(0, got[0].1.clone()), (last, got[last].1.clone())]
    );
    // Positioned reads: the same bytes in any order.
    let direct = set.direct().unwrap();
    if let Some(reader) = &direct {
        for (loc, bytes) in got.iter().rev() {
            let mut buf = Vec::new();
            reader.read(loc, &mut buf).unwrap();
            assert_eq!(&buf, bytes);
        }
    }
    direct.is_some()
}

/// `text` written plain, gzip (no extension) and zstd into `dir`.
fn three_ways(dir: &Path, text: &[u8]) -> [PathBuf; 3] {
    let plain = dir.join("p.jsonl");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.join("noext");
    let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), Default::default());
    enc.write_all(text).unwrap();
    enc.finish().unwrap();
    let zs = dir.join("z.jsonl.zst");
    std::fs::write(&zs, zstd::encode_all(text, 3).unwrap()).unwrap();
    [plain, gz, zs]
}

#[test]
fn plain_gzip_and_zstd_read_the_same_and_refetch() {
    let text = b"{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}";
    let dir = tempfile::tempdir().unwrap();
    let want: [(&[u8], u64); 3] = [(b"{\"a\":1}", 1), (b"{\"b\":2}", 4), (b"{\"c\":3}", 5)];
    for p in three_ways(dir.path(), text) {
        // Compressed files are copied as they are decompressed, and then read by position.
        assert!(read_twice(&p, COPY_BUDGET, &want));
        // Without copies, only the plain file is.
        let plain = p.ends_with("p.jsonl");
        assert_eq!(read_twice(&p, 0, &want), plain);
    }
}

#[test]
fn a_copy_past_its_budget_is_given_up() {
    let line = b"{\"text\":\"the same line again\"}\n";
    let text = line.repeat(400);
    let want: Vec<(&[u8], u64)> = (1..=400).map(|i| (&line[..line.len() - 1], i)).collect();
    let dir = tempfile::tempdir().unwrap();
    for p in three_ways(dir.path(), &text) {
        let plain = p.ends_with("p.jsonl");
        let size = std::fs::metadata(&p).unwrap().len();
        // Room for a copy to start (twice the compressed size), not for the whole text.
        let budget = 2 * size + 100;
        if !plain {
            assert!(budget < text.len() as u64, "{}", p.display());
        }
        assert_eq!(read_twice(&p, budget, &want), plain, "{}", p.display());
        assert!(read_twice(&p, text.len() as u64, &want));
    }
}

#[test]
fn changed_input_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.jsonl");
    std::fs::write(&p, "{\"a\":1}\n{\"b\":2}\n").unwrap();
    let mut set = InputSet::open(std::slice::from_ref(&p)).unwrap();
    let got = lines_of(&mut set);
    std::fs::write(&p, "{\"a\":1}\n{\"b\":3}\n").unwrap();
    let e = set.fetch(&[(got[1].0, ())], |_, _| Ok(())).unwrap_err();
    assert!(matches!(e, Error::InputChanged { .. }), "{e}");
    let reader = set.direct().unwrap().expect("a plain file");
    let mut buf = Vec::new();
    reader.read(&got[0].0, &mut buf).unwrap();
    let e = reader.read(&got[1].0, &mut buf).unwrap_err();
    assert!(
        e.to_string().contains("line 2 is not what was read before"),
        "{e}"
    );
    std::fs::write(&p, "{\"a\":1}\n").unwrap();
    let e = reader.read(&got[1].0, &mut buf).unwrap_err();
    assert!(e.to_string().contains("line 2 is gone"), "{e}");
}

#[test]
fn compressions_are_told_by_their_magic_bytes() {
    use Compression::*;
    for (head, want) in [
        (&b"\x1f\x8b\x08"[..], Gzip),
        (b"\x28\xb5\x2f\xfd", Zstd),
        (b"\x50\x2a\x4d\x18\x04\0\0\0", Zstd),
        (b"\x5f\x2a\x4d\x18", Zstd),
        (b"\x60\x2a\x4d\x18", None),
        (b"\xfd7zXZ\x00\x00", Xz),
        (b"BZh91AY&SY", Bzip2),
        (b"BZhang said", None),
        (b"{\"id\":1}", None),
        (b"", None),
    ] {
        assert_eq!(Compression::detect(head), want, "{head:?}");
    }
}

/// The units `read_lines` gives for `bytes`: good lines and bad messages.
fn units(bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<String>) {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    read_lines(bytes, 1 << 20, |l| match l.content {
        Content::Bytes(b) => good.push(b.to_vec()),
        Content::Bad(m) => bad.push(m.to_string()),
        Content::Skipped => {}
    });
    (good, bad)
}

#[test]
fn zero_padding_after_gzip_members_is_ignored_and_garbage_is_not() {
    let gz = |t: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        e.write_all(t).unwrap();
        e.finish().unwrap()
    };
    let mut bytes = gz(b"{\"a\":1}\n");
    bytes.extend(gz(b"{\"b\":2}\n"));
    bytes.extend([0u8; 4096]);
    assert_eq!(
        units(&bytes),
        (vec![b"{\"a\":1}".to_vec(), b"{\"b\":2}".to_vec()], vec![])
    );
    bytes.push(7);
    let (good, bad) = units(&bytes);
    assert_eq!(good.len(), 2);
    assert_eq!(bad.len(), 1, "{bad:?}");
    // Not gzip after a member: as flate2's MultiGzDecoder, an error.
    let mut bytes = gz(b"{\"a\":1}\n");
    bytes.extend(b"{\"b\":2}\n");
    assert_eq!(units(&bytes).1.len(), 1);
}

#[test]
fn xz_and_bzip2_are_one_bad_unit_naming_the_format() {
    let (good, bad) = units(b"\xfd7zXZ\x00\x00\x04 and the rest\n\xff\n");
    assert!(good.is_empty());
    assert_eq!(bad.len(), 1);
    assert!(bad[0].starts_with("xz-compressed, which neardup does not read"));
    let (_, bad) = units(b"BZh91AY&SY\n");
    assert!(bad[0].starts_with("bzip2-compressed"), "{bad:?}");
}

#[test]
fn missing_file_is_an_input_error() {
    let e = InputSet::open(&[PathBuf::from("/no/such/file.jsonl")]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
}
