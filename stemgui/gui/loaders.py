"""Loaders that turn API records into DataFrames and id -> label lookups, cached per user.

Every cached loader takes the client as ``_client`` (not hashed) and ``user_key`` (hashed):
together with ``scope="session"`` that keeps one user's data away from another, also when
two people log in one after the other in the same browser tab. ``clear_caches()`` runs after
every write. The pure helpers (query building, frames) do not touch Streamlit.

Sessions are filtered on the server (text, projects, dates, tags) and only the newest
``ROW_LIMIT`` matches are read unless the user asks for all: 10,000 sessions would otherwise
cost 100 requests on every first render and every filter change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from stemgui import dates
from stemgui.catalog import model_info
from stemgui.client import PAGE_SIZE, BrainstemClient, page_records
from stemgui.csv_safe import safe_csv

CACHE_TTL = 60  # seconds; the issue allows at most 60
# Newest matching records shown until the user asks for all: one page of the API (issue 17: 500,
# i.e. 5 pages for each OR'd filter, made a filter change cost up to 10 requests; the table
# shows about 12 rows at a time, and "Show all" or a narrower filter reaches the rest).
ROW_LIMIT = 100
SORT = ("-date_time", "name")
EXCERPT = 80
SESSION_COLUMNS = ["name", "date", "projects", "tags", "description", "extra fields", "download links"]
LABEL_FIELDS: dict[str, tuple[str, ...]] = {
    "project": ("name",),
    "subject": ("name",),
    "brainregion": ("acronym", "name"),
    "consumable": ("name",),
    "hardwaredevice": ("name",),
    "species": ("name",),
    "strain": ("name",),
    "supplier": ("name",),
}
_LOADERS: list = []  # every cached loader, so that one call forgets them all after a write


def cached_loader(func):
    """Cache ``func`` for this browser session (TTL 60 s) and have ``clear_caches`` forget it.

    Use it for loaders in other modules too; give them ``_client`` and ``user_key`` arguments.
    """
    loader = st.cache_data(ttl=CACHE_TTL, scope="session", show_spinner=False)(func)
    _LOADERS.append(loader)
    return loader


# ---------------------------------------------------------------- pure helpers


@dataclass(frozen=True)
class SessionQuery:
    """What the Sessions page filters on."""

    text: str = ""
    projects: tuple[str, ...] = ()  # project ids; a session matches if it is in any of them
    date_from: date | None = None
    date_to: date | None = None
    tags: tuple[str, ...] = ()  # a session matches if it has any of them


def server_filter_sets(query: SessionQuery) -> list[dict[str, str]]:
    """The API filters that together select ``query``'s sessions: one dict per request.

    The API ANDs the keys of one request, so every OR becomes several requests whose results
    are merged: text in name OR description, any of several projects, any of several tags.
    """
    common: dict[str, str] = {}
    if query.date_from:
        common["date_time.gte"] = query.date_from.isoformat()
    if query.date_to:  # the whole last day, also for records that carry a time
        common["date_time.lt"] = (query.date_to + timedelta(days=1)).isoformat()
    text = query.text.strip()
    texts = [{f"{column}.icontains": text} for column in ("name", "description")] if text else [{}]
    projects = [{"projects.id": project} for project in query.projects] or [{}]
    tags = [{"tags": tag} for tag in query.tags] or [{}]
    return [{**common, **a, **b, **c} for a in texts for b in projects for c in tags]


def newest_first(sessions: list[dict]) -> list[dict]:
    """Sessions by date, newest first (undated last), then by name: the server's order."""
    ordered = sorted(sessions, key=lambda s: s.get("name") or "")
    return sorted(ordered, key=lambda s: s.get("date_time") or "", reverse=True)


def merge_records(batches: Iterable[list[dict]]) -> list[dict]:
    """All records of several requests, each once, in first-seen order."""
    seen: dict[str, dict] = {}
    for batch in batches:
        for record in batch:
            seen.setdefault(record["id"], record)
    return list(seen.values())


