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
   containment mode also the probes of src/contain.rs (`find`): sampled shingles grouped by
   the high 32 bits of the hash, df = entries of a group (groups of more than `max_df` pair
   nothing); an outlet's boilerplate is a group held by at least 10 of its documents and one
   in 100 of them; a document with at least half its samples in groups of 2 or more probes
   with its rarest samples (df, then the high bits) of df 2 to max_df that are not its
   outlet's boilerplate, at most 16, the first always, the next while the sum of (df - 1)
   stays at most 512; (x, y) is a candidate when y holds max(1, ceil(probes_x / 2)) of them.
2. verification: exact counts of the shingle sets, `size(array_intersect(a, b))`; Jaccard and
   containment are IEEE-754 double divisions of those integers, compared with the manifest's
   thresholds (the same arithmetic as the Rust code, bit for bit). In containment mode then
   the real-text guard of src/boilerplate.rs (`RealText::holds`): a pair accepted by
   containment alone needs `min_contained_chars` characters of real text (outside its
   outlet's boilerplate) in the contained document, and two documents of one outlet that
   learned boilerplate must share half the real text of the one with less.
3. `--cross-outlet-only` and `--window` filter verified pairs on precomputed keys (outlet
   trimmed and ASCII-lower-cased; date as a day number).
4. connected components (large-star / small-star, Kiveris et al. 2014), then the chaining
   guard: each component keeps the members that match its center (most verified pairs inside
   the component, then most text characters, ties to the smallest id, then the smallest
   doc_id): verified pairs, or under the rule, the window and the real-text guard (the
   center first); the others are split again into the components of
   the pairs among them, until none is left.
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


def outlet_boilerplate(d, samples, docs):
    """contain::find's first pass: (outlet, sample_hi) of every outlet's boilerplate, and
    `samples` with each entry's df (entries of its sample_hi group) and its document's outlet.

    A group of 2 to max_df entries is an outlet's boilerplate when at least `outlet_min` of
    its entries are documents of that outlet and they are at least one in `outlet_share` of
    the outlet's documents (contain::Params and contain::OUTLET_SHARE, from the manifest).
    Outlets are compared as the strings `sign` read (the local code numbers them by first
    appearance: only equality matters); unknown outlets learn none."""
    max_df, outlet_min = int(d["max_df"]), int(d["outlet_min"])
    dfs = samples.groupBy("sample_hi").agg(F.count(F.lit(1)).alias("df"))
    outlets = docs.select("doc_id", "outlet")
    entries = samples.join(dfs, "sample_hi").join(outlets, "doc_id")
    of = docs.filter(F.col("outlet").isNotNull()).groupBy("outlet").agg(
        F.count(F.lit(1)).alias("of")
    )
    boiler = (
        entries.filter(
            (F.col("df") >= outlet_min)
            & (F.col("df") <= max_df)
            & F.col("outlet").isNotNull()
        )
        .groupBy("outlet", "sample_hi")
        .agg(F.count(F.lit(1)).alias("held"))
        .join(of, "outlet")
        .filter(
            (F.col("held") >= outlet_min)
            & (F.col("held") * F.lit(int(d["outlet_share"])) >= F.col("of"))
        )
        .select("outlet", "sample_hi")
    )
    return boiler, entries, dfs


def sample_candidates(d, entries, dfs, boiler):
    """contain::find: candidate pairs through each document's probes (see the module docs
    of src/contain.rs), and the number of samples held by more than max_df entries.

    `entries`: (doc_id, sample_hi, df, outlet), one row per sample (a document with two
    samples of one high half has two rows, as locally)."""
    max_df = int(d["max_df"])
    n_boiler = dfs.filter(F.col("df") > max_df).count()
    # A document probes only when at least half its samples are held by another document.
    probing = (
        entries.groupBy("doc_id")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.count_if(F.col("df") >= 2).alias("shared"),
        )
        .filter(F.col("shared") * 2 >= F.col("n"))
        .select("doc_id")
    )
    kept = entries.filter((F.col("df") >= 2) & (F.col("df") <= max_df))
    mine = (
        kept.join(probing, "doc_id")
        .join(boiler.withColumn("boiler", F.lit(True)), ["outlet", "sample_hi"], "left")
        .filter(F.col("boiler").isNull())
        .select("doc_id", "sample_hi", "df")
    )
    # The rarest first (df, then the high half); at most `probes`, the first always, the next
    # while the running sum of (df - 1) stays within `emit_per_doc`.
    order = Window.partitionBy("doc_id").orderBy("df", "sample_hi")
    ranked = mine.withColumn("r", F.row_number().over(order)).withColumn(
        "emit",
        F.sum(F.col("df") - 1).over(
            order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
        ),
    )
    chosen = ranked.filter(
        (F.col("r") <= int(d["probes"]))
        & ((F.col("r") == 1) | (F.col("emit") <= int(d["emit_per_doc"])))
    )
    # Each document's probe count and its largest probe key: every sample of the document up
    # to that key emits (contain::Context::emit compares keys, not ranks).
    limits = chosen.groupBy("doc_id").agg(
        F.count(F.lit(1)).alias("probes"),
        F.max(F.struct("df", "sample_hi")).alias("limit"),
    )
    probes = (
        mine.join(limits, "doc_id")
        .filter(F.struct("df", "sample_hi") <= F.col("limit"))
        .select(F.col("doc_id").alias("x"), "sample_hi", "probes")
    )
    holders = kept.select(F.col("doc_id").alias("y"), "sample_hi")
    need = F.greatest(F.lit(1), F.expr("(probes + 1) div 2"))
    pairs = (
        probes.join(holders, "sample_hi")
        .filter(F.col("x") != F.col("y"))
        .groupBy("x", "y", "probes")
        .agg(F.count(F.lit(1)).alias("held"))
        .filter(F.col("held") >= need)
        .select(F.least("x", "y").alias("a"), F.greatest("x", "y").alias("b"))
    )
    return pairs, n_boiler


