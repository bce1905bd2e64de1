"""The one way stemgui talks to BrainSTEM or the bundled server: ``BrainstemClient``.

Same call names and arguments as BrainSTEM's official Python client: the seed's ``load_model``,
``save_model``, ``delete_model`` and today's (2.0.0) ``load`` (with ``limit``/``offset``/``load_all``),
``save``, ``delete``; plus ``list_all`` (every record, pages fetched concurrently) and ``ping``.
Every failure is raised as a ``stemgui.errors`` type; see ``stemgui.http_errors``.

Retries: only idempotent methods (GET, PATCH, DELETE) are repeated, with exponential backoff,
after a connection failure (refused, reset) or a 502/503/504. A POST is sent exactly once: a
POST that failed may still have created the record. Timeouts are not retried either, so a dead
or unreachable server fails within the connect timeout (about 3 s), never hangs a page.

Saves use ``for_writes()``: the same client with the shorter ``write_timeout`` (2.5 s), so
a hung backend hands a save to the outbox within seconds instead of holding it for the read
timeout; a create that lands after its timeout is not duplicated: its resend carries the same
``Idempotency-Key``, which the bundled server answers with the record the first attempt made.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from stemgui.catalog import PORTALS, model_info
from stemgui.errors import HistoryUnavailable, NotFound, ServerError, ValidationFailed
from stemgui.http_errors import (
    CallContext,
    display_url,
    error_from_exception,
    error_from_response,
    not_json_error,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 15)  # (connect, read) seconds; requests has no timeout by default
WRITE_TIMEOUT = (2.5, 2.5)  # saves: queued in the outbox after this (config.write_timeout)
PING_TIMEOUT = (1.5, 3)
PAGE_SIZE = 100  # the largest page BrainSTEM serves
LOCAL_PAGE_SECONDS = 0.03  # a loopback server this quick has no latency worth hiding
MAX_WORKERS = 12  # pages fetched at the same time by list_all (30 pages: first + 3 rounds)
RETRY_METHODS = frozenset({"GET", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})
# Sent by servers that keep record history (the bundled one) on every answer of its endpoints, so
# a 404 there means "no such record" and a 404 without it "this backend keeps no history".
HISTORY_HEADER = "X-Record-History"
# Idempotent creates (a bundled-server extension): the key a create is sent with, and the header
# a server that keeps keys sends on its list and create answers.
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_SUPPORT = "X-Idempotency-Keys"
IDEMPOTENT_REPLAYED = "Idempotent-Replayed"

Options = Mapping[str, Any] | str | None
Params = list[tuple[str, str]]


class Versioned(NamedTuple):
    """One record and its version (the server's ``ETag``, or None when it sends none)."""

    record: dict
    etag: str | None


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer <token>``; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class BrainstemClient:
    """A BrainSTEM API client on one keep-alive ``requests.Session``; use it as a context manager."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        *,
        write_timeout: float | tuple[float, float] = WRITE_TIMEOUT,
        attempts: int = 3,
        backoff: float = 0.2,
        max_workers: int = MAX_WORKERS,
        label: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.label = label  # how error messages name the backend ("the bundled server"); None: its URL
        self.timeout = timeout
        self.write_timeout = write_timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_workers = max(1, max_workers)
        self.local_page_seconds = LOCAL_PAGE_SECONDS  # see list_all
        self._token = token or None
        self._session = _new_session(self._token, pool_size=self.max_workers + 2, local=self.is_loopback)
        # what the server's answers told about it, shared with the for_writes() views
        self._learned: dict[str, bool] = {}

    def __repr__(self) -> str:
        token = "set" if self._token else "none"
        return f"BrainstemClient({display_url(self.base_url)!r}, token={token})"

    def __enter__(self) -> BrainstemClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def for_writes(self) -> BrainstemClient:
        """This client with the short ``write_timeout`` for every call, sharing its connections.

        The save path (lookups before a create, the POST itself) must not wait out the long
        read timeout of a hung backend. Close the original, not this view.
        """
        view = copy.copy(self)
        view.timeout = _shorter(self.timeout, self.write_timeout)
        return view

    @property
    def is_loopback(self) -> bool:
        """Whether the server runs on this machine (the bundled one does)."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        return host in ("localhost", "::1") or host.startswith("127.")

    @property
    def keeps_idempotency_keys(self) -> bool | None:
        """Whether the server honours ``Idempotency-Key`` on creates (the bundled one does, BrainSTEM
        does not); None until a list or create answer has told."""
        return self._learned.get(IDEMPOTENCY_SUPPORT)

    # -- public calls ---------------------------------------------------------------------

    def ping(self, timeout: float | tuple[float, float] = PING_TIMEOUT) -> bool:
        """True if anything answers HTTP at ``base_url`` (short timeout, one try, never raises)."""
        try:
            with self._session.get(self.base_url + "api/", timeout=timeout, stream=True) as resp:
                return resp.status_code < 500
        except requests.RequestException:
            return False

    def load_model(
        self,
        model: str,
        portal: str = "private",
        id: str | None = None,
        options: Options = None,
        filters: Mapping[str, Any] | None = None,
        sort: Iterable[str] | None = None,
        include: Iterable[str] | None = None,
    ) -> dict:
        """GET a list (``{"sessions": [...], "count": N}``) or, with ``id``, one record's envelope."""
        return self.load(model, portal, id, options, filters, sort, include)

    def load_versioned(self, model: str, id: str, portal: str = "private") -> Versioned:
        """GET one record and its version (the ``ETag``; None from a server that sends none)."""
        response = self._response("GET", model, portal, id)
        return Versioned(_record(self._json(response, model, id, "GET"), model), response.headers.get("ETag"))

    def save_model(
        self,
        model: str,
        portal: str = "private",
        id: str | None = None,
        data: Mapping[str, Any] | None = None,
        options: Options = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """Create (POST, no ``id``) or partially update (PATCH, with ``id``); returns the envelope.

        ``if_match``: the ETag the change was made against; a server that keeps versions refuses
        the change with ``EditConflict`` (carrying the record as it is now) if it changed since.
        ``idempotency_key``: sent with a create; a server that keeps keys (``keeps_idempotency_keys``)
        answers a repeat with the record the first one made instead of making another.
        """
        method = "PATCH" if id else "POST"
        body = encode_json(dict(data or {}), model)
        # the docs' record actions (a subject log's "add_entry") are a path after the id, as the
        # official client sends them; any other options are query parameters
        action = _record_action(options) if id else None
        params = [] if action else _option_params(options)
        key = None if id else idempotency_key
        return self._call(
            method, model, portal, id, params=params, body=body, if_match=if_match, action=action,
            idempotency_key=key,
        )  # fmt: skip

    def create_once(
        self, model: str, data: Mapping[str, Any], idempotency_key: str, portal: str = "private"
    ) -> tuple[dict, bool]:
        """POST a create with ``idempotency_key``: (the envelope, whether the server answered with the
        record an earlier POST of that key made instead of making one now)."""
        body = encode_json(dict(data), model)
        response = self._response("POST", model, portal, None, body=body, idempotency_key=idempotency_key)
        replayed = response.headers.get(IDEMPOTENT_REPLAYED, "").lower() == "true"
        return self._json(response, model, None, "POST"), replayed

    def delete_model(
        self, model: str, portal: str = "private", id: str | None = None, if_match: str | None = None
    ) -> None:
        """DELETE one record (with ``if_match``: only if it is still that version, else EditConflict)."""
        if not id:
            raise ValueError("delete_model needs the id of the record to delete")
        self._call("DELETE", model, portal, id, if_match=if_match)

    def load(
        self,
        model: str,
        portal: str = "private",
        id: str | None = None,
        options: Options = None,
        filters: Mapping[str, Any] | None = None,
        sort: Iterable[str] | None = None,
        include: Iterable[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        load_all: bool = False,
    ) -> dict:
        """Today's name of ``load_model``: one page (``limit``/``offset``), one record (``id``), or with
        ``load_all`` every matching record as ``{<list key>: [...], "count": N}``."""
        if load_all:
            if id is not None:
                raise ValueError("load_all cannot be used together with id")
            records = self.list_all(model, filters=filters, sort=sort, include=include, portal=portal)
            records = records[offset or 0 :]
            return {model_info(model).list_key: records, "count": len(records)}
        pages = (("limit", limit), ("offset", offset))
        paging = [(key, str(value)) for key, value in pages if value is not None]
        params = query_params(filters, sort, include) + paging + _option_params(options)
        return self._call("GET", model, portal, id, params=params)

    def save(
        self,
        model: str,
        portal: str = "private",
        id: str | None = None,
        data: Mapping[str, Any] | None = None,
        options: Options = None,
    ) -> dict:
        """Today's name of ``save_model``: create (POST, no ``id``) or partially update (PATCH)."""
        return self.save_model(model, portal, id, data, options)

    def delete(self, model: str, portal: str = "private", id: str | None = None) -> None:
        """Today's name of ``delete_model``: DELETE one record."""
        self.delete_model(model, portal, id)

    def history(
        self,
        model: str,
        id: str,
        portal: str = "private",
        limit: int | None = None,
        offset: int | None = None,
    ) -> dict:
        """One record's changes, newest first: ``{"history": [...], "count": N}`` (each change has
        ``operation``, ``user``, ``date_time``, ``changed`` and the record ``before``/``after``).

        Raises ``HistoryUnavailable`` on a backend that keeps no history (BrainSTEM), ``NotFound``
        for a record the caller cannot read (or that never existed).
        """
        return self._history_call("GET", model, portal, id, "history/", _paging(limit, offset))

    def deleted(
        self, model: str, portal: str = "private", limit: int | None = None, offset: int | None = None
    ) -> dict:
        """The deleted records of ``model`` the caller may restore, newest first:
        ``{"deleted": [{"id", "deleted_at", "deleted_by", "record"}, ...], "count": N}``."""
        return self._history_call("GET", model, portal, None, "deleted/", _paging(limit, offset))

    def restore(self, model: str, id: str, portal: str = "private") -> dict:
        """Bring a deleted record back with its id; its envelope (``{"session": {...}}``). A name taken
        meanwhile or a related record gone is a ``ValidationFailed`` naming the field."""
        return self._history_call("POST", model, portal, id, "restore/", [])

    def _history_call(
        self, method: str, model: str, portal: str, record_id: str | None, suffix: str, params: Params
    ) -> Any:
        url = self.base_url + endpoint_path(model, portal, record_id) + suffix
        ctx = self._context(method, model, record_id)
        response = self._send(method, url, ctx, params=params or None)
        if response.status_code == 404 and HISTORY_HEADER.lower() not in map(str.lower, response.headers):
            raise HistoryUnavailable(
                f"The backend at {display_url(self.base_url)} keeps no history of records, so changes "
                "cannot be shown or deleted records restored there",
                status_code=404,
            )
        if response.status_code >= 400:
            raise error_from_response(response, ctx)
        return self._json(response, model, record_id, method)

    def serves(self, model: str, portal: str = "private") -> bool:
        """Whether the backend has the endpoint of ``model`` (e.g. today's ``procedure``, which older
        servers lack: they answer 404). Other failures (offline, 401) are raised, not guessed."""
        try:
            self.load(model, portal, limit=1)
        except NotFound:
            return False
        return True

    def list_all(
        self,
        model: str,
        filters: Mapping[str, Any] | None = None,
        sort: Iterable[str] | None = None,
        include: Iterable[str] | None = None,
        portal: str = "private",
    ) -> list[dict]:
        """Every matching record in server order; pages after the first are fetched concurrently,
        except from a server on this machine (loopback) that answered the first page within
        ``LOCAL_PAGE_SECONDS``: there is no latency to hide, and concurrent pages only make the
        client and the server contend for the same cores, so they are fetched one after the other
        (measured before: concurrent paging was 0.8-0.9x of sequential on loopback).

        Not a snapshot: the page offsets come from the first page's ``count``. If records are
        created or deleted while paging, the pages shift: a record is never returned twice
        (duplicates are dropped by ``id``), pages beyond the first ``count`` are followed when a
        later page reports a larger one, but a record that moved into an already-fetched page
        is missing. Call again for a consistent view.
        """
        base = query_params(filters, sort, include)
        started = time.monotonic()
        first = self._page(model, portal, base, 0, PAGE_SIZE)
        local = self.is_loopback and time.monotonic() - started < self.local_page_seconds
        records, count = _records(first, model), _count(first)
        if count is None:  # a server without counts: walk page by page until a short one
            if len(records) < PAGE_SIZE:
                return records
            return _dedupe(self._follow(model, portal, base, records, PAGE_SIZE, start=PAGE_SIZE))
        if not records or len(records) >= count:
            return records
        stride = len(records) if len(records) < PAGE_SIZE else PAGE_SIZE  # server's own page cap
        if local:
            return _dedupe(self._follow(model, portal, base, records, stride, start=stride, count=count))
        offsets = list(range(stride, count, stride))
        pages = self._pages_concurrently(model, portal, base, offsets, stride)
        for page in pages:
            records.extend(_records(page, model))
        end = offsets[-1] + stride if offsets else stride
        grown = max((_count(page) or 0 for page in pages), default=0)
        if grown > end:  # grew meanwhile
            records = self._follow(model, portal, base, records, stride, start=end, count=grown)
        return _dedupe(records)

    # -- paging -----------------------------------------------------------------------------

    def _page(self, model: str, portal: str, base: Params, offset: int, limit: int) -> dict:
        params = [*base, ("limit", str(limit)), ("offset", str(offset))]
        return self._call("GET", model, portal, None, params=params)

    def _pages_concurrently(
        self, model: str, portal: str, base: Params, offsets: list[int], limit: int
    ) -> list[dict]:
        if len(offsets) <= 1:
            return [self._page(model, portal, base, offset, limit) for offset in offsets]
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(offsets))) as pool:
            futures = [pool.submit(self._page, model, portal, base, off, limit) for off in offsets]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()  # stop queued pages; running ones end on their own
                raise

    def _follow(
        self, model: str, portal: str, base: Params, records: list[dict], stride: int, start: int,
        count: int | None = None,
    ) -> list[dict]:
        """Fetch pages one by one from ``start`` until a short page, or until the largest count
        reported (``count``, the first page's, or a later page's) is reached: a full last page
        needs no empty page after it. The largest, because a later page's count may be one a
        server process kept from before a write in another process (``server/counts.py``)."""
        offset = start
        seen = {record.get("id") for record in records if isinstance(record, dict)}
        while True:
            answer = self._page(model, portal, base, offset, stride)
            page = _records(answer, model)
            records.extend(page)
            new_ids = {record.get("id") for record in page if isinstance(record, dict)} - seen
            if len(page) < stride or not new_ids:  # a server ignoring offset would loop forever
                return records
            reported = _count(answer)
            if reported is not None:
                count = reported if count is None else max(count, reported)
            if count is not None and offset + stride >= count:
                return records
            seen |= new_ids
            offset += stride

    # -- one request ------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        model: str,
        portal: str,
        record_id: str | None,
        params: Params | None = None,
        body: bytes | None = None,
        if_match: str | None = None,
        action: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Send one API request (with retries where safe) and return the parsed JSON body."""
        response = self._response(
            method, model, portal, record_id, params, body, if_match, action, idempotency_key
        )
        return self._json(response, model, record_id, method)

    def _response(
        self,
        method: str,
        model: str,
        portal: str,
        record_id: str | None,
        params: Params | None = None,
        body: bytes | None = None,
        if_match: str | None = None,
        action: str | None = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        """Send one API request (with retries where safe); an error status raises its stemgui error."""
        url = self.base_url + endpoint_path(model, portal, record_id, action)
        ctx = self._context(method, model, record_id)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if if_match:
            headers["If-Match"] = if_match
        if idempotency_key:
            headers[IDEMPOTENCY_KEY_HEADER] = idempotency_key
        response = self._send(method, url, ctx, params=params, data=body, headers=headers or None)
        if response.status_code >= 400:
            raise error_from_response(response, ctx)
        if record_id is None and not action:  # a list or create answer says whether keys are kept
            self._learned[IDEMPOTENCY_SUPPORT] = IDEMPOTENCY_SUPPORT in response.headers
        return response

    def _json(self, response: requests.Response, model: str, record_id: str | None, method: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise not_json_error(response, self._context(method, model, record_id)) from None

    def _context(self, method: str, model: str, record_id: str | None) -> CallContext:
        return CallContext(method, model, record_id, self.base_url, self._token, self.label)

    def _send(self, method: str, url: str, ctx: CallContext, **kwargs: Any) -> requests.Response:
        tries = self.attempts if method in RETRY_METHODS else 1
        for attempt in range(1, tries + 1):
            started = time.monotonic()
            try:
                response = self._session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                if attempt < tries and _retryable(exc):
                    self._sleep_before_retry(attempt, method, url, type(exc).__name__)
                    continue
                log.info("%s %s failed: %s", method, display_url(url), type(exc).__name__)
                raise error_from_exception(exc, ctx) from exc
            elapsed_ms = (time.monotonic() - started) * 1000
            log.debug("%s %s -> %s in %.0f ms", method, display_url(url), response.status_code, elapsed_ms)
            if attempt < tries and response.status_code in RETRY_STATUSES:
                response.close()
                self._sleep_before_retry(attempt, method, url, f"HTTP {response.status_code}")
                continue
            return response
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _sleep_before_retry(self, attempt: int, method: str, url: str, reason: str) -> None:
        delay = self.backoff * 2 ** (attempt - 1)
        log.info("%s %s: %s, retry %d in %.1f s", method, display_url(url), reason, attempt, delay)
        time.sleep(delay)


def endpoint_path(model: str, portal: str, record_id: str | None = None, action: str | None = None) -> str:
    """``api/<portal>/<app>/<model>/[<id>/[<action>/]]`` for a model name of ``stemgui.catalog``."""
    if portal not in PORTALS:
        raise ValueError(f"Unknown portal {portal!r}; use one of {', '.join(PORTALS)}")
    info = model_info(model)
    path = f"api/{portal}/{info.app}/{info.name}/"
    if record_id:
        path += quote(str(record_id), safe="") + "/"  # an id can never add path segments
        if action:
            path += quote(action, safe="") + "/"
    return path


_ACTION = re.compile(r"[a-z][a-z_]*/?")


def _record_action(options: Options) -> str | None:
    """The record action named by ``options`` ("add_entry", as the official client passes it), or
    None when they are query parameters."""
    if isinstance(options, str) and _ACTION.fullmatch(options.strip()):
        return options.strip().rstrip("/")
    return None


def query_params(
    filters: Mapping[str, Any] | None = None,
    sort: Iterable[str] | None = None,
    include: Iterable[str] | None = None,
) -> Params:
    """BrainSTEM query parameters: ``filter{field.op}=v``, repeated ``sort[]=`` and ``include[]=``."""
    if isinstance(sort, str) or isinstance(include, str):
        raise TypeError("sort and include take a list of field names, not a string")
    params: Params = []
    for field, value in (filters or {}).items():
        values = value if isinstance(value, (list, tuple, set)) else [value]
        params += [(f"filter{{{field}}}", _param_text(item)) for item in values if item is not None]
    params += [("sort[]", str(field)) for field in sort or ()]
    params += [("include[]", str(rel)) for rel in include or ()]
    return params


def encode_json(payload: Any, model: str = "record") -> bytes:
    """Strict JSON for a request body: dates as ISO text; NaN/Infinity refused (no JSON has them)."""
    try:
        return json.dumps(payload, default=_json_default, allow_nan=False).encode("utf-8")
    except ValueError as exc:
        if "Out of range float" not in str(exc):
            raise  # e.g. a circular structure: a programming error, not the user's
        raise ValidationFailed(
            f"The {model} contains a number that is not finite (NaN or Infinity) — enter a real number "
            "or leave the field empty"
        ) from None


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value) if isinstance(value, uuid.UUID) else float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} values cannot be sent to the API")


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # Django filters read true/false, not True/False
    return str(value)


def _option_params(options: Options) -> Params:
    # The official client appends a raw query string ("?limit=5"); a mapping is accepted too.
    if not options:
        return []
    if isinstance(options, str):
        return parse_qsl(options.lstrip("?&"), keep_blank_values=True)
    return [(str(key), _param_text(value)) for key, value in options.items()]


def _paging(limit: int | None, offset: int | None) -> Params:
    return [(key, str(value)) for key, value in (("limit", limit), ("offset", offset)) if value is not None]


def _new_session(token: str | None, pool_size: int, local: bool = False) -> requests.Session:
    session = requests.Session()
    # A server on this machine is reached directly: an institute's HTTP_PROXY without a NO_PROXY
    # for localhost would send the bundled server's requests to the proxy, and none would arrive.
    # A remote server keeps the environment's proxy and CA settings.
    session.trust_env = not local
    # Retries are ours (_send); the adapter only pools connections for the list_all workers.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json", "User-Agent": "stemgui-client/0.1"})
    if token:
        session.auth = BearerAuth(token)  # an explicit auth also stops ~/.netrc overriding it
    return session


def _shorter(first: float | tuple[float, float], second: float | tuple[float, float]) -> tuple[float, float]:
    """The shorter (connect, read) of two timeouts (a plain number stands for both)."""
    one = first if isinstance(first, tuple) else (first, first)
    two = second if isinstance(second, tuple) else (second, second)
    return (min(one[0], two[0]), min(one[1], two[1]))


def _retryable(exc: requests.RequestException) -> bool:
    # Refused or reset connections fail fast and often heal (a restarting server); a timeout
    # already cost seconds, and retrying it would make a dead server hang the page.
    if isinstance(exc, requests.Timeout | requests.exceptions.SSLError):
        return False
    return isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError)


def page_records(page: Any, model: str) -> list[dict]:
    """The records of one list page (``{"sessions": [...], "count": N}``) of ``model``."""
    return _records(page, model)


def _records(page: Any, model: str) -> list[dict]:
    if not isinstance(page, dict):
        return []
    records = page.get(model_info(model).list_key)
    if records is None:  # a server with another envelope name: take its one list
        records = next((value for value in page.values() if isinstance(value, list)), [])
    return list(records)


def _record(body: Any, model: str) -> dict:
    record = body.get(model_info(model).detail_key) if isinstance(body, dict) else None
    if not isinstance(record, dict):
        raise ServerError(f"The server did not send the {model} it was asked for — check STEMGUI_API_URL")
    return record


def _count(page: Any) -> int | None:
    count = page.get("count") if isinstance(page, dict) else None
    return count if isinstance(count, int) else None


def _dedupe(records: list[dict]) -> list[dict]:
    seen: set[str] = set()
    unique = []
    for record in records:
        key = record.get("id") if isinstance(record, dict) else None
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        unique.append(record)
    return unique
