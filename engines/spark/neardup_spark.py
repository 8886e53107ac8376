"""neardup on Apache Spark: clusters of near-duplicate documents from signed shards.

    spark-submit --master 'local[2]' engines/spark/neardup_spark.py SIGDIR OUTDIR

SIGDIR is written by `neardup spark sign SHARD --shard N --out SIGDIR` (one call per shard); OUTDIR
gets `clusters/` (doc_id, cluster_id), `pairs/` (the verified pairs) and `stats/` (counts and
the definition used), which `neardup spark report --clusters OUTDIR --docs SIGDIR` turns into the
same JSON Lines, CSV and HTML report as `neardup cluster` on the shards' inputs.

What a duplicate is comes from SIGDIR/manifest.json, never from this job's arguments, and is
the local definition step by step (src/lsh.rs, src/contain.rs, src/verify.rs,
src/cluster.rs):

1. candidate pairs: all pairs of documents sharing a band key; a bucket of more than
   `max_bucket` documents pairs its smallest doc_id with each other member only. In
   containment mode also the probes of src/contain.rs (`find`): sampled shingles grouped by
   the high 32 bits of the hash, df = entries of a group; an outlet's boilerplate is a group
   held by at least 10 of its documents and one in 100 of them (learned before groups of more
   than `max_df` entries are dropped; a group of identical documents is seen through its
   first member); a document probes when 2 * shared >= samples - boiled (shared: its samples
   in groups of 2 or more that are not its outlet's boilerplate; boiled: those that are),
   with its rarest samples (df, then the high bits) of df 2 to max_df that are not its
   outlet's boilerplate, at most 16, the first four always, the next while the sum of (df - 1)
   stays at most 512; (x, y) is a candidate when y holds max(1, ceil(probes_x / 2)) of them.
2. verification on real sets (src/boilerplate.rs, `RealText`): an outlet's boilerplate text
   is, for each of its boilerplate samples held by 2 or more of its documents, the
   intersection of the sets of the first 3 of them, united; a document's real set is its set
   without its outlet's boilerplate text, or its whole set when nothing is left. Exact counts,
   `size(array_intersect(a, b))`; Jaccard and containment are IEEE-754 double divisions of
   those integers, compared with the manifest's thresholds (the same arithmetic as the Rust
   code, bit for bit). A pair accepted by containment alone stands only when the document
   with the smaller real set (ties a) has words * real / full >= `min_contained_words`.
3. `--cross-outlet-only` and `--window` filter verified pairs on precomputed keys (outlet
   trimmed and ASCII-lower-cased; date as a day number).
4. connected components (large-star / small-star, Kiveris et al. 2014), then the chaining
   guard: each component keeps the members that match its center (most pairs kept inside
   the component, then most text characters, ties to the smallest id, then the smallest
   doc_id) on real sets under the rule, the window and the words rule (the center first);
   the others are split again into the components of
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



# contain::MIN_PROBES: probes a document takes whatever their document frequencies.
MIN_PROBES = 4

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


def copy_firsts(d, docs, sets):
    """(doc_id, first, outlet, own_outlet): `first` the smallest doc_id with the same set
    (copies::Copies; no groups with `--cross-outlet-only` or `--window`), `outlet` the outlet
    of that first member (contain::find sees a group of identical documents through its first
    member only), `own_outlet` the document's own."""
    if d["cross_outlet_only"] or d.get("window_days") is not None:
        firsts = sets.select("doc_id", F.col("doc_id").alias("first"))
    else:
        firsts = sets.select(
            "doc_id",
            F.min("doc_id").over(Window.partitionBy(F.array_sort("shingles"))).alias("first"),
        )
    o = docs.select("doc_id", "outlet")
    return (
        firsts.join(o.select(F.col("doc_id").alias("first"), "outlet"), "first")
        .join(o.select("doc_id", F.col("outlet").alias("own_outlet")), "doc_id")
        .select("doc_id", "first", "outlet", "own_outlet")
    )


