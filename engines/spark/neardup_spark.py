"""neardup on Apache Spark: clusters of near-duplicate documents from signed shards.

    spark-submit --master 'local[2]' engines/spark/neardup_spark.py SIGDIR OUTDIR

SIGDIR is written by `neardup sign SHARD --shard N --out SIGDIR` (one call per shard); OUTDIR
gets `clusters/` (doc_id, cluster_id), `pairs/` (the verified pairs) and `stats/` (counts and
the definition used), which `neardup report --clusters OUTDIR --docs SIGDIR` turns into the
same JSON Lines, CSV and HTML report as `neardup cluster` on the shards' inputs.

What a duplicate is comes from SIGDIR/manifest.json, never from this job's arguments, and is
the local definition step by step (src/lsh.rs, src/contain.rs, src/verify.rs,
src/cluster.rs):

1. candidate pairs: all pairs of documents sharing a band key; a bucket of more than
   `max_bucket` documents pairs its smallest doc_id with each other member only. In
   containment mode also pairs sharing sampled shingles (grouped by the high 32 bits of the
   shingle hash; groups of more than `max_df` entries pair nothing) at least
   max(1, ceil(min(samples_a, samples_b) / 2)) times.
2. verification: exact counts of the shingle sets, `size(array_intersect(a, b))`; Jaccard and
   containment are IEEE-754 double divisions of those integers, compared with the manifest's
   thresholds (the same arithmetic as the Rust code, bit for bit).
3. `--cross-outlet-only` and `--window` filter verified pairs on precomputed keys (outlet
   trimmed and ASCII-lower-cased; date as a day number).
4. connected components (large-star / small-star, Kiveris et al. 2014), then the chaining
   guard: each component keeps the members that match its center (most verified pairs inside
   the component, then most text characters, ties to the smallest id, then the smallest
   doc_id) under the rule and the window; the others are split again into the components of
   the pairs among them, until none is left.
   In containment mode, before the components: a pair accepted by containment alone (Jaccard
   below the threshold) links its contained side (the smaller set; of two sets of one size,
   the side with fewer text characters, ties to the greater id) only to its best container
   (highest containment, then highest Jaccard, then most text characters, ties to the
   smallest id); a group of identical sets is one side, ranked as its greatest member (no
   groups with `--cross-outlet-only` or `--window`, as copies::Copies). The guard keeps a
   member matched to the center by containment alone only when the member is the contained
   side, or the center's chosen container or a document the rule accepts with it.
5. cluster_id = the smallest doc_id of the cluster (canonical whatever the partitioning).

DataFrame API only: no Python UDF runs on the executors.
"""

import argparse
import json
import sys

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

FORMAT = "neardup-signatures"
FORMAT_VERSION = 1


class SignatureError(Exception):
    """The signature directory is missing a part or its parts do not match."""


def read_text(spark, path):
    """The whole text of each file matching `path` (any Hadoop file system)."""
    return [r.value for r in spark.read.text(path, wholetext=True).collect()]


def read_manifest(spark, sigdir):
    """The manifest, after checking that every shard was signed with its definition."""
    texts = read_text(spark, sigdir + "/manifest.json")
    if len(texts) != 1:
        raise SignatureError(f"{sigdir}/manifest.json: not found")
    manifest = json.loads(texts[0])
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise SignatureError(
            f"{sigdir}/manifest.json: expected {FORMAT} version {FORMAT_VERSION}, got "
            f"{manifest.get('format')} version {manifest.get('format_version')}"
        )
    shards = [json.loads(t) for t in read_text(spark, sigdir + "/shards/*.json")]
    if not shards:
        raise SignatureError(f"{sigdir}/shards: no shard signed yet")
    for s in shards:
        if s["definition"] != manifest["definition"]:
            raise SignatureError(
                f"{sigdir}: shard {s['shard']} was signed with other settings than manifest.json"
            )
    return manifest