def divisible(x, every):
    """True when the u64 bit-cast as the INT64 `x` is divisible by `every` (a Column)."""
    if every & (every - 1) == 0:
        return x.bitwiseAND(F.lit(every - 1)) == 0
    # The u64 is x + 2^64 for negative x: (pmod(x, every) + 2^64 mod every) mod every.
    shift = F.when(x < 0, F.lit(2**64 % every)).otherwise(F.lit(0))
    return F.pmod(F.pmod(x, F.lit(every)) + shift, F.lit(every)) == 0


def real_text_facts(samples, docs, boiler):
    """What boilerplate::RealText knows of each document: doc_id, its outlet, whether the
    outlet learned boilerplate (`learned`), text_chars, its real samples (`real`), its
    characters of real text (`real_chars`) and its outlet's boilerplate (`boil`, high halves,
    null when none)."""
    by_outlet = boiler.groupBy("outlet").agg(F.collect_list("sample_hi").alias("boil"))
    dropped = (
        samples.join(docs.select("doc_id", "outlet"), "doc_id")
        .join(boiler, ["outlet", "sample_hi"])
        .groupBy("doc_id")
        .agg(F.count(F.lit(1)).alias("dropped"))
    )
    return (
        docs.select("doc_id", "outlet", "text_chars", "samples")
        .join(dropped, "doc_id", "left")
        .join(by_outlet, "outlet", "left")
        .withColumn("real", F.col("samples") - F.coalesce(F.col("dropped"), F.lit(0)))
        .select(
            "doc_id",
            "outlet",
            F.col("boil").isNotNull().alias("learned"),
            "text_chars",
            "real",
            F.expr(
                "case when samples = 0 then text_chars else (text_chars * real) div samples end"
            ).alias("real_chars"),
            "boil",
        )
    )


def real_text_holds(d, jac, na, nb, sa, sb, fa, fb):
    """boilerplate::RealText::holds as a Column, in the same order of checks, for a pair
    (a, b) already accepted by the rule: `jac` its Jaccard, `na`/`nb` its set sizes, `sa`/`sb`
    its sets, `fa`/`fb` the prefixes of the columns of real_text_facts joined for a and b.
    Ties in set size: a is the contained one (locally the first argument)."""
    if d["mode"] != "containment":
        return F.lit(True)
    c = lambda f, n: F.col(f + n)  # noqa: E731
    min_chars = F.lit(int(d["min_contained_chars"]))
    how_contained = jac < F.lit(float(d["threshold"]))
    oa, ob = c(fa, "outlet"), c(fb, "outlet")
    la, lb = c(fa, "learned"), c(fb, "learned")
    same = oa.isNotNull() & ob.isNotNull() & (oa == ob) & la
    real_chars_x = F.when(na <= nb, c(fa, "real_chars")).otherwise(c(fb, "real_chars"))
    every = int(d["sample_every"])
    boil = c(fa, "boil")
    shared_real = F.size(
        F.filter(
            F.array_intersect(sa, sb),
            lambda x: divisible(x, every)
            & ~F.array_contains(boil, F.shiftrightunsigned(x, 32)),
        )
    ).cast("long")
    least = F.least(c(fa, "real"), c(fb, "real"))
    return (
        F.when(~same & ~how_contained, True)
        .when(~same & ~la & ~lb, F.least(c(fa, "text_chars"), c(fb, "text_chars")) >= min_chars)
        .when(how_contained & (real_chars_x < min_chars), False)
        .when(~same, True)
        .otherwise((least == 0) | (shared_real * 2 >= least))
    )


