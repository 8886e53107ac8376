"""Runs neardup_spark on several cases in one Spark session (for tests/spark.rs).

    spark-submit --master 'local[2]' engines/spark/run_cases.py \
        SIGDIR OUTDIR PARTITIONS [SIGDIR OUTDIR PARTITIONS ...]

Before the cases, checks connected_components against union-find on a path with shuffled ids,
a star, cliques and random sparse graphs, and divisible() against unsigned arithmetic. Exits 1
on a mismatch, 2 on a bad signature directory.
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import neardup_spark  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402


def union_find(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: min(y for y in parent if find(y) == find(x)) for x in parent}


def check_components(spark):
    rng = random.Random(7)
    ids = list(range(1, 61))
    rng.shuffle(ids)
    graphs = {
        "path": [(ids[i], ids[i + 1]) for i in range(len(ids) - 1)],
        "star": [(500, 500 + i) for i in range(1, 30)],
        "cliques": [
            (base + i, base + j) for base in (0, 100, 200) for i in range(8) for j in range(i + 1, 8)
        ],
        "random": [(rng.randrange(150), rng.randrange(150)) for _ in range(100)],
    }
    for name, edges in graphs.items():
        edges = [(a, b) for a, b in edges if a != b]
        want = union_find(edges)
        df = spark.createDataFrame(edges, "a long, b long")
        got = {r["doc_id"]: r["comp"] for r in neardup_spark.connected_components(df).collect()}
        if got != want:
            bad = [x for x in want if got.get(x) != want[x]][:5]
            print(f"run_cases: components of {name} differ from union-find at {bad}", file=sys.stderr)
            return False
        print(f"run_cases: components of {name} ({len(edges)} edges) match union-find", file=sys.stderr)
    return True


def check_divisible(spark):
    """divisible() on bit-cast u64 hashes against Python's unsigned arithmetic, as a column and
    inside an array lambda (as real_text_holds uses it), for powers of two and others."""
    from pyspark.sql import functions as F

    rng = random.Random(11)
    values = [rng.getrandbits(64) for _ in range(2000)] + [0, 2**63 - 1, 2**63, 2**64 - 1]
    signed = [v - 2**64 if v >= 2**63 else v for v in values]
    df = spark.createDataFrame([(x,) for x in signed], "x long")
    arr = spark.createDataFrame([(signed,)], "a array<long>")
    for every in (1, 3, 7, 8, 10, 64, 1000003):
        got = [r[0] for r in df.select(neardup_spark.divisible(F.col("x"), every)).collect()]
        want = [v % every == 0 for v in values]
        n = arr.select(F.size(F.filter("a", lambda x: neardup_spark.divisible(x, every)))).first()[0]
        if got != want or n != sum(want):
            print(f"run_cases: divisible by {every} differs from u64 arithmetic", file=sys.stderr)
            return False
    print("run_cases: divisible matches u64 arithmetic", file=sys.stderr)
    return True


def main(argv):
    if len(argv) % 3 != 0 or not argv:
        print(__doc__, file=sys.stderr)
        return 2
    spark = SparkSession.builder.appName("neardup-cases").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        spark.conf.set("spark.sql.shuffle.partitions", "2")
        if not check_components(spark) or not check_divisible(spark):
            return 1
        for i in range(0, len(argv), 3):
            sigdir, outdir, partitions = argv[i], argv[i + 1], int(argv[i + 2])
            spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
            t = time.time()
            stats = neardup_spark.run(spark, sigdir, outdir)
            print(
                f"run_cases: {sigdir} -> {outdir} with {partitions} shuffle partitions in "
                f"{time.time() - t:.1f} s: {stats}",
                file=sys.stderr,
            )
    except neardup_spark.SignatureError as e:
        print(f"run_cases: {e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