def scores(inter, na, nb):
    """Jaccard and containment as the Rust code computes them (verify::scores_from_counts)."""
    inter_d = inter.cast("double")
    union = (na + nb).cast("double") - inter_d
    return inter_d / union, inter_d / F.least(na, nb).cast("double")


def accepts(d, inter, na, nb):
    """The duplicate rule of the definition `d` as a Column (verify::Rule::accepts)."""
    jac, cont = scores(inter, na, nb)
    ok = jac >= F.lit(float(d["threshold"]))
    if d["mode"] == "containment":
        ok = ok | (
            (cont >= F.lit(float(d["containment"])))
            & (F.least(na, nb) >= F.lit(int(d["min_contained"])))
        )
    elif d["mode"] != "jaccard":
        raise SignatureError(f"unknown mode {d['mode']!r}")
    return ok


def window_ok(d, day_a, day_b):
    """False when both dates are known and further apart than the window."""
    w = d.get("window_days")
    if w is None:
        return F.lit(True)
    far = day_a.isNotNull() & day_b.isNotNull() & (F.abs(day_a.cast("long") - day_b.cast("long")) > F.lit(int(w)))
    return ~far


def allowed(d, outlet_a, outlet_b, day_a, day_b):
    """pipeline::pair_allowed: the outlet and date filters of verified pairs."""
    ok = window_ok(d, day_a, day_b)
    if d["cross_outlet_only"]:
        same = outlet_a.isNotNull() & outlet_b.isNotNull() & (outlet_a == outlet_b)
        ok = ok & ~same
    return ok


def lsh_candidates(bands, max_bucket):
    """Pairs (a < b) sharing a band key; oversized buckets as a star from their smallest id."""
    sizes = bands.groupBy("band", "band_hash").agg(
        F.count(F.lit(1)).alias("n"), F.min("doc_id").alias("first")
    )
    oversized = sizes.filter(F.col("n") > max_bucket)
    n_oversized = oversized.count()
    small = bands.join(
        sizes.filter((F.col("n") >= 2) & (F.col("n") <= max_bucket)).select("band", "band_hash"),
        ["band", "band_hash"],
    )
    a = small.select("band", "band_hash", F.col("doc_id").alias("a"))
    b = small.select("band", "band_hash", F.col("doc_id").alias("b"))
    all_pairs = a.join(b, ["band", "band_hash"]).filter(F.col("a") < F.col("b")).select("a", "b")
    star = (
        bands.join(oversized.select("band", "band_hash", "first"), ["band", "band_hash"])
        .filter(F.col("doc_id") != F.col("first"))
        .select(F.col("first").alias("a"), F.col("doc_id").alias("b"))
    )
    return all_pairs.unionByName(star), n_oversized


def sample_candidates(samples, docs, max_df):
    """contain::candidate_pairs: pairs sharing at least half of the smaller one's samples."""
    df = samples.groupBy("sample_hi").agg(F.count(F.lit(1)).alias("df"))
    n_boiler = df.filter(F.col("df") > max_df).count()
    keep = samples.join(
        df.filter((F.col("df") >= 2) & (F.col("df") <= max_df)).select("sample_hi"), "sample_hi"
    )
    a = keep.select("sample_hi", F.col("doc_id").alias("a"))
    b = keep.select("sample_hi", F.col("doc_id").alias("b"))
    shared = (
        a.join(b, "sample_hi")
        .filter(F.col("a") < F.col("b"))
        .groupBy("a", "b")
        .agg(F.count(F.lit(1)).alias("shared"))
    )
    counts = docs.select("doc_id", "samples")
    ca = counts.select(F.col("doc_id").alias("a"), F.col("samples").alias("ca"))
    cb = counts.select(F.col("doc_id").alias("b"), F.col("samples").alias("cb"))
    need = F.greatest(F.lit(1), F.expr("(least(ca, cb) + 1) div 2"))
    pairs = shared.join(ca, "a").join(cb, "b").filter(F.col("shared") >= need).select("a", "b")
    return pairs, n_boiler


def checkpoint(df: DataFrame) -> DataFrame:
    """Cuts the lineage of an iterative step (eager, on the executors' local storage)."""
    return df.localCheckpoint(eager=True)


