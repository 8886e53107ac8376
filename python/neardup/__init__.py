"""Find near-duplicate news articles and group wire stories, from Python.

neardup groups the copies of one story (a wire story republished by many outlets, a press
release, a rerun) with exact scores, and keeps one copy of each group. This package runs the
same pipeline as the ``neardup`` command line, with the same options and defaults, on texts
you already hold in memory, and answers with pyarrow Tables::

    import pandas as pd
    import neardup

    df = pd.DataFrame({"id": ["a", "b", "c"], "text": [story, other_story, story_copy]})
    members = neardup.cluster(df["text"], ids=df["id"]).to_pandas()
    verdict = neardup.dedupe(df["text"], ids=df["id"]).to_pandas()
    kept = df[verdict["status"] == "kept"]

Columns of texts may be a list of str, a pandas Series, a Polars Series, a pyarrow Array or
ChunkedArray (a Table's column), or anything that exports the Arrow PyCapsule interface. A
pandas DataFrame or pyarrow Table may be given whole: its ``text`` column is read, and its
``id``, ``outlet``, ``title`` and ``date`` columns when present (arguments given explicitly win).

Options are the command line's matching options, ``-`` written ``_`` (``--num-perm`` is
``num_perm``, ``--window`` is ``window``), with its defaults (:func:`defaults`). An unknown
option is a ``TypeError``; a value the command line would refuse is a ``ValueError`` with the
message the command line prints. Rust works with the GIL released.
"""

import json
import os
import sys
import time

import pyarrow as pa

from . import _neardup

__all__ = ["cluster", "dedupe", "defaults", "Index", "CLUSTER_SCHEMA", "DEDUPE_SCHEMA", "QUERY_SCHEMA"]
__version__ = _neardup.VERSION

