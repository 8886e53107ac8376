#!/usr/bin/env python3
"""neardup against its peers, gaoya, rensa and datasketch, side by side, each in a process.

`benches/peers.rs` (criterion) compares neardup with gaoya inside one Rust process, for the
most exact time ratio. This script runs every tool as a process of its own, so that each one's
peak memory is its own too, and adds the two Python peers:

- `neardup-jaccard` and `neardup`: the `neardup cluster CORPUS -o OUT` command (with
  `--mode jaccard`, then the default containment mode), report included.
- `gaoya` (0.2.2): `examples/gaoya_peer.rs`, the bench's `gaoya_from_file` as a program (the
  file read whole, the text of each line parsed in parallel with serde_json, gaoya's own
  tokenization and `MinHasher32` with 128 permutations, its index, on `--procs` threads).
- `rensa` (0.5.0): `RMinHash.from_token_sets` (its batch signing, in Rust) a batch at a time,
  `RMinHashLSH.insert_many` and `query_all`, and a candidate kept when the MinHash estimate
  `RMinHash.jaccard` is at least the threshold (as gaoya does).
- `neardup-python`: the `neardup` Python package (`pip install ./python`) in the interpreter
  that runs this script: the JSON Lines file read into two lists (ids and texts) as the Python
  peers read it (`json.loads` a line, in `--procs` processes), then
  `neardup.cluster(texts, ids, threads=--procs)` with the default options (containment mode),
  whose pyarrow Table is written as pairs (each member with its cluster's kept copy). Its
  stages say how long reading took and how long the call. Skipped, with a message, when
  `import neardup` fails.
- `datasketch` (2.0.0): `MinHash(num_perm=128).update_batch` per document, kept as a
  `LeanMinHash`; `MinHashLSH` with the same bands and rows as neardup (an insertion session),
  `query` of every document, the same estimate check.

The Python peers get the best setup we know for them: the JSON Lines file is read in batches
of 2,000 lines that `--procs` processes (default 2, one a core, a `multiprocessing` pool)
parse with `json.loads`, shingle and sign; only the signatures come back, in input order.
Shingles are made in Python much as gaoya makes its own: the text lower-cased, split into
words by the regular expression `\\w+`, 5 consecutive words joined into one string. 128
permutations (rensa: 126, since it wants bands that divide the permutations), 14 bands of 9
rows (as neardup and the gaoya bench), threshold 0.8. The pairs found by gaoya, rensa and
datasketch are grouped with a union-find.

Every tool runs `--runs` times (default 3), in turn (one run of each tool, then the next
round), so that a slow moment of the machine falls on all of them. Each run is started by a
fresh, small Python process that reaps it with `os.wait4`: wall time, CPU time (user +
system, the pool's processes included) and peak memory, the larger of `ru_maxrss` and the sum
of resident memory over the process and its children, sampled every 20 ms (a pool's workers
count too; pages they share are counted once a process, which leans against the pooled
peers, by about the interpreter's size).

Recall is measured against the generator's labels (`neardup gen` writes them): the true pairs
are the documents the labels give the same story whose exact Jaccard over the shingle sets
above is at least the threshold. A true pair is found when both documents end in one group.
`across stories` counts grouped pairs whose documents come from different stories (false
positives by the labels). The script fails when a tool finds none of the true pairs.

Usage (from the repository root, after `cargo build --release --bins --example gaoya_peer`):

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install rensa==0.5.0 datasketch==2.0.0
    /tmp/peers/bin/python benches/peers.py --docs 100000

`--corpus FILE` takes an existing archive (its labels beside it as `FILE.labels.tsv`);
otherwise `neardup gen --docs N --seed 1` writes one to a temporary directory. `--tools`
picks tools (comma-separated), `--json FILE` also writes the figures as JSON. `--before BIN`
also runs neardup's tools with another build (`before:neardup-jaccard`, `before:neardup`) in
the same rounds, for a before-and-after comparison measured side by side.
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

THRESHOLD = 0.8
NUM_PERM = 128
BANDS = 14
ROWS = 9
SHINGLE_WORDS = 5
SEED = 1
WORD = re.compile(r"\w+")
ALL_TOOLS = ["neardup-jaccard", "neardup", "neardup-python", "gaoya", "rensa", "datasketch"]


def shingles(text):
    """Gaoya's tokenization in Python: lower case, `\\w+` words, 5 words a shingle."""
    w = WORD.findall(text.lower())
    if len(w) < SHINGLE_WORDS:
        return [" ".join(w)] if w else []
    return [" ".join(t) for t in zip(w, w[1:], w[2:], w[3:], w[4:])]


def read_corpus(path):
    """Ids and texts of a JSON Lines file, in order."""
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            obj = json.loads(line)
            ids.append(obj["id"])
            texts.append(obj.get("text") or "")
    return ids, texts


