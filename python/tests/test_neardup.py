"""The neardup Python package against the library's promises: the same clusters from every kind
of column, from any thread count, and as the command line finds them; dedupe's accounting;
errors as exceptions with the command line's message; the index's round trip."""

import json
import os
import random
import shutil
import subprocess

import pyarrow as pa
import pytest

import neardup

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = os.path.join(ROOT, "data", "seed-articles.jsonl")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus(stories=12, seed=7):
    """Texts of `stories` random stories, each with 0 to 3 edited copies, and the story of each:
    ids, texts, stories."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]
    ids, texts, story = [], [], []
    for s in range(stories):
        base = [rng.choice(vocab) for _ in range(rng.randint(120, 260))]
        for c in range(1 + s % 4):
            words = list(base)
            if c:
                # A copy: a few words changed, a line added at the end.
                for _ in range(3):
                    words[rng.randrange(len(words))] = rng.choice(vocab)
                words += ["Reporting", "by", f"desk{c}"]
            ids.append(f"s{s}-c{c}")
            texts.append(" ".join(words))
            story.append(s)
    order = list(range(len(ids)))
    rng.shuffle(order)
    return [ids[i] for i in order], [texts[i] for i in order], [story[i] for i in order]


def groups(table):
    """The clusters of a cluster table as a set of frozensets of ids."""
    by = {}
    for c, i in zip(table.column("cluster").to_pylist(), table.column("id").to_pylist()):
        by.setdefault(c, set()).add(i)
    return {frozenset(g) for g in by.values()}


def test_seed_case_clusters_the_two_ap_copies():
    rows = read_jsonl(SEED)
    texts = [r["text"] for r in rows]
    ids = [r["id"] for r in rows]
    outlets = [r.get("outlet") for r in rows]
    table = neardup.cluster(texts, ids, outlets=outlets, titles=[r.get("title") for r in rows])
    assert table.schema.equals(neardup.CLUSTER_SCHEMA)
    assert groups(table) == {frozenset({"seed-2", "seed-4"})}
    members = table.to_pylist()
    assert {m["canonical_id"] for m in members} == {"seed-4"}
    assert [m["canonical"] for m in members if m["id"] == "seed-4"] == [True]
    assert all(0.9 < m["jaccard"] <= 1.0 for m in members)
    meta = json.loads(table.schema.metadata[b"neardup"])
    assert meta["articles"] == 4 and meta["rejected"] == [] and meta["short"] == []


def test_synthetic_stories_are_grouped_by_story():
    ids, texts, story = corpus()
    table = neardup.cluster(texts, ids, threads=1)
    expected = {}
    for i, s in zip(ids, story):
        expected.setdefault(s, set()).add(i)
    assert groups(table) == {frozenset(g) for g in expected.values() if len(g) > 1}
    # Positions point back into the input.
    for row in table.to_pylist():
        assert ids[row["position"]] == row["id"]
    # Exactly one kept copy per cluster, and every member names it.
    for c in set(table.column("cluster").to_pylist()):
        rows = [r for r in table.to_pylist() if r["cluster"] == c]
        kept = [r["id"] for r in rows if r["canonical"]]
        assert len(kept) == 1 and {r["canonical_id"] for r in rows} == set(kept)
        assert sum(r["reference"] for r in rows) == 1


def test_list_pandas_pyarrow_and_polars_give_the_same_table():
    ids, texts, _ = corpus()
    expected = neardup.cluster(texts, ids, threads=1)
    assert expected.num_rows > 0
    got = {
        "pyarrow array": neardup.cluster(pa.array(texts), pa.array(ids), threads=1),
        "pyarrow large_string": neardup.cluster(pa.array(texts, pa.large_string()), ids, threads=1),
        "chunked": neardup.cluster(
            pa.chunked_array([texts[:10], texts[10:]]), pa.chunked_array([ids[:10], ids[10:]]), threads=1
        ),
        "dictionary": neardup.cluster(pa.array(texts).dictionary_encode(), ids, threads=1),
        "table": neardup.cluster(pa.table({"id": ids, "text": texts}), threads=1),
        "tuple": neardup.cluster(tuple(texts), tuple(ids), threads=1),
    }
    pd = pytest.importorskip("pandas")
    got["pandas"] = neardup.cluster(pd.Series(texts), ids=pd.Series(ids), threads=1)
    got["pandas frame"] = neardup.cluster(pd.DataFrame({"id": ids, "text": texts}), threads=1)
    for name, table in got.items():
        assert table.equals(expected), name
    pl = pytest.importorskip("polars")
    assert neardup.cluster(pl.Series(texts), ids=pl.Series(ids), threads=1).equals(expected)
    assert neardup.cluster(pl.DataFrame({"id": ids, "text": texts}), threads=1).equals(expected)


def test_default_ids_are_positions_and_numbers_become_strings():
    _, texts, _ = corpus()
    table = neardup.cluster(texts, threads=1)
    assert table.column("id").to_pylist() == [str(p) for p in table.column("position").to_pylist()]
    numbered = neardup.cluster(texts, ids=list(range(len(texts))), threads=1)
    assert numbered.equals(table)


def test_the_same_table_on_one_and_two_threads():
    ids, texts, _ = corpus(stories=30, seed=3)
    one = neardup.cluster(texts, ids, threads=1)
    two = neardup.cluster(texts, ids, threads=2)
    assert one.num_rows > 0 and one.equals(two)
    assert neardup.dedupe(texts, ids, threads=1).equals(neardup.dedupe(texts, ids, threads=2))


def test_dedupe_accounts_for_every_article():
    ids, texts, story = corpus()
    texts = texts + [None, "too short", "an id used twice"]
    ids = ids + ["missing", "short", ids[0]]
    table = neardup.dedupe(texts, ids, threads=1)
    assert table.schema.equals(neardup.DEDUPE_SCHEMA)
    rows = table.to_pylist()
    assert [r["position"] for r in rows] == list(range(len(texts)))
    assert [r["id"] for r in rows] == ids
    status = [r["status"] for r in rows]
    kept, removed, rejected = (status.count(s) for s in ("kept", "removed", "rejected"))
    assert kept + removed + rejected == len(texts)
    # One kept copy per story, and the missing and short texts (too short to compare, as an
    # empty text on the command line); the repeated id rejected with the command line's reason.
    assert kept == len(set(story)) + 2
    assert rejected == 1 and rows[-1]["status"] == "rejected"
    assert rows[-1]["reason"].startswith(f'duplicate id "{ids[0]}"')
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        if r["status"] == "removed":
            kept_row = by_id[r["duplicate_of"]]
            assert kept_row["status"] == "kept" and kept_row["cluster"] == r["cluster"]
            assert story[ids.index(r["id"])] == story[ids.index(r["duplicate_of"])]
        else:
            assert r["duplicate_of"] is None
    # The clusters of dedupe are those of cluster.
    members = neardup.cluster(texts, ids, threads=1)
    assert json.loads(members.schema.metadata[b"neardup"])["short"] == [len(texts) - 3, len(texts) - 2]
    in_cluster = {r["id"] for r in rows if r["cluster"] is not None}
    assert in_cluster == set(members.column("id").to_pylist())


def test_options_change_the_result_and_templates_are_checked():
    ids, texts, _ = corpus()
    loose = neardup.cluster(texts, ids, threshold=0.5, mode="jaccard", shingle="words:3", threads=1)
    assert loose.num_rows >= neardup.cluster(texts, ids, threads=1).num_rows
    neardup.dedupe(texts, ids, templates="remove", threads=1)
    with pytest.raises(ValueError, match="invalid --templates: expected keep or remove, got drop"):
        neardup.dedupe(texts, ids, templates="drop")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"threshold": 1.5}, "invalid --threshold: expected a number in (0, 1], got 1.5"),
        ({"shingle": "bytes:3"}, "invalid --shingle: expected auto, words:K or chars:N with K, N from 1 to 32, got bytes:3"),
        ({"mode": "cosine"}, "invalid --mode: expected jaccard or containment, got cosine"),
        ({"minhash": "simhash"}, "invalid --minhash: expected oph or permutations, got simhash"),
        ({"bands": 20, "rows": 9}, "invalid --bands/--rows: expected bands * rows <= num_perm (128), got 20 * 9"),
        ({"max_df": 1}, "invalid --max-df: expected at least 2, got 1"),
        ({"num_perm": -1}, "invalid --num-perm: expected a whole number, 0 or more, got -1"),
    ],
)
def test_invalid_values_are_value_errors_with_the_cli_message(options, message):
    with pytest.raises(ValueError) as e:
        neardup.cluster(["a text"], **options)
    assert str(e.value) == message


def test_the_cli_says_the_same_for_an_invalid_value(tmp_path):
    binary = neardup_binary()
    if binary is None:
        pytest.skip("no neardup binary in target/ (cargo build)")
    run = subprocess.run(
        [binary, "cluster", SEED, "--threshold", "1.5", "-q"], capture_output=True, text=True
    )
    assert run.returncode == 2
    with pytest.raises(ValueError) as e:
        neardup.cluster(["a text"], threshold=1.5)
    assert str(e.value) in run.stderr


def test_unknown_options_and_wrong_columns_are_type_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'treshold'"):
        neardup.cluster(["a text"], treshold=0.9)
    with pytest.raises(TypeError, match=r"texts\[1\] is a int, not a str"):
        neardup.cluster(["a text", 3])
    with pytest.raises(TypeError, match="not one str"):
        neardup.cluster("a text")
    with pytest.raises(ValueError, match="ids has 1 entries, texts has 2"):
        neardup.cluster(["a", "b"], ids=["x"])


def test_an_empty_input_gives_an_empty_table():
    assert neardup.cluster([]).num_rows == 0
    assert neardup.dedupe([]).num_rows == 0


def test_index_build_add_query_round_trip(tmp_path):
    ids, texts, story = corpus()
    first = {s: i for i, s in reversed(list(enumerate(story)))}
    archive = sorted(first.values())
    path = tmp_path / "news.ndx"
    index = neardup.Index.build(path, [texts[i] for i in archive], [ids[i] for i in archive], threads=1)
    assert len(index) == len(archive)
    rest = [i for i in range(len(ids)) if i not in set(archive)]
    # Query the copies: each finds its story's archived article.
    found = index.query([texts[i] for i in rest], [ids[i] for i in rest], threads=1)
    assert found.schema.equals(neardup.QUERY_SCHEMA)
    pairs = set(zip(found.column("query_id").to_pylist(), found.column("id").to_pylist()))
    assert pairs == {(ids[i], ids[first[story[i]]]) for i in rest}
    # Add them; an id already in the index is rejected; a query of an archived text finds the
    # added copies, not itself.
    counts = index.add([texts[i] for i in rest] + [texts[archive[0]]], [ids[i] for i in rest] + [ids[archive[0]]])
    assert (counts["added"], counts["rejected"], counts["total"]) == (len(rest), 1, len(ids))
    assert "already in the index" in counts["rejected_articles"][0][1]
    a = archive[-1]
    again = neardup.Index(path).query([texts[a]], [ids[a]])
    copies = {ids[i] for i in rest if story[i] == story[a]}
    assert set(again.column("id").to_pylist()) == copies
    assert json.loads(again.schema.metadata[b"neardup"])["in_index"] == [0]


def test_index_refuses_other_options_and_missing_directories(tmp_path):
    ids, texts, _ = corpus()
    path = tmp_path / "i.ndx"
    index = neardup.Index.build(path, texts, ids, threads=1)
    with pytest.raises(ValueError, match="index was built with --seed 1, got --seed 2"):
        index.query(texts[:1], seed=2)
    with pytest.raises(ValueError, match="invalid index build"):
        neardup.Index.build(tmp_path / "j.ndx", texts, ids, window=3)
    with pytest.raises(OSError):
        neardup.Index(tmp_path / "nothing")
    with pytest.raises(OSError, match="already exists"):
        neardup.Index.build(path, texts, ids)


def neardup_binary():
    """The neardup binary of this checkout ($NEARDUP_BIN, else target/debug or target/release)."""
    for candidate in (
        os.environ.get("NEARDUP_BIN"),
        os.path.join(ROOT, "target", "debug", "neardup"),
        os.path.join(ROOT, "target", "release", "neardup"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("neardup")


@pytest.mark.parametrize("mode", ["containment", "jaccard"])
def test_the_same_clusters_as_the_command_line(tmp_path, mode):
    binary = neardup_binary()
    if binary is None:
        pytest.skip("no neardup binary in target/ (cargo build)")
    archive = tmp_path / "gen.jsonl"
    subprocess.run([binary, "gen", "--docs", "600", "--seed", "5", "-o", str(archive)], check=True)
    out = tmp_path / "clusters.jsonl"
    subprocess.run([binary, "cluster", str(archive), "-o", str(out), "-q", "--mode", mode], check=True)
    cli = set()
    canonical = {}
    for rec in read_jsonl(out):
        if rec.get("record") == "cluster":
            cli.add(frozenset(m["id"] for m in rec["members"]))
            canonical[rec["cluster"]] = rec["canonical"]
    rows = read_jsonl(archive)
    table = neardup.cluster(
        [r["text"] for r in rows],
        [r["id"] for r in rows],
        outlets=[r.get("outlet") for r in rows],
        titles=[r.get("title") for r in rows],
        dates=[r.get("date") for r in rows],
        mode=mode,
    )
    assert len(cli) > 5
    assert groups(table) == cli
    kept = {c: k for c, k in zip(table.column("cluster").to_pylist(), table.column("canonical_id").to_pylist())}
    assert kept == canonical