def outlet_boilerplate(d, samples, docs, firsts):
    """contain::find's first pass: (outlet, sample_hi) of every outlet's boilerplate, and
    `samples` with each entry's df (entries of its sample_hi group) and its document's outlet
    (its copy group's first member's).

    A group of 2 or more entries (frequent ones too: learned before the max_df drop) is an
    outlet's boilerplate when at least `outlet_min` of its entries are documents of that
    outlet and they are at least one in `outlet_share` of the outlet's documents (every
    document with that outlet counts; contain::Params and contain::OUTLET_SHARE, from the
    manifest). Outlets are compared as the strings `sign` read (the local code numbers them by
    first appearance: only equality matters); unknown outlets learn none."""
    outlet_min = int(d["outlet_min"])
    dfs = samples.groupBy("sample_hi").agg(F.count(F.lit(1)).alias("df"))
    entries = samples.join(dfs, "sample_hi").join(firsts, "doc_id")
    of = docs.filter(F.col("outlet").isNotNull()).groupBy("outlet").agg(
        F.count(F.lit(1)).alias("of")
    )
    boiler = (
        entries.filter((F.col("df") >= outlet_min) & F.col("outlet").isNotNull())
        .groupBy("outlet", "sample_hi")
        # Different texts: a group of identical documents counts once.
        .agg(F.countDistinct("first").alias("held"))
        .join(of, "outlet")
        .filter(
            (F.col("held") >= outlet_min)
            & (F.col("held") * F.lit(int(d["outlet_share"])) >= F.col("of"))
        )
        .select("outlet", "sample_hi")
    )
    return boiler, entries, dfs


def boilerplate_text(boiler, entries, sets):
    """boilerplate::RealText::learn: (outlet, boil) with each outlet's boilerplate text, the
    union over its boilerplate samples of the intersection of the full sets of the first
    contain::HOLDERS (3) documents of the outlet holding the sample (first members of their
    copy groups, in doc_id order), for samples with 2 holders or more."""
    holders = (
        entries.filter(F.col("doc_id") == F.col("first"))
        .join(boiler, ["outlet", "sample_hi"])
        .withColumn(
            "r",
            F.row_number().over(Window.partitionBy("outlet", "sample_hi").orderBy("doc_id")),
        )
        .filter(F.col("r") <= 3)
        .join(sets, "doc_id")
        .groupBy("outlet", "sample_hi")
        .agg(
            F.count(F.lit(1)).alias("h"),
            F.array_sort(F.collect_list(F.struct("doc_id", "shingles"))).alias("hs"),
        )
        .filter(F.col("h") >= 2)
    )
    common = holders.select(
        "outlet",
        F.aggregate(
            F.slice(F.col("hs"), 2, 2),
            F.col("hs")[0]["shingles"],
            lambda acc, x: F.array_intersect(acc, x["shingles"]),
        ).alias("common"),
    )
    return common.groupBy("outlet").agg(
        F.array_distinct(F.flatten(F.collect_list("common"))).alias("boil")
    )


def real_sets(sets, firsts, text):
    """(doc_id, shingles, full, boiled) with `shingles` the real set of boilerplate::RealText::real:
    the set without its own outlet's boilerplate text, or the whole set when that leaves
    nothing; `full` the size of the whole set; `boiled` True when the real set is not the
    whole set."""
    own = firsts.select("doc_id", F.col("own_outlet").alias("outlet"))
    r = (
        sets.join(own, "doc_id", "left")
        .join(text, "outlet", "left")
        .withColumn(
            "rest",
            F.when(F.col("boil").isNull(), F.col("shingles")).otherwise(
                F.array_except("shingles", "boil")
            ),
        )
    )
    keep = (F.size("rest") == 0) | (F.size("rest") == F.size("shingles"))
    return r.select(
        "doc_id",
        F.when(keep, F.col("shingles")).otherwise(F.col("rest")).alias("shingles"),
        F.size("shingles").cast("long").alias("full"),
        (~keep).alias("boiled"),
    )


def long_enough(d, words, real, full):
    """boilerplate::RealText::long_enough as a Column: words * real / full (integer division;
    words when full is 0) >= min_contained_words."""
    x = (words * real).cast("long")
    # Exact: x - x mod full is a multiple of full (all below 2^53).
    have = F.when(full == 0, words).otherwise(((x - F.pmod(x, full)) / full).cast("long"))
    return have >= F.lit(int(d["min_contained_words"]))