def with_facts(df, facts, key, prefix):
    """`df` with the columns of real_text_facts for the document in column `key`, prefixed."""
    return df.join(
        facts.select(*[F.col(n).alias(prefix + n) for n in facts.columns]),
        F.col(key) == F.col(prefix + "doc_id"),
    ).drop(prefix + "doc_id")


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


def guarded_clusters(d, edges, docs, sets, facts=None):
    """cluster::guarded_clusters: (doc_id, cluster_id) and the number of guard splits.

    `facts` (containment mode): real_text_facts, for the real-text guard of a member that
    is not a verified pair of the center (pipeline::run's guard closure: a verified, allowed
    pair is kept as it is; any other is checked with the center first)."""
    known = edges.select(
        F.least("a", "b").alias("ka"), F.greatest("a", "b").alias("kb"), F.lit(True).alias("known")
    )
    info = docs.select("doc_id", "id", "text_chars", "day")
    labels = checkpoint(connected_components(edges))
    unguarded = labels.count()
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
        real_text = F.lit(True)
        if facts is not None:
            joined = (
                with_facts(with_facts(joined, facts, "center", "c_"), facts, "doc_id", "m_")
                .join(
                    known,
                    (F.least("center", "doc_id") == F.col("ka"))
                    & (F.greatest("center", "doc_id") == F.col("kb")),
                    "left",
                )
            )
            jac, _ = scores(inter, na, nb)
            real_text = F.col("known").isNotNull() | real_text_holds(
                d, jac, na, nb, F.col("sc"), F.col("sm"), "c_", "m_"
            )
        scored = (
            joined.withColumn(
                "keep",
                (F.col("doc_id") == F.col("center"))
                | (
                    accepts(d, inter, na, nb)
                    & window_ok(d, F.col("c_day"), F.col("day"))
                    & real_text
                ),
            )
            .select("doc_id", "comp", "keep")
        )
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
    facts = None
    learned = 0
    if d["mode"] == "containment":
        missing = [
            k
            for k in ("min_contained_chars", "probes", "emit_per_doc", "outlet_min", "outlet_share")
            if k not in d
        ]
        if missing:
            raise SignatureError(
                f"{sigdir}/manifest.json: no {', '.join(missing)} (signed by an older neardup: "
                "sign the shards again)"
            )
        samples = spark.read.parquet(sigdir + "/samples")
        boiler, entries, dfs = outlet_boilerplate(d, samples, docs)
        boiler = checkpoint(boiler)
        learned = boiler.count()
        contained, n_boiler = sample_candidates(d, entries, dfs, boiler)
        candidates = candidates.unionByName(contained)
        facts = checkpoint(real_text_facts(samples, docs, boiler))
    candidates = checkpoint(candidates.distinct())
    n_candidates = candidates.count()

    sa = sets.select(F.col("doc_id").alias("a"), F.col("shingles").alias("sa"))
    sb = sets.select(F.col("doc_id").alias("b"), F.col("shingles").alias("sb"))
    counted = candidates.join(sa, "a").join(sb, "b").select(
        "a",
        "b",
        "sa",
        "sb",
        F.size(F.array_intersect("sa", "sb")).cast("long").alias("inter"),
        F.size("sa").cast("long").alias("na"),
        F.size("sb").cast("long").alias("nb"),
    )
    accepted = checkpoint(
        counted.filter(accepts(d, F.col("inter"), F.col("na"), F.col("nb"))).select(
            "a", "b", "inter", "na", "nb"
        )
    )
    rejected = 0
    if facts is not None:
        # pipeline::stand: the real-text guard of boilerplate::RealText on accepted pairs.
        n_accepted = accepted.count()
        jac, _ = scores(F.col("inter"), F.col("na"), F.col("nb"))
        both = with_facts(with_facts(accepted, facts, "a", "fa_"), facts, "b", "fb_")
        both = both.join(sa, "a").join(sb, "b")
        verified = checkpoint(
            both.filter(
                real_text_holds(
                    d, jac, F.col("na"), F.col("nb"), F.col("sa"), F.col("sb"), "fa_", "fb_"
                )
            ).select("a", "b", "inter", "na", "nb")
        )
        n_verified = verified.count()
        rejected = n_accepted - n_verified
    else:
        verified = accepted
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
        clusters, splits = guarded_clusters(d, pairs.select("a", "b"), docs, sets, facts)
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
    if facts is not None:
        print(
            f"neardup_spark: containment: {learned} sampled shingles learned as outlet "
            f"boilerplate; {rejected} verified pairs whose shared text is boilerplate or too short",
            file=sys.stderr,
        )
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
