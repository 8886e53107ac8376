"""The Rust extension of neardup: columns as lists in, columns as dicts of lists out."""

from typing import Any, Optional

VERSION: str

def cluster(
    texts: list[Optional[str]],
    ids: Optional[list[Optional[str]]] = None,
    outlets: Optional[list[Optional[str]]] = None,
    titles: Optional[list[Optional[str]]] = None,
    dates: Optional[list[Optional[str]]] = None,
    threads: int = 0,
    options: Optional[dict[str, Any]] = None,
) -> dict[str, Any]: ...
def dedupe(
    texts: list[Optional[str]],
    ids: Optional[list[Optional[str]]] = None,
    outlets: Optional[list[Optional[str]]] = None,
    titles: Optional[list[Optional[str]]] = None,
    dates: Optional[list[Optional[str]]] = None,
    threads: int = 0,
    templates: str = "keep",
    options: Optional[dict[str, Any]] = None,
) -> dict[str, Any]: ...
def index_build(path: str, texts: list[Optional[str]], ids: Optional[list[Optional[str]]] = None, outlets: Optional[list[Optional[str]]] = None, titles: Optional[list[Optional[str]]] = None, dates: Optional[list[Optional[str]]] = None, threads: int = 0, options: Optional[dict[str, Any]] = None) -> dict[str, Any]: ...
def index_add(path: str, texts: list[Optional[str]], ids: Optional[list[Optional[str]]] = None, outlets: Optional[list[Optional[str]]] = None, titles: Optional[list[Optional[str]]] = None, dates: Optional[list[Optional[str]]] = None, threads: int = 0, options: Optional[dict[str, Any]] = None) -> dict[str, Any]: ...
def index_query(path: str, texts: list[Optional[str]], ids: Optional[list[Optional[str]]] = None, outlets: Optional[list[Optional[str]]] = None, titles: Optional[list[Optional[str]]] = None, dates: Optional[list[Optional[str]]] = None, threads: int = 0, options: Optional[dict[str, Any]] = None) -> dict[str, Any]: ...
def index_stats(path: str) -> str: ...
def defaults() -> dict[str, Any]: ...