def label_of(record: dict, fields: tuple[str, ...]) -> str:
    """A human label from the first non-empty of ``fields`` joined with " — "."""
    parts = [str(record[f]) for f in fields if record.get(f) not in (None, "")]
    return " — ".join(parts) if parts else str(record.get("id", ""))


def distinct_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """``labels`` with every label that two records share told apart by the start of the id
    ("M1 · 3f2a9c01"). A picker's choice travels as its label (the browser sends the text shown),
    so two subjects both called "M1" would otherwise both pick the first one."""
    counts = Counter(labels.values())
    told = {key: f"{label} · {str(key)[:8]}" if counts[label] > 1 else label for key, label in labels.items()}
    still = Counter(told.values())
    return {key: f"{labels[key]} · {key}" if still[label] > 1 else label for key, label in told.items()}


def excerpt(text: str | None, length: int = EXCERPT) -> str:
    """The first ``length`` characters of ``text`` on one line."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def sessions_frame(sessions: list[dict], projects: dict[str, str]) -> pd.DataFrame:
    """The Sessions table: one row per session, ids replaced by names; index = session id."""
    rows = [
        {
            "name": s.get("name", ""),
            "date": dates.date_text(s.get("date_time")),  # ISO text: sorts by date, "" when unset
            "projects": ", ".join(projects.get(p, p) for p in s.get("projects") or []),
            "tags": ", ".join(s.get("tags") or []),
            "description": excerpt(s.get("description")),
            "extra fields": len(s.get("extra_fields") or {}),
            "download links": len(s.get("download_links") or []),
        }
        for s in sessions
    ]
    frame = pd.DataFrame(rows, columns=SESSION_COLUMNS, index=[s["id"] for s in sessions])
    frame.index.name = "id"
    return frame


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """The rows and columns shown, as UTF-8 CSV; formula-like text is neutralised (csv_safe)."""
    return safe_csv(frame)


# ---------------------------------------------------------------- cached loaders


@dataclass(frozen=True)
class Newest:
    """The newest records matching a filter (all with no limit), and how many match in all."""

    records: list[dict]
    matching: int  # all matches on the server (a lower bound when ``exact`` is False)
    exact: bool

    @property
    def complete(self) -> bool:
        return self.exact and len(self.records) >= self.matching


def fetch_newest(client: BrainstemClient, model: str, filter_sets: list[dict[str, str]],
                 sort: tuple[str, ...], limit: int | None = ROW_LIMIT) -> Newest:  # fmt: skip
    """The ``limit`` first records in ``sort`` order matching any of ``filter_sets`` (each one
    request; the API ANDs a request's keys, so an OR is several), and the match count.

    With a limit, only the first pages of each request are read (concurrently): the first
    render of 10,000 records needs ``limit / PAGE_SIZE`` pages, not 100. Without one,
    ``list_all`` reads all (and the caller sorts: the server's sort is slow deep in a big table).
    """
    sets = filter_sets or [{}]
    with ThreadPoolExecutor(max_workers=8) as pool:
        if limit is None:
            batches = list(pool.map(lambda f: client.list_all(model, filters=f), sets))
            counts = [len(batch) for batch in batches]
        else:
            firsts = list(pool.map(lambda f: _page(client, model, f, sort, 0), sets))
            batches = [page_records(first, model) for first in firsts]
            counts = [first.get("count", len(batch)) for first, batch in zip(firsts, batches, strict=True)]
            rest = [
                (i, off)
                for i, count in enumerate(counts)
                for off in range(PAGE_SIZE, min(count, limit), PAGE_SIZE)
            ]
            pages = list(pool.map(lambda job: _page(client, model, sets[job[0]], sort, job[1]), rest))
            for (i, _), page in zip(rest, pages, strict=True):
                batches[i].extend(page_records(page, model))
    merged = merge_records(batches)
    exact = len(sets) == 1 or all(len(batch) >= count for batch, count in zip(batches, counts, strict=True))
    matching = counts[0] if len(sets) == 1 else max([len(merged), *counts])
    return Newest(merged, matching, exact)


def fetch_sessions(
    client: BrainstemClient, query: SessionQuery, limit: int | None = ROW_LIMIT
) -> Newest:
    """The ``limit`` newest sessions matching ``query`` (all with None), and the match count."""
    found = fetch_newest(client, "session", server_filter_sets(query), SORT, limit)
    merged = newest_first(found.records)
    return Newest(merged[:limit] if limit else merged, found.matching, found.exact)


def _page(client: BrainstemClient, model: str, filters: dict, sort: tuple[str, ...], offset: int) -> dict:
    return client.load_model(
        model, filters=filters, sort=list(sort), options={"limit": PAGE_SIZE, "offset": offset}
    )


@cached_loader
def load_newest(_client: BrainstemClient, user_key: str, model: str,
                filters: tuple[tuple[str, str], ...], sort: tuple[str, ...],
                limit: int | None = ROW_LIMIT) -> Newest:  # fmt: skip
    """``fetch_newest`` of one filter (sorted items, so that it hashes), cached for this user."""
    return fetch_newest(_client, model, [dict(filters)], sort, limit)


@cached_loader
def load_session_rows(
    _client: BrainstemClient, user_key: str, query: SessionQuery, limit: int | None = ROW_LIMIT
) -> Newest:
    """``fetch_sessions``, cached for this user."""
    return fetch_sessions(_client, query, limit)


@cached_loader
def load_sessions_frame(
    _client: BrainstemClient, user_key: str, query: SessionQuery, limit: int | None = ROW_LIMIT
) -> pd.DataFrame:
    """The Sessions table for ``query`` (see ``sessions_frame``)."""
    rows = load_session_rows(_client, user_key, query, limit)
    return sessions_frame(rows.records, project_labels(_client, user_key))


@cached_loader
def load_one(_client: BrainstemClient, user_key: str, model: str, record_id: str) -> dict:
    """One record of ``model`` by id (NotFound if it is gone or not visible to this user)."""
    return _client.load_model(model, id=record_id)[model_info(model).detail_key]


@cached_loader
def load_records(_client: BrainstemClient, user_key: str, model: str) -> list[dict]:
    """Every record of ``model`` this user can see."""
    return _client.list_all(model)


@cached_loader
def load_labels(_client: BrainstemClient, user_key: str, model: str) -> dict[str, str]:
    """id -> label for every record of ``model`` (sorted by label)."""
    fields = LABEL_FIELDS.get(model, ("name",))
    pairs = distinct_labels({r["id"]: label_of(r, fields) for r in load_records(_client, user_key, model)})
    return dict(sorted(pairs.items(), key=lambda item: item[1].lower()))


@cached_loader
def load_all_tags(_client: BrainstemClient, user_key: str) -> list[str]:
    """The tags of the newest sessions, sorted (the tag filter also takes any typed tag)."""
    sessions = load_session_rows(_client, user_key, SessionQuery()).records
    return sorted({tag for s in sessions for tag in s.get("tags") or []}, key=str.lower)


def project_labels(client: BrainstemClient, user_key: str) -> dict[str, str]:
    """Project id -> name."""
    return load_labels(client, user_key, "project")


def subject_labels(client: BrainstemClient, user_key: str) -> dict[str, str]:
    """Subject id -> name."""
    return load_labels(client, user_key, "subject")


def brain_region_labels(client: BrainstemClient, user_key: str) -> dict[str, str]:
    """Brain region id -> "ACRONYM — name"."""
    return load_labels(client, user_key, "brainregion")


def consumable_labels(client: BrainstemClient, user_key: str) -> dict[str, str]:
    """Consumable id -> name."""
    return load_labels(client, user_key, "consumable")


def hardware_device_labels(client: BrainstemClient, user_key: str) -> dict[str, str]:
    """Hardware device id -> name."""
    return load_labels(client, user_key, "hardwaredevice")


def clear_caches() -> None:
    """Forget everything loaded (this session): run after every write and on logout."""
    for loader in _LOADERS:
        loader.clear()
