#!/usr/bin/env python3
"""neardup's article extraction against trafilatura on a corpus of pages with gold snippets.

The corpus is a directory of `NAME.html` pages, each with a `NAME.expect` of `+ text` lines
(must be in the article text) and `- text` lines (must not be); `#` and blank lines are
ignored (the format of `tests/pages/`, read the same way by `tests/snippets/mod.rs`). Each
extractor's text of each page is scored by the rule of the public extraction benchmarks:
snippets and text compared after collapsing runs of whitespace, a `+` snippet found is a true
positive, one missing a false negative, a `-` snippet found a false positive. Precision,
recall and F1 are over the snippets of the whole corpus.

- `neardup`: `neardup dedupe DIR -o KEPT --removed REMOVED` on a directory holding the
  corpus's pages `--repeat` times (copies `rep000/`, `rep001/`...), the `text` of each record
  (a page read from a directory gets the path as given as its id; the copies are duplicates,
  so most land in REMOVED, which carries the same `text`). The copy `rep000/` is scored. The
  time is the whole run (reading, extraction, deduplication, writing), on `--threads` threads.
- `trafilatura`: `trafilatura.extract(html_bytes, include_comments=False)`, default settings
  otherwise, one page after another in this process, the corpus `--repeat` times.

Timing: wall time (pages/s) and, for neardup, CPU time too (pages per CPU second, the
process's user + system time from `os.wait4`), since it may use more than one core while the
trafilatura loop uses one.

Usage (from the repository root, after `cargo build --release`):

    python3 -m venv .venv-extract && .venv-extract/bin/pip install trafilatura lxml_html_clean
    .venv-extract/bin/python benches/extractors.py tests/pages --repeat 20

`--tools neardup,trafilatura` picks tools, `--neardup BIN` another build, `--failures`
prints each page's failed snippets per tool.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def collapse(s):
    return " ".join(s.split())


def read_corpus(directory):
    """[(name, html_path, must, must_not)], sorted by name."""
    cases = []
    for html in sorted(Path(directory).glob("*.html")):
        expect = html.with_suffix(".expect")
        if not expect.exists():
            sys.exit(f"extractors.py: {expect}: missing (each page needs its .expect snippets)")
        must, must_not = [], []
        for n, line in enumerate(expect.read_text(encoding="utf-8").splitlines(), 1):
            t = line.strip()
            if not t or t.startswith("#"):
                continue
            snippet = collapse(t[1:])
            if t[0] == "+" and snippet:
                must.append(snippet)
            elif t[0] == "-" and snippet:
                must_not.append(snippet)
            else:
                sys.exit(f"extractors.py: {expect}:{n}: expected `+ text`, `- text` or `# comment`, got {t!r}")
        cases.append((html.stem, html, must, must_not))
    if not cases:
        sys.exit(f"extractors.py: {directory}: no NAME.html pages")
    return cases


def score(text, must, must_not):
    text = collapse(text or "")
    missed = [m for m in must if m not in text]
    kept = [m for m in must_not if m in text]
    return len(must) - len(missed), missed, kept


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run_neardup(binary, cases, repeat, threads):
    """(texts by page name, wall seconds, CPU seconds)."""
    with tempfile.TemporaryDirectory(prefix="extractors-") as tmp:
        corpus = Path(tmp) / "corpus"
        for i in range(repeat):
            rep = corpus / f"rep{i:03}"
            rep.mkdir(parents=True)
            for name, html, _, _ in cases:
                shutil.copyfile(html, rep / f"{name}.html")
        kept, removed = Path(tmp) / "kept.jsonl", Path(tmp) / "removed.jsonl"
        cmd = [binary, "dedupe", str(corpus), "-o", str(kept), "--removed", str(removed),
               "-q", "--threads", str(threads)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"extractors.py: {' '.join(cmd)} failed")
        texts = {}
        first = str(corpus / "rep000") + "/"
        for path in (kept, removed):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    rec = json.loads(line)
                    rid = rec.get("id", "")
                    if rid.startswith(first):
                        texts[Path(rid).stem] = rec.get("text", "")
        return texts, wall, usage.ru_utime + usage.ru_stime


def run_trafilatura(cases, repeat):
    import trafilatura

    pages = [(name, html.read_bytes()) for name, html, _, _ in cases]
    texts = {}
    cpu0, start = time.process_time(), time.perf_counter()
    for i in range(repeat):
        for name, data in pages:
            text = trafilatura.extract(data, include_comments=False)
            if i == 0:
                texts[name] = text or ""
    return texts, time.perf_counter() - start, time.process_time() - cpu0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", help="directory of NAME.html pages with NAME.expect snippets")
    ap.add_argument("--repeat", type=int, default=10, help="runs over the corpus for timing")
    ap.add_argument("--tools", default="neardup,trafilatura")
    ap.add_argument("--neardup", default="target/release/neardup", help="the neardup binary")
    ap.add_argument("--threads", type=int, default=0, help="neardup's --threads (0: one per core)")
    ap.add_argument("--failures", action="store_true", help="print each page's failed snippets")
    args = ap.parse_args()
    if args.repeat < 1:
        sys.exit("extractors.py: --repeat must be at least 1")
    cases = read_corpus(args.corpus)
    rows = []
    for tool in args.tools.split(","):
        if tool == "neardup":
            texts, wall, cpu = run_neardup(args.neardup, cases, args.repeat, args.threads)
        elif tool == "trafilatura":
            texts, wall, cpu = run_trafilatura(cases, args.repeat)
        else:
            sys.exit(f"extractors.py: unknown tool {tool!r} (neardup, trafilatura)")
        tp = fp = fn = passed = 0
        for name, _, must, must_not in cases:
            t, missed, kept = score(texts.get(name, ""), must, must_not)
            tp, fp, fn = tp + t, fp + len(kept), fn + len(missed)
            passed += not missed and not kept
            if args.failures and (missed or kept):
                print(f"{tool} {name}:", file=sys.stderr)
                for m in missed:
                    print(f"    missing + {m}", file=sys.stderr)
                for k in kept:
                    print(f"    kept    - {k}", file=sys.stderr)
        p, r, f = prf(tp, fp, fn)
        n = len(cases) * args.repeat
        rows.append((tool, p, r, f, passed, n / wall, n / cpu if cpu else float("nan")))
    print(f"{len(cases)} pages, timed over {args.repeat} runs ({len(cases) * args.repeat} pages)\n")
    print("| extractor | precision | recall | F1 | pages passing | pages/s | pages/CPU-s |")
    print("|---|---|---|---|---|---|---|")
    for tool, p, r, f, passed, ps, pc in rows:
        print(f"| {tool} | {p:.3f} | {r:.3f} | {f:.3f} | {passed}/{len(cases)} | {ps:.0f} | {pc:.0f} |")


if __name__ == "__main__":
    main()