def connected_components(edges: DataFrame) -> DataFrame:
    """(doc_id, comp) for every node of `edges` (columns a, b), comp = the component's
    smallest node: large-star / small-star until the edges form stars around their minima."""
    e = checkpoint(
        edges.select(F.least("a", "b").alias("lo"), F.greatest("a", "b").alias("hi"))
        .filter(F.col("lo") != F.col("hi"))
        .distinct()
    )
    while True:
        # Large-star: each node u links every larger neighbour to min(N(u) + u).
        both = e.select(F.col("lo").alias("u"), F.col("hi").alias("v")).unionByName(
            e.select(F.col("hi").alias("u"), F.col("lo").alias("v"))
        )
        mins = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
        large = (
            both.join(mins, "u")
            .filter(F.col("v") > F.col("u"))
            .select(F.least("v", "m").alias("lo"), F.greatest("v", "m").alias("hi"))
            .distinct()
        )
        # Small-star: each node u links its smaller neighbours and itself to their minimum.
        mins2 = large.groupBy("hi").agg(F.min("lo").alias("m"))
        leaves = large.join(mins2, "hi").select(F.col("lo").alias("v"), "m")
        small = leaves.unionByName(mins2.select(F.col("hi").alias("v"), "m")).filter(
            F.col("v") != F.col("m")
        )
        e = checkpoint(
            small.select(F.least("v", "m").alias("lo"), F.greatest("v", "m").alias("hi")).distinct()
        )
        # Converged when the edges are stars around their minima: no node is both a centre
        # (lo) and a leaf (hi), and no leaf has two centres (one job).
        ends = e.select(F.col("lo").alias("n"), F.lit(None).cast("long").alias("c")).unionByName(
            e.select(F.col("hi").alias("n"), F.col("lo").alias("c"))
        )
        bad = ends.groupBy("n").agg(
            (
                ((F.count_if(F.col("c").isNull()) > 0) & (F.count_if(F.col("c").isNotNull()) > 0))
                | (F.countDistinct("c") > 1)
            ).alias("bad")
        )
        if bad.filter("bad").limit(1).count() == 0:
            break
    leaves = e.select(F.col("hi").alias("doc_id"), F.col("lo").alias("comp"))
    roots = e.select(F.col("lo").alias("doc_id"), F.col("lo").alias("comp")).distinct()
    return leaves.unionByName(roots)


def side_ranks(d, docs, sets):
    """(doc_id, n, g_chars, g_id, g_doc): each document's set size and the rank of its side
    for cluster::attach_contained. A group of identical sets is one side, ranked as its
    greatest member (most text characters, ties to the smallest id) and named by its
    smallest doc_id; without groups under the outlet and date filters (copies::Copies is
    not used then)."""
    r = sets.select(
        "doc_id", F.array_sort("shingles").alias("set"), F.size("shingles").cast("long").alias("n")
    ).join(docs.select("doc_id", "id", "text_chars"), "doc_id")
    if d["cross_outlet_only"] or d.get("window_days") is not None:
        return r.select(
            "doc_id",
            "n",
            F.col("text_chars").alias("g_chars"),
            F.col("id").alias("g_id"),
            F.col("doc_id").alias("g_doc"),
        )
    best = Window.partitionBy("set").orderBy(
        F.col("text_chars").desc(), F.col("id").asc(), F.col("doc_id").asc()
    )
    group = Window.partitionBy("set")
    return r.select(
        "doc_id",
        "n",
        F.first("text_chars").over(best).alias("g_chars"),
        F.first("id").over(best).alias("g_id"),
        F.min("doc_id").over(group).alias("g_doc"),
    )


def first_is_contained(n1, c1, i1, g1, n2, c2, i2, g2):
    """cluster::contained_side: True when side 1 is the contained one (the smaller set, then
    fewer text characters, then the greater id, then the greater name)."""
    return (n1 < n2) | (
        (n1 == n2)
        & ((c1 < c2) | ((c1 == c2) & ((i1 > i2) | ((i1 == i2) & (g1 > g2)))))
    )