def contained_long_enough(d, ra, rb, fa, fb, wa, wb):
    """boilerplate::RealSets::contained_long_enough: the document with the smaller real set
    (ties a) has enough words of real text."""
    first = ra <= rb
    return F.when(first, long_enough(d, wa, ra, fa)).otherwise(long_enough(d, wb, rb, fb))


def sample_candidates(d, entries, dfs, boiler):
    """contain::find: candidate pairs through each document's probes (see the module docs
    of src/contain.rs), and the number of samples held by more than max_df entries.

    `entries`: (doc_id, sample_hi, df, outlet), one row per sample (a document with two
    samples of one high half has two rows, as locally)."""
    max_df = int(d["max_df"])
    n_boiler = dfs.filter(F.col("df") > max_df).count()
    marked = entries.join(
        boiler.withColumn("boiler", F.lit(True)), ["outlet", "sample_hi"], "left"
    ).withColumn("boiler", F.coalesce(F.col("boiler"), F.lit(False)))
    # A document probes only when 2 * shared >= samples - boiled: shared, its samples held by
    # another document that are not its outlet's boilerplate; boiled, those that are.
    probing = (
        marked.groupBy("doc_id")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.count_if((F.col("df") >= 2) & ~F.col("boiler")).alias("shared"),
            F.count_if(F.col("boiler")).alias("boiled"),
        )
        .filter(F.col("shared") * 2 >= F.col("n") - F.col("boiled"))
        .select("doc_id")
    )
    kept = entries.filter((F.col("df") >= 2) & (F.col("df") <= max_df))
    mine = (
        marked.filter((F.col("df") >= 2) & (F.col("df") <= max_df) & ~F.col("boiler"))
        .join(probing, "doc_id")
        .select("doc_id", "sample_hi", "df")
    )
    # The rarest first (df, then the high half); at most `probes`, the first MIN_PROBES (4)
    # always, the next while the running sum of (df - 1) stays within `emit_per_doc`.
    order = Window.partitionBy("doc_id").orderBy("df", "sample_hi")
    ranked = mine.withColumn("r", F.row_number().over(order)).withColumn(
        "emit",
        F.sum(F.col("df") - 1).over(
            order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
        ),
    )
    chosen = ranked.filter(
        (F.col("r") <= int(d["probes"]))
        & ((F.col("r") <= MIN_PROBES) | (F.col("emit") <= int(d["emit_per_doc"])))
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


def side_ranks(d, docs, sets, real):
    """(doc_id, n, g_chars, g_id, g_doc): each document's real set size and the rank of its side
    for cluster::attach_contained. A group of identical sets is one side, ranked as its
    greatest member (most text characters, ties to the smallest id) and named by its
    smallest doc_id; without groups under the outlet and date filters (copies::Copies is
    not used then)."""
    r = (
        sets.select("doc_id", F.array_sort("shingles").alias("set"))
        .join(real.select("doc_id", F.size("shingles").cast("long").alias("n")), "doc_id")
        .join(docs.select("doc_id", "id", "text_chars"), "doc_id")
    )
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
        s_c = sets.select(
            F.col("doc_id").alias("center"),
            F.col("shingles").alias("sc"),
            F.col("full").alias("fc"),
            F.col("words").alias("wc"),
        )
        s_m = sets.select(
            "doc_id", F.col("shingles").alias("sm"), F.col("full").alias("fm"), F.col("words").alias("wm")
        )
        inter = F.size(F.array_intersect("sc", "sm")).cast("long")
        na, nb = F.size("sc").cast("long"), F.size("sm").cast("long")
        joined = m.join(c_info, "center").join(s_c, "center").join(s_m, "doc_id")
        ok = accepts(d, inter, na, nb) & window_ok(d, F.col("c_day"), F.col("day"))
        if d["mode"] == "containment":
            # pipeline::stand with the center first: containment alone needs real text.
            jac, _ = scores(inter, na, nb)
            ok = ok & (
                (jac >= F.lit(float(d["threshold"])))
                | contained_long_enough(
                    d, na, nb, F.col("fc"), F.col("fm"), F.col("wc"), F.col("wm")
                )
            )
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
    learned = None
    words = docs.select("doc_id", F.col("words").cast("long").alias("words")) if "words" in docs.columns else None
    if d["mode"] == "containment":
        missing = [
            k
            for k in ("min_contained_words", "probes", "emit_per_doc", "outlet_min", "outlet_share")
            if k not in d
        ]
        if missing or words is None:
            raise SignatureError(
                f"{sigdir}/manifest.json: no {', '.join(missing or ['words'])} (signed by an "
                "older neardup: sign the shards again)"
            )
        samples = spark.read.parquet(sigdir + "/samples")
        firsts = checkpoint(copy_firsts(d, docs, sets))
        boiler, entries, dfs = outlet_boilerplate(d, samples, docs, firsts)
        boiler = checkpoint(boiler)
        entries = checkpoint(entries)
        contained, n_boiler = sample_candidates(d, entries, dfs, boiler)
        candidates = candidates.unionByName(contained)
        text = checkpoint(boilerplate_text(boiler, entries, sets))
        learned = text.select(F.coalesce(F.sum(F.size("boil")), F.lit(0))).first()[0]
        # Every score from here on is a score of real text (the outlets' boilerplate out).
        real = checkpoint(real_sets(sets, firsts, text).join(words, "doc_id"))
    else:
        real = sets.select(
            "doc_id",
            "shingles",
            F.size("shingles").cast("long").alias("full"),
            F.lit(False).alias("boiled"),
            F.lit(0).cast("long").alias("words"),
        )
    candidates = checkpoint(candidates.distinct())
    n_candidates = candidates.count()

    sa = real.select(
        F.col("doc_id").alias("a"), F.col("shingles").alias("sa"), F.col("full").alias("fa"), F.col("words").alias("wa")
    )
    sb = real.select(
        F.col("doc_id").alias("b"), F.col("shingles").alias("sb"), F.col("full").alias("fb"), F.col("words").alias("wb")
    )
    counted = candidates.join(sa, "a").join(sb, "b").select(
        "a",
        "b",
        "fa",
        "fb",
        "wa",
        "wb",
        F.size(F.array_intersect("sa", "sb")).cast("long").alias("inter"),
        F.size("sa").cast("long").alias("na"),
        F.size("sb").cast("long").alias("nb"),
    )
    accepted = checkpoint(counted.filter(accepts(d, F.col("inter"), F.col("na"), F.col("nb"))))
    rejected = 0
    if d["mode"] == "containment":
        # pipeline::stand: a pair accepted by containment alone needs enough real text.
        n_accepted = accepted.count()
        jac, _ = scores(F.col("inter"), F.col("na"), F.col("nb"))
        verified = checkpoint(
            accepted.filter(
                (jac >= F.lit(float(d["threshold"])))
                | contained_long_enough(
                    d, F.col("na"), F.col("nb"), F.col("fa"), F.col("fb"), F.col("wa"), F.col("wb")
                )
            ).select("a", "b", "inter", "na", "nb")
        )
        n_verified = verified.count()
        rejected = n_accepted - n_verified
    else:
        verified = accepted.select("a", "b", "inter", "na", "nb")
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
            ranks = checkpoint(side_ranks(d, docs, sets, real))
            kept, attach = attach_contained(d, pairs, ranks)
            clusters, splits = guarded_clusters(
                d,
                checkpoint(kept),
                docs,
                real,
                all_edges=pairs.select("a", "b"),
                ranks=ranks,
                attach=checkpoint(attach),
            )
        else:
            clusters, splits = guarded_clusters(d, pairs.select("a", "b"), docs, real)
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
    # Members are scored on their real sets: those that are not the whole set.
    real.filter("boiled").join(clusters.select("doc_id"), "doc_id").select(
        "doc_id", "shingles"
    ).write.mode("overwrite").parquet(outdir + "/real")
    row = dict(stats, definition=json.dumps(d, sort_keys=True))
    spark.createDataFrame(
        [row],
        "candidate_pairs long, verified_pairs long, ignored_pairs long, guard_splits long, "
        "oversized_buckets long, boilerplate_samples long, definition string",
    ).coalesce(1).write.mode("overwrite").parquet(outdir + "/stats")
    if learned is not None:
        print(
            f"neardup_spark: containment: {learned} sampled shingles learned as outlet "
            f"boilerplate; {rejected} verified pairs whose shared text is boilerplate or too short",
            file=sys.stderr,
        )
    return stats


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sigdir", help="signature directory written by neardup spark sign")
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