# ------------------------------------------------------------------------------------------
# Workers: each tool runs in its own process (which may start a pool of its own) and writes
# `id_a<TAB>id_b` pairs.

BATCH = 2000


def batches(path):
    """The non-blank lines of `path` as bytes, `BATCH` at a time."""
    batch = []
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                batch.append(line)
                if len(batch) == BATCH:
                    yield batch
                    batch = []
    if batch:
        yield batch


def sign_rensa(lines):
    """Ids and `RMinHash` signatures of a batch of JSON lines."""
    import rensa

    objs = [json.loads(x) for x in lines]
    sets = [shingles(o.get("text") or "") for o in objs]
    return [o["id"] for o in objs], rensa.RMinHash.from_token_sets(sets, BANDS * ROWS, SEED)


def sign_datasketch(lines):
    """Ids and `LeanMinHash` signatures of a batch of JSON lines."""
    from datasketch import LeanMinHash, MinHash

    objs = [json.loads(x) for x in lines]
    ids, values = [], []
    for o in objs:
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([s.encode("utf-8") for s in shingles(o.get("text") or "")])
        ids.append(o["id"])
        values.append(LeanMinHash(m))
    return ids, values


def signed(sign, corpus, procs):
    """`sign` over the batches of `corpus`, in `procs` processes; ids and signatures in order."""
    ids, sigs = [], []
    if procs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(procs) as pool:
            for i, s in pool.imap(sign, batches(corpus)):
                ids += i
                sigs += s
    else:
        for i, s in map(sign, batches(corpus)):
            ids += i
            sigs += s
    return ids, sigs


def candidates_rensa(hashes):
    """rensa's LSH index of `hashes`: the keys sharing a band with each."""
    import rensa

    lsh = rensa.RMinHashLSH(THRESHOLD, BANDS * ROWS, BANDS)
    lsh.insert_many(hashes)
    return lsh.query_all(hashes)


def candidates_datasketch(hashes):
    """datasketch's LSH index of `hashes`: the keys sharing a band with each."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
    with lsh.insertion_session() as session:
        for i, m in enumerate(hashes):
            session.insert(i, m, check_duplication=False)
    return [lsh.query(m) for m in hashes]


def parse_batch(lines):
    """Ids and texts of a batch of JSON lines."""
    objs = [json.loads(x) for x in lines]
    return [o["id"] for o in objs], [o.get("text") or "" for o in objs]


def worker_neardup_python(corpus, out, procs):
    """neardup from Python: the texts read into lists (in `procs` processes, as the peers read
    them), `neardup.cluster` on them, its members written as pairs; returns the stage times."""
    import neardup

    times = {}
    t = time.perf_counter()
    ids, texts = signed(parse_batch, corpus, procs)
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    table = neardup.cluster(texts, ids, threads=procs)
    times["cluster"] = time.perf_counter() - t
    members = table.select(["canonical_id", "id", "canonical"]).to_pydict()
    with open(out, "w", encoding="utf-8") as f:
        for kept, member, canonical in zip(*members.values()):
            if not canonical:
                f.write(f"{kept}\t{member}\n")
    return times


def worker(tool, corpus, out, procs):
    """One Python peer end to end: sign, index and query, keep the candidates whose MinHash
    estimate is at least the threshold, write the pairs; returns the stage times."""
    if tool == "neardup-python":
        return worker_neardup_python(corpus, out, procs)
    sign, candidates = WORKERS[tool]
    times = {}
    t = time.perf_counter()
    ids, hashes = signed(sign, corpus, procs)
    times["read+shingle+sign"] = time.perf_counter() - t
    t = time.perf_counter()
    pairs = []
    for a, found in enumerate(candidates(hashes)):
        for b in found:
            if b > a and hashes[a].jaccard(hashes[b]) >= THRESHOLD:
                pairs.append((a, b))
    times["lsh+check"] = time.perf_counter() - t
    write_pairs(out, ids, pairs)
    return times


def write_pairs(out, ids, pairs):
    with open(out, "w", encoding="utf-8") as f:
        for a, b in pairs:
            f.write(f"{ids[a]}\t{ids[b]}\n")


WORKERS = {
    "rensa": (sign_rensa, candidates_rensa),
    "datasketch": (sign_datasketch, candidates_datasketch),
}


# ------------------------------------------------------------------------------------------
# Measuring a tool: a small process of its own starts it and reports on it.


def tree_rss(pid):
    """Resident bytes of `pid` and its descendants (0 when it is gone)."""
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return total


def measure(argv):
    """Runs `argv`, samples its process tree's memory every 20 ms, reaps it with `os.wait4`;
    prints its wall and CPU time (its reaped children's included), its peak memory (the
    larger of `ru_maxrss` and the sampled sum over the tree) and its standard output."""
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out)
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    out.seek(0)
    stdout = out.read().decode("utf-8", "replace")
    rss_mb = max(usage.ru_maxrss * 1024, peak) / 1e6
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"code": code, "wall": wall, "cpu": cpu, "rss_mb": rss_mb, "out": stdout}))


def run_measured(argv):
    """`measure(argv)` in a fresh interpreter (so that the tool's `ru_maxrss` is not that of
    this process, which holds the truth): (wall s, cpu s, peak MB, stdout)."""
    me = [sys.executable, os.path.abspath(__file__), "--measure", "--"]
    res = subprocess.run(me + argv, stdout=subprocess.PIPE, check=True)
    r = json.loads(res.stdout)
    if r["code"] != 0:
        sys.exit(f"{' '.join(argv)} failed with exit code {r['code']}")
    return r["wall"], r["cpu"], r["rss_mb"], r["out"]


def labels_of(path):
    """Story of each id, from `id<TAB>group` lines (a header line `id<TAB>group` skipped)."""
    story = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line == "id\tgroup":
                continue
            doc, group = line.split("\t")
            story[doc] = group
    return story


def truth_pairs(corpus, story):
    """Ids in line order, the number of same-story pairs, and those whose exact Jaccard over
    the Python shingle sets is >= THRESHOLD."""
    ids, texts = read_corpus(corpus)
    by_story = {}
    for i, doc in enumerate(ids):
        by_story.setdefault(story[doc], []).append(i)
    same, pairs = 0, []
    for members in by_story.values():
        if len(members) < 2:
            continue
        sets = {m: set(shingles(texts[m])) for m in members}
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                same += 1
                sa, sb = sets[a], sets[b]
                union = len(sa | sb)
                if union and len(sa & sb) / union >= THRESHOLD:
                    pairs.append((ids[a], ids[b]))
    return ids, same, pairs


def groups_from_pairs(path, ids=None):
    """Group of each id in the pairs file (union-find); ids in no pair are in no group. With
    `ids`, the file holds line numbers, and `ids` names them."""
    parent = {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    count = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            a, b = line.rstrip("\n").split("\t")
            if ids is not None:
                a, b = ids[int(a)], ids[int(b)]
            count += 1
            parent.setdefault(a, a)
            parent.setdefault(b, b)
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}, count


def groups_from_clusters(path):
    """Group of each id in neardup's cluster file."""
    group = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("record") != "cluster":
                continue
            for m in rec["members"]:
                group[m["id"]] = rec["cluster"]
    return group