def attach_contained(d, pairs, ranks):
    """cluster::attach_contained on the verified, allowed pairs (a, b, inter, na, nb): the
    edges kept (a, b) and each contained side's container, (doc_id, att_chars, att_id,
    att_doc): the rank of its side and a document of it."""
    jac, cont = scores(F.col("inter"), F.col("na"), F.col("nb"))
    ra = ranks.select(
        F.col("doc_id").alias("a"),
        F.col("g_chars").alias("ca"),
        F.col("g_id").alias("ia"),
        F.col("g_doc").alias("ga"),
    )
    rb = ranks.select(
        F.col("doc_id").alias("b"),
        F.col("g_chars").alias("cb"),
        F.col("g_id").alias("ib"),
        F.col("g_doc").alias("gb"),
    )
    by_cont = (
        pairs.withColumn("jac", jac)
        .withColumn("cont", cont)
        .filter(F.col("jac") < F.lit(float(d["threshold"])))
        .join(ra, "a")
        .join(rb, "b")
    )
    a_in_b = first_is_contained(
        F.col("na"), F.col("ca"), F.col("ia"), F.col("ga"),
        F.col("nb"), F.col("cb"), F.col("ib"), F.col("gb"),
    )
    side = lambda x, y: F.when(a_in_b, F.col(x)).otherwise(F.col(y))
    directed = by_cont.select(
        "a",
        "b",
        "jac",
        "cont",
        side("a", "b").alias("x"),
        side("cb", "ca").alias("y_chars"),
        side("ib", "ia").alias("y_id"),
        side("gb", "ga").alias("y_doc"),
    )
    best = Window.partitionBy("x").orderBy(
        F.col("cont").desc(),
        F.col("jac").desc(),
        F.col("y_chars").desc(),
        F.col("y_id").asc(),
        F.col("y_doc").asc(),
    )
    chosen = checkpoint(
        directed.withColumn("r", F.dense_rank().over(best)).filter(F.col("r") == 1)
    )
    kept = (
        pairs.join(by_cont.select("a", "b"), ["a", "b"], "left_anti")
        .select("a", "b")
        .unionByName(chosen.select("a", "b"))
    )
    attach = chosen.select(
        F.col("x").alias("doc_id"),
        F.col("y_chars").alias("att_chars"),
        F.col("y_id").alias("att_id"),
        F.col("y_doc").alias("att_doc"),
    ).distinct()
    return kept, attach


