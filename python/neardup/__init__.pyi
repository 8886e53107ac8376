"""Find near-duplicate news articles and group wire stories, from Python (type stubs)."""

import os
from typing import Any, Iterable, Literal, Optional, Union

import pyarrow as pa

__version__: str
CLUSTER_SCHEMA: pa.Schema
DEDUPE_SCHEMA: pa.Schema
QUERY_SCHEMA: pa.Schema

#: A column of strings: a list or tuple of str, a pandas or Polars Series, a pyarrow Array or
#: ChunkedArray, or anything with the Arrow PyCapsule interface.
Column = Union[Iterable[Optional[str]], pa.Array, pa.ChunkedArray, Any]

def defaults() -> dict[str, Any]: ...
def cluster(
    texts: Union[Column, pa.Table, Any],
    ids: Optional[Column] = None,
    *,
    outlets: Optional[Column] = None,
    titles: Optional[Column] = None,
    dates: Optional[Column] = None,
    threads: int = 0,
    progress: bool = False,
    threshold: float = 0.8,
    mode: Literal["containment", "jaccard"] = "containment",
    containment: float = 0.8,
    min_contained: int = 10,
    min_contained_words: int = 15,
    sample_every: int = 8,
    max_df: int = 500,
    num_perm: int = 128,
    minhash: Literal["oph", "permutations"] = "oph",
    seed: int = 1,
    shingle: str = "auto",
    min_shingles: int = 5,
    fn_weight: float = 0.9,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    max_bucket: int = 64,
    cross_outlet_only: bool = False,
    window: Optional[int] = None,
) -> pa.Table: ...
def dedupe(
    texts: Union[Column, pa.Table, Any],
    ids: Optional[Column] = None,
    *,
    outlets: Optional[Column] = None,
    titles: Optional[Column] = None,
    dates: Optional[Column] = None,
    threads: int = 0,
    progress: bool = False,
    templates: Literal["keep", "remove"] = "keep",
    threshold: float = 0.8,
    mode: Literal["containment", "jaccard"] = "containment",
    containment: float = 0.8,
    min_contained: int = 10,
    min_contained_words: int = 15,
    sample_every: int = 8,
    max_df: int = 500,
    num_perm: int = 128,
    minhash: Literal["oph", "permutations"] = "oph",
    seed: int = 1,
    shingle: str = "auto",
    min_shingles: int = 5,
    fn_weight: float = 0.9,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    max_bucket: int = 64,
    cross_outlet_only: bool = False,
    window: Optional[int] = None,
) -> pa.Table: ...

class Index:
    path: str
    def __init__(self, path: Union[str, os.PathLike[str]]) -> None: ...
    @classmethod
    def open(cls, path: Union[str, os.PathLike[str]]) -> "Index": ...
    @classmethod
    def build(
        cls,
        path: Union[str, os.PathLike[str]],
        texts: Union[Column, pa.Table, Any],
        ids: Optional[Column] = None,
        *,
        outlets: Optional[Column] = None,
        titles: Optional[Column] = None,
        dates: Optional[Column] = None,
        threads: int = 0,
        **options: Any,
    ) -> "Index": ...
    @classmethod
    def create(
        cls,
        path: Union[str, os.PathLike[str]],
        texts: Union[Column, pa.Table, Any],
        ids: Optional[Column] = None,
        *,
        outlets: Optional[Column] = None,
        titles: Optional[Column] = None,
        dates: Optional[Column] = None,
        threads: int = 0,
        **options: Any,
    ) -> "Index": ...
    def add(
        self,
        texts: Union[Column, pa.Table, Any],
        ids: Optional[Column] = None,
        *,
        outlets: Optional[Column] = None,
        titles: Optional[Column] = None,
        dates: Optional[Column] = None,
        threads: int = 0,
        **options: Any,
    ) -> dict[str, Any]: ...
    def query(
        self,
        texts: Union[Column, pa.Table, Any],
        ids: Optional[Column] = None,
        *,
        outlets: Optional[Column] = None,
        titles: Optional[Column] = None,
        dates: Optional[Column] = None,
        threads: int = 0,
        **options: Any,
    ) -> pa.Table: ...
    def stats(self) -> dict[str, Any]: ...
    def __len__(self) -> int: ...