def score(group, truth, story):
    """(recall by group, true pairs grouped, grouped pairs across stories)."""
    found = sum(1 for a, b in truth if a in group and group.get(a) == group.get(b))
    members = {}
    for doc, g in group.items():
        members.setdefault(g, []).append(doc)
    across = 0
    for docs in members.values():
        by = {}
        for d in docs:
            by[story[d]] = by.get(story[d], 0) + 1
        n = len(docs)
        across += n * (n - 1) // 2 - sum(k * (k - 1) // 2 for k in by.values())
    return (100.0 * found / max(len(truth), 1), found, across)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000, help="documents to generate")
    parser.add_argument("--corpus", help="an existing archive (labels in FILE.labels.tsv)")
    parser.add_argument("--neardup", default="target/release/neardup", help="the binary")
    parser.add_argument(
        "--gaoya",
        default="target/release/examples/gaoya_peer",
        help="the gaoya program (`cargo build --release --example gaoya_peer`)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool, in turn")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--before", help="another neardup binary run beside --neardup")
    parser.add_argument(
        "--procs", type=int, default=2, help="processes the Python peers sign in (default 2)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("argv", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        measure(args.argv)
        return
    if args.worker:
        times = worker(args.worker, args.corpus, args.out, args.procs)
        print(json.dumps(times))
        return

    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in ALL_TOOLS:
            sys.exit(f"unknown tool {t!r}; the tools are {', '.join(ALL_TOOLS)}")
    if "neardup-python" in tools and importlib.util.find_spec("neardup") is None:
        print(
            "neardup-python skipped: `import neardup` fails in this Python "
            f"({sys.executable}); install the package with `pip install ./python`",
            file=sys.stderr,
        )
        tools.remove("neardup-python")
    if args.before:
        if not os.path.exists(args.before):
            sys.exit(f"{args.before} not found")
        tools += ["before:" + t for t in tools if t in ("neardup", "neardup-jaccard")]
    binary = any(t.startswith("neardup") and t != "neardup-python" for t in tools)
    if (binary or not args.corpus) and not os.path.exists(args.neardup):
        sys.exit(f"{args.neardup} not found: run `cargo build --release` first")
    if "gaoya" in tools and not os.path.exists(args.gaoya):
        sys.exit(f"{args.gaoya} not found: run `cargo build --release --example gaoya_peer`")

    work = tempfile.mkdtemp(prefix="neardup-peers-")
    try:
        if args.corpus:
            corpus = args.corpus
            labels = corpus + ".labels.tsv"
        else:
            corpus = os.path.join(work, "corpus.jsonl")
            labels = corpus + ".labels.tsv"
            gen = [args.neardup, "gen", "--docs", str(args.docs), "--seed", "1", "-o", corpus]
            subprocess.run(gen, check=True)
        story = labels_of(labels)
        size_mb = os.path.getsize(corpus) / 1e6
        t = time.perf_counter()
        ids, same, truth = truth_pairs(corpus, story)
        print(
            f"corpus {corpus}: {len(story)} documents, {size_mb:.1f} MB; {same} same-story "
            f"pairs, {len(truth)} with exact Jaccard >= {THRESHOLD} "
            f"({time.perf_counter() - t:.1f} s to compute)",
            file=sys.stderr,
        )

        results = {t: [] for t in tools}
        outputs = {}
        for r in range(args.runs):
            for tool in tools:
                out = os.path.join(work, f"{tool.replace(':', '-')}.out")
                if tool.startswith("before:"):
                    argv = [args.before, "cluster", corpus, "-o", out, "-q"]
                    if tool == "before:neardup-jaccard":
                        argv += ["--mode", "jaccard"]
                elif tool in ("neardup", "neardup-jaccard"):
                    argv = [args.neardup, "cluster", corpus, "-o", out, "-q"]
                    if tool == "neardup-jaccard":
                        argv += ["--mode", "jaccard"]
                elif tool == "gaoya":
                    argv = [args.gaoya, corpus, out, str(args.procs)]
                else:
                    argv = [sys.executable, os.path.abspath(__file__), "--worker", tool]
                    argv += ["--corpus", corpus, "--out", out, "--procs", str(args.procs)]
                wall, cpu, rss, stdout = run_measured(argv)
                stages = json.loads(stdout) if stdout.strip() else {}
                results[tool].append({"wall": wall, "cpu": cpu, "rss_mb": rss, "stages": stages})
                staged = ", ".join(
                    f"{k} {v:.2f} s" if isinstance(v, float) else f"{k} {v}"
                    for k, v in stages.items()
                )
                print(
                    f"run {r + 1}: {tool}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB"
                    + (f" ({staged})" if staged else ""),
                    file=sys.stderr,
                )
                outputs[tool] = out

        rows = []
        for tool in tools:
            if tool in ("neardup", "neardup-jaccard") or tool.startswith("before:"):
                group, reported = groups_from_clusters(outputs[tool]), None
            else:
                group, reported = groups_from_pairs(outputs[tool], ids if tool == "gaoya" else None)
            recall, found, across = score(group, truth, story)
            if found == 0:
                sys.exit(f"{tool} found none of the {len(truth)} true pairs")
            walls = [x["wall"] for x in results[tool]]
            rows.append(
                {
                    "tool": tool,
                    "wall_median_s": statistics.median(walls),
                    "wall_min_s": min(walls),
                    "wall_max_s": max(walls),
                    "cpu_median_s": statistics.median(x["cpu"] for x in results[tool]),
                    "peak_rss_mb": max(x["rss_mb"] for x in results[tool]),
                    "pairs_reported": reported,
                    "recall_by_group": recall,
                    "true_pairs_grouped": found,
                    "pairs_across_stories": across,
                    "runs": results[tool],
                }
            )

        base = next((r for r in rows if r["tool"] == "neardup-jaccard"), rows[0])
        print(
            f"\n{len(story)} documents, {size_mb:.1f} MB, {args.runs} runs of each in turn; "
            f"recall over {len(truth)} true pairs\n"
        )
        print(
            "| tool | wall (median, min-max) | CPU | peak memory | recall | pairs across "
            f"stories | wall / {base['tool']}'s |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['tool']} | {r['wall_median_s']:.2f} s ({r['wall_min_s']:.2f}-"
                f"{r['wall_max_s']:.2f}) | {r['cpu_median_s']:.2f} s | {r['peak_rss_mb']:.0f} MB "
                f"| {r['recall_by_group']:.2f}% | {r['pairs_across_stories']} | "
                f"{r['wall_median_s'] / base['wall_median_s']:.1f}x |"
            )
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(
                    {
                        "documents": len(story),
                        "corpus_mb": size_mb,
                        "true_pairs": len(truth),
                        "same_story_pairs": same,
                        "tools": rows,
                    },
                    f,
                    indent=1,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