#: Columns of :func:`cluster`: one row per member of a cluster of two or more copies, clusters
#: in number order, members in input order.
CLUSTER_SCHEMA = pa.schema(
    [
        pa.field("cluster", pa.int64(), nullable=False),
        pa.field("position", pa.int64(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("canonical", pa.bool_(), nullable=False),
        pa.field("reference", pa.bool_(), nullable=False),
        pa.field("canonical_id", pa.string(), nullable=False),
        pa.field("jaccard", pa.float64(), nullable=False),
        pa.field("containment", pa.float64(), nullable=False),
    ]
)

#: Columns of :func:`dedupe`: one row per article handed in, in input order.
DEDUPE_SCHEMA = pa.schema(
    [
        pa.field("position", pa.int64(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("duplicate_of", pa.string()),
        pa.field("cluster", pa.int64()),
        pa.field("reason", pa.string()),
    ]
)

#: Columns of :meth:`Index.query`: one row per match of a queried article in the index, in
#: input order, best match first.
QUERY_SCHEMA = pa.schema(
    [
        pa.field("position", pa.int64(), nullable=False),
        pa.field("query_id", pa.string(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("outlet", pa.string()),
        pa.field("date", pa.string()),
        pa.field("title", pa.string()),
        pa.field("jaccard", pa.float64(), nullable=False),
        pa.field("containment", pa.float64(), nullable=False),
    ]
)

_FRAME_COLUMNS = ("id", "outlet", "title", "date")


def defaults():
    """The default of every option, as the command line has them (``None``: unset)."""
    return _neardup.defaults()


def _is_frame(obj):
    """A pandas DataFrame, a Polars DataFrame or a pyarrow Table (anything with named columns)."""
    if isinstance(obj, pa.Table):
        return True
    kind = type(obj).__module__.split(".")[0]
    return kind in ("pandas", "polars") and type(obj).__name__ == "DataFrame"


def _column(frame, name):
    if isinstance(frame, pa.Table):
        return frame.column(name) if name in frame.column_names else None
    return frame[name] if name in frame.columns else None


def _strings(col, name):
    """`col` as a list of str or None (the form the extension reads), or None."""
    if col is None:
        return None
    if isinstance(col, list):
        out = col
    elif isinstance(col, (pa.Array, pa.ChunkedArray)):
        out = _arrow_strings(col)
    else:
        kind = type(col).__module__.split(".")[0]
        if kind == "pandas":
            # Missing values (NaN, None, pd.NA) become None.
            out = col.astype(object).where(col.notna(), None).tolist()
        elif kind == "polars":
            out = _arrow_strings(col.to_arrow())
        elif hasattr(col, "__arrow_c_stream__"):
            out = _arrow_strings(pa.chunked_array(col))
        elif hasattr(col, "__arrow_c_array__"):
            out = _arrow_strings(pa.array(col))
        elif isinstance(col, str):
            raise TypeError(f"{name} must be a sequence of str, not one str")
        else:
            out = list(col)
    if name == "ids":
        out = [x if isinstance(x, str) or x is None else str(x) for x in out]
    return out


def _arrow_strings(arr):
    """A pyarrow string column (any string type, dictionary-encoded too) as a list."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        if hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t):
            arr = arr.cast(pa.large_string())
        elif pa.types.is_integer(t):
            pass  # ids given as numbers: made strings with str()
        else:
            raise TypeError(f"expected a column of strings, got {t}")
    return arr.to_pylist()


def _columns(texts, ids, outlets, titles, dates):
    """The lists the extension reads, from whatever was handed in."""
    if _is_frame(texts):
        frame = texts
        texts = _column(frame, "text")
        if texts is None:
            raise ValueError('the table has no "text" column')
        given = {"id": ids, "outlet": outlets, "title": titles, "date": dates}
        for c in _FRAME_COLUMNS:
            if given[c] is None:
                given[c] = _column(frame, c)
        ids, outlets, titles, dates = given["id"], given["outlet"], given["title"], given["date"]
    return (
        _strings(texts, "texts"),
        _strings(ids, "ids"),
        _strings(outlets, "outlets"),
        _strings(titles, "titles"),
        _strings(dates, "dates"),
    )


def _table(columns, schema, metadata=None):
    data = {f.name: columns[f.name] for f in schema}
    table = pa.table(data, schema=schema)
    if metadata is not None:
        table = table.replace_schema_metadata({"neardup": json.dumps(metadata)})
    return table


def _say(progress, message):
    if progress:
        print(f"neardup: {message}", file=sys.stderr, flush=True)


def cluster(texts, ids=None, *, outlets=None, titles=None, dates=None, threads=0, progress=False, **options):
    """Group the copies among `texts`, as ``neardup cluster`` does.

    Args:
        texts: the article texts: a list of str, a pandas or Polars Series, a pyarrow Array or
            ChunkedArray (or a DataFrame/Table with a ``text`` column; see the module doc).
            A missing text (None, NaN) is an empty text: too short to compare, in no cluster
            (as ``"text": ""`` on the command line).
        ids: unique ids, one per text (default: the position, ``"0"``, ``"1"``, ...);
            numbers are made strings.
        outlets, titles, dates: optional columns like `ids`. The outlet and the date feed
            ``cross_outlet_only`` and ``window`` and the choice of the reference copy
            (the wire's own copy, else the earliest); the title tells template items apart.
        threads: worker threads (0: one per core). The result does not depend on it.
        progress: print a line on standard error before and after.
        **options: the command line's matching options (``threshold=0.8``,
            ``mode="containment"``, ``shingle="auto"``, ``num_perm=128``, ...; see
            :func:`defaults`).

    Returns:
        A pyarrow Table (:data:`CLUSTER_SCHEMA`), one row per member of a cluster of two or
        more copies: ``cluster`` (its number, 1 for the first, stable for the same articles
        and options), ``position`` (where the article stood in `texts`, 0 for the first),
        ``id``, ``canonical`` (True for the copy ``dedupe`` keeps: the longest text, ties to
        the smallest id), ``reference`` (True for the copy the scores are against: the wire's
        own copy, else the earliest, else the canonical one), ``canonical_id`` (the kept
        copy's id), ``jaccard`` and ``containment`` (exact, against the reference copy).
        Articles in no cluster have no row. The schema metadata ``neardup`` holds JSON with
        ``articles`` (how many were handed in), ``short`` (positions of articles too short to
        compare) and ``rejected`` (``[position, reason]`` of articles not used).

    Raises:
        TypeError: an unknown option, or a column of the wrong type.
        ValueError: an invalid option value (the command line's message).
    """
    cols = _columns(texts, ids, outlets, titles, dates)
    _say(progress, f"clustering {len(cols[0])} articles")
    start = time.perf_counter()
    found = _neardup.cluster(*cols, threads=threads, options=options)
    table = _table(
        found,
        CLUSTER_SCHEMA,
        {"articles": found["_articles"], "short": found["_short"], "rejected": found["_rejected"]},
    )
    clusters = len(set(found["cluster"]))
    _say(
        progress,
        f"{clusters} clusters of {table.num_rows} copies, {len(found['_short'])} short, "
        f"{len(found['_rejected'])} rejected, in {time.perf_counter() - start:.2f} s",
    )
    return table


def dedupe(texts, ids=None, *, outlets=None, titles=None, dates=None, threads=0, progress=False, templates="keep", **options):
    """Keep one copy of each cluster among `texts`, as ``neardup dedupe`` does.

    Arguments as for :func:`cluster`, and `templates`: ``"keep"`` (the default) keeps one copy
    of each template item (near-identical notices of different companies, products or days:
    different news); ``"remove"`` treats them as duplicates of each other (``--templates``).

    Returns:
        A pyarrow Table (:data:`DEDUPE_SCHEMA`), one row per article in input order:
        ``position``, ``id``, ``status`` (``"kept"``, ``"removed"`` or ``"rejected"``),
        ``duplicate_of`` (for a removed article, the id of the kept copy it copies),
        ``cluster`` (the cluster's number, for removed articles and the kept copy of each
        cluster; null for an article in no cluster) and ``reason`` (why a rejected article
        was not used). Every article is in exactly one status.

    Raises:
        TypeError, ValueError: as :func:`cluster`.
    """
    cols = _columns(texts, ids, outlets, titles, dates)
    _say(progress, f"deduplicating {len(cols[0])} articles")
    start = time.perf_counter()
    found = _neardup.dedupe(*cols, threads=threads, templates=templates, options=options)
    table = _table(found, DEDUPE_SCHEMA)
    if progress:
        status = found["status"]
        _say(
            progress,
            f"kept {status.count('kept')}, removed {status.count('removed')}, "
            f"rejected {status.count('rejected')}, in {time.perf_counter() - start:.2f} s",
        )
    return table


class Index:
    """A persistent index (a directory, as ``neardup index``): new articles checked against an
    archive without reading the archive again, with exact scores.

    ``Index.build(path, texts, ...)`` writes a new one; ``Index(path)`` opens one. The index
    keeps the options it was built with: :meth:`add` and :meth:`query` use them, and an option
    given to them that differs is a ``ValueError`` (``index was built with --seed 1, got
    --seed 2``). The index applies no outlet or date filter and no real-text guard, so
    ``cross_outlet_only``, ``window`` and ``min_contained_words`` are refused by
    :meth:`build`.
    """

    def __init__(self, path):
        """Opens the index in `path` (an ``OSError`` when it is none, or damaged)."""
        self.path = os.fspath(path)
        _neardup.index_stats(self.path)

    @classmethod
    def open(cls, path):
        """The index in `path`."""
        return cls(path)

    @classmethod
    def build(cls, path, texts, ids=None, *, outlets=None, titles=None, dates=None, threads=0, **options):
        """Writes a new index in `path` (which must not exist) from the articles (arguments as
        for :func:`cluster`) and opens it. Written aside and renamed into place: a failed
        build leaves nothing."""
        cols = _columns(texts, ids, outlets, titles, dates)
        _neardup.index_build(os.fspath(path), *cols, threads=threads, options=options)
        return cls(path)

    create = build

    def add(self, texts, ids=None, *, outlets=None, titles=None, dates=None, threads=0, **options):
        """Adds the articles (arguments as for :func:`cluster`). Crash-safe: an add that fails
        or is killed leaves the index as it was. An article whose id is already in the index
        is rejected.

        Returns a dict: ``read``, ``added``, ``short``, ``rejected``, ``total`` (documents in
        the index afterwards) and ``rejected_articles`` (``(position, reason)`` pairs).
        """
        cols = _columns(texts, ids, outlets, titles, dates)
        return _neardup.index_add(self.path, *cols, threads=threads, options=options)

    def query(self, texts, ids=None, *, outlets=None, titles=None, dates=None, threads=0, **options):
        """The archive articles each of `texts` copies.

        Returns:
            A pyarrow Table (:data:`QUERY_SCHEMA`), one row per match: ``position`` and
            ``query_id`` (the queried article), ``id``, ``outlet``, ``date`` and ``title`` (the
            archive article), exact ``jaccard`` and ``containment`` (rounded to 4 decimals,
            as ``neardup index query``). An article whose id is in the index is not matched
            with itself. Schema metadata ``neardup``: JSON with ``short``, ``in_index`` and
            ``rejected``, as in :func:`cluster`.
        """
        cols = _columns(texts, ids, outlets, titles, dates)
        found = _neardup.index_query(self.path, *cols, threads=threads, options=options)
        return _table(
            found,
            QUERY_SCHEMA,
            {"short": found["_short"], "in_index": found["_in_index"], "rejected": found["_rejected"]},
        )

    def stats(self):
        """Size, segments and parameters, as ``neardup index stats --format json``."""
        return json.loads(_neardup.index_stats(self.path))

    def __len__(self):
        return self.stats()["documents"]

    def __repr__(self):
        return f"neardup.Index({self.path!r})"