def guarded_clusters(d, edges, docs, sets, all_edges=None, ranks=None, attach=None):
    """cluster::guarded_clusters: (doc_id, cluster_id) and the number of guard splits. In
    containment mode `edges` are the pairs attach_contained keeps, `all_edges` every
    verified, allowed pair (to count the splits), `ranks` and `attach` what the guard
    needs to keep its rule."""
    info = docs.select("doc_id", "id", "text_chars", "day")
    labels = checkpoint(connected_components(edges))
    unguarded = (labels if all_edges is None else connected_components(all_edges)).count()
    done = []
    kept_total = 0
    while True:
        # cluster::hub: the most verified pairs inside the component (`edges` holds exactly
        # the pairs among the documents still to cluster, so a document's count is its degree
        # in its component), then cluster::canonical_keys: most text characters, ties to the
        # smallest id (Spark compares strings by their UTF-8 bytes, as Rust does), then the
        # smallest doc_id.
        degree = (
            edges.select(F.col("a").alias("doc_id"))
            .unionAll(edges.select(F.col("b").alias("doc_id")))
            .groupBy("doc_id")
            .agg(F.count(F.lit(1)).alias("degree"))
        )
        m = labels.join(info, "doc_id").join(degree, "doc_id")
        rank = Window.partitionBy("comp").orderBy(
            F.col("degree").desc(),
            F.col("text_chars").desc(),
            F.col("id").asc(),
            F.col("doc_id").asc(),
        )
        centers = (
            m.withColumn("r", F.row_number().over(rank))
            .filter(F.col("r") == 1)
            .select("comp", F.col("doc_id").alias("center"))
        )
        m = m.join(centers, "comp")
        c_info = info.select(
            F.col("doc_id").alias("center"), F.col("day").alias("c_day")
        )
        s_c = sets.select(F.col("doc_id").alias("center"), F.col("shingles").alias("sc"))
        s_m = sets.select("doc_id", F.col("shingles").alias("sm"))
        inter = F.size(F.array_intersect("sc", "sm")).cast("long")
        na, nb = F.size("sc").cast("long"), F.size("sm").cast("long")
        joined = m.join(c_info, "center").join(s_c, "center").join(s_m, "doc_id")
        ok = accepts(d, inter, na, nb) & window_ok(d, F.col("c_day"), F.col("day"))
        if attach is not None:
            # A member matched by containment alone: the contained side, or the container
            # the center is attached to.
            r_c = ranks.select(
                F.col("doc_id").alias("center"),
                F.col("g_chars").alias("rc_chars"),
                F.col("g_id").alias("rc_id"),
                F.col("g_doc").alias("rc_doc"),
            )
            r_m = ranks.select(
                "doc_id",
                F.col("g_chars").alias("rm_chars"),
                F.col("g_id").alias("rm_id"),
                F.col("g_doc").alias("rm_doc"),
            )
            a_c = attach.select(F.col("doc_id").alias("center"), "att_chars", "att_id", "att_doc")
            s_a = sets.select(F.col("doc_id").alias("att_doc"), F.col("shingles").alias("sat"))
            joined = (
                joined.join(r_c, "center")
                .join(r_m, "doc_id")
                .join(a_c, "center", "left")
                .join(s_a, "att_doc", "left")
            )
            jac, _ = scores(inter, na, nb)
            member_contained = first_is_contained(
                nb, F.col("rm_chars"), F.col("rm_id"), F.col("rm_doc"),
                na, F.col("rc_chars"), F.col("rc_id"), F.col("rc_doc"),
            )
            # The container the center is attached to, or a document the rule accepts with it.
            inter_a = F.size(F.array_intersect("sat", "sm")).cast("long")
            its_container = F.coalesce(
                ((F.col("att_chars") == F.col("rm_chars")) & (F.col("att_id") == F.col("rm_id")))
                | accepts(d, inter_a, F.size("sat").cast("long"), nb),
                F.lit(False),
            )
            ok = ok & ((jac >= F.lit(float(d["threshold"]))) | member_contained | its_container)
        scored = joined.withColumn(
            "keep", (F.col("doc_id") == F.col("center")) | ok
        ).select("doc_id", "comp", "keep")
        scored = checkpoint(scored)
        kept = scored.filter("keep")
        sizes = kept.groupBy("comp").agg(
            F.count(F.lit(1)).alias("n"), F.min("doc_id").alias("cluster_id")
        ).filter("n >= 2")
        clusters = checkpoint(kept.join(sizes, "comp").select("doc_id", "cluster_id"))
        kept_total += clusters.count()
        done.append(clusters)
        out = scored.filter(~F.col("keep")).select("doc_id")
        edges = checkpoint(
            edges.join(out.select(F.col("doc_id").alias("a")), "a").join(
                out.select(F.col("doc_id").alias("b")), "b"
            ).select("a", "b")
        )
        if edges.limit(1).count() == 0:
            break
        labels = checkpoint(connected_components(edges))
    result = done[0]
    for c in done[1:]:
        result = result.unionByName(c)
    return result, unguarded - kept_total


def run(spark: SparkSession, sigdir: str, outdir: str) -> dict:
    """Clusters the signed shards in `sigdir` into `outdir`; returns the statistics."""
    manifest = read_manifest(spark, sigdir)
    d = manifest["definition"]
    docs = spark.read.parquet(sigdir + "/docs")
    bands = spark.read.parquet(sigdir + "/bands")
    sets = spark.read.parquet(sigdir + "/sets")

    dup = docs.groupBy("id").agg(F.count(F.lit(1)).alias("n")).filter("n > 1").limit(3).collect()
    if dup:
        raise SignatureError(
            f"{sigdir}: ids in more than one document (ids must be unique across shards): "
            + ", ".join(repr(r["id"]) for r in dup)
        )

    candidates, n_oversized = lsh_candidates(bands, int(d["max_bucket"]))
    n_boiler = 0
    if d["mode"] == "containment":
        samples = spark.read.parquet(sigdir + "/samples")
        contained, n_boiler = sample_candidates(samples, docs, int(d["max_df"]))
        candidates = candidates.unionByName(contained)
    candidates = checkpoint(candidates.distinct())
    n_candidates = candidates.count()

    sa = sets.select(F.col("doc_id").alias("a"), F.col("shingles").alias("sa"))
    sb = sets.select(F.col("doc_id").alias("b"), F.col("shingles").alias("sb"))
    counted = candidates.join(sa, "a").join(sb, "b").select(
        "a",
        "b",
        F.size(F.array_intersect("sa", "sb")).cast("long").alias("inter"),
        F.size("sa").cast("long").alias("na"),
        F.size("sb").cast("long").alias("nb"),
    )
    verified = checkpoint(counted.filter(accepts(d, F.col("inter"), F.col("na"), F.col("nb"))))
    n_verified = verified.count()
    da = docs.select(F.col("doc_id").alias("a"), F.col("outlet_key").alias("oa"), F.col("day").alias("ya"))
    db = docs.select(F.col("doc_id").alias("b"), F.col("outlet_key").alias("ob"), F.col("day").alias("yb"))
    pairs = checkpoint(
        verified.join(da, "a")
        .join(db, "b")
        .filter(allowed(d, F.col("oa"), F.col("ob"), F.col("ya"), F.col("yb")))
        .select("a", "b", "inter", "na", "nb")
    )
    n_pairs = pairs.count()

    if n_pairs > 0:
        if d["mode"] == "containment":
            ranks = checkpoint(side_ranks(d, docs, sets))
            kept, attach = attach_contained(d, pairs, ranks)
            clusters, splits = guarded_clusters(
                d,
                checkpoint(kept),
                docs,
                sets,
                all_edges=pairs.select("a", "b"),
                ranks=ranks,
                attach=checkpoint(attach),
            )
        else:
            clusters, splits = guarded_clusters(d, pairs.select("a", "b"), docs, sets)
    else:
        clusters = spark.createDataFrame([], "doc_id long, cluster_id long")
        splits = 0

    stats = {
        "candidate_pairs": n_candidates,
        "verified_pairs": n_verified,
        "ignored_pairs": n_verified - n_pairs,
        "guard_splits": splits,
        "oversized_buckets": n_oversized,
        "boilerplate_samples": n_boiler,
    }
    clusters.write.mode("overwrite").parquet(outdir + "/clusters")
    pairs.write.mode("overwrite").parquet(outdir + "/pairs")
    row = dict(stats, definition=json.dumps(d, sort_keys=True))
    spark.createDataFrame(
        [row],
        "candidate_pairs long, verified_pairs long, ignored_pairs long, guard_splits long, "
        "oversized_buckets long, boilerplate_samples long, definition string",
    ).coalesce(1).write.mode("overwrite").parquet(outdir + "/stats")
    return stats


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sigdir", help="signature directory written by neardup sign")
    p.add_argument("outdir", help="output directory (clusters/, pairs/, stats/)")
    p.add_argument("--shuffle-partitions", type=int, help="spark.sql.shuffle.partitions")
    args = p.parse_args(argv)
    spark = SparkSession.builder.appName("neardup").getOrCreate()
    if args.shuffle_partitions:
        spark.conf.set("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
    try:
        stats = run(spark, args.sigdir.rstrip("/"), args.outdir.rstrip("/"))
    except SignatureError as e:
        print(f"neardup_spark: {e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    print("neardup_spark: " + ", ".join(f"{k} {v}" for k, v in stats.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
