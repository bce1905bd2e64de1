"""The subject form's logic, without Streamlit: typed values -> today's subject payload, errors per
field, prefill for edit and duplicate, and the filters of the subject list.

The rules come from ``stemgui.models.SubjectCreate`` (the same ones the bundled server applies);
the extra-field table and tags are read as the session form reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from stemgui.models import (
    GENOTYPE_MAX,
    NAME_MAX,
    SUBJECT_STATUSES,
    SubjectCreate,
    field_errors,
    normalize_extra_fields,
)
from stemgui.session_form import COPY_SUFFIX, _clean_tags, extra_fields_from_rows, parse_date

SEXES = {"M": "male", "F": "female", "U": "unknown"}
STATUSES = SUBJECT_STATUSES
FORM_FIELDS = (
    "name", "description", "projects", "strain", "sex", "genetic_line", "genotype", "subject_identifier",
    "supplier", "birth_date", "death_date", "status", "licenses", "extra_fields", "tags",
)  # fmt: skip


@dataclass
class SubjectFormValues:
    """Everything the subject form holds, as typed (related records as ids)."""

    name: str = ""
    description: str = ""
    projects: list[str] = field(default_factory=list)
    strain: str | None = None
    sex: str | None = None  # "M", "F" or "U"
    genetic_line: str = ""
    genotype: str = ""
    subject_identifier: str = ""
    supplier: str | None = None
    birth_date: date | None = None
    death_date: date | None = None
    status: str = "active"
    licenses: list[str] = field(default_factory=list)
    extra_rows: list[dict] = field(default_factory=list)  # [{"key": ..., "value": ...}]
    tags: list[str] = field(default_factory=list)


def build_payload(values: SubjectFormValues) -> tuple[dict, dict[str, str]]:
    """The JSON body to send (POST or PATCH), and field -> message for what must be fixed first."""
    extra, extra_problems = extra_fields_from_rows(values.extra_rows)
    payload = {
        "name": values.name.strip(),
        "description": values.description,
        "projects": list(values.projects),
        "strain": values.strain or None,
        "sex": values.sex or None,
        "genetic_line": values.genetic_line.strip(),
        "genotype": values.genotype.strip(),
        "subject_identifier": values.subject_identifier.strip(),
        "supplier": values.supplier or None,
        "birth_date": values.birth_date.isoformat() if values.birth_date else None,
        "death_date": values.death_date.isoformat() if values.death_date else None,
        "status": values.status,
        "licenses": list(values.licenses),
        "extra_fields": extra,
        "tags": _clean_tags(values.tags),
    }
    errors = model_errors(payload)
    if extra_problems:
        errors["extra_fields"] = " ".join(extra_problems)
    return payload, errors


_PLAIN = {
    "name": "Give the subject a name.",
    "projects": "Choose at least one project.",
    "strain": "Choose the strain.",
    "sex": "Choose the sex (male, female or unknown).",
}


def model_errors(payload: dict) -> dict[str, str]:
    """Field -> message from the shared pydantic rules, with plain words for the required choices."""
    errors: dict[str, str] = {}
    for name, message in _PLAIN.items():
        if not payload.get(name):
            errors[name] = message
    for name, limit in (("name", NAME_MAX), ("genetic_line", NAME_MAX), ("subject_identifier", NAME_MAX),
                        ("genotype", GENOTYPE_MAX)):  # fmt: skip
        if len(payload.get(name) or "") > limit:
            errors[name] = f"At most {limit} characters (now {len(payload[name])})."
    try:
        SubjectCreate.model_validate(payload)
    except ValidationError as exc:
        for name, messages in field_errors(exc).items():
            errors.setdefault(name, " ".join(messages))
    born, died = payload.get("birth_date"), payload.get("death_date")
    if born and died and died < born:
        errors.setdefault("death_date", f"The death date ({died}) is before the birth date ({born}).")
    if born and born > date.today().isoformat():
        errors.setdefault("birth_date", f"The birth date ({born}) is in the future.")
    return errors


def values_from_subject(subject: dict) -> SubjectFormValues:
    """The form prefilled with a stored subject (for Edit)."""
    try:
        extra = normalize_extra_fields(subject.get("extra_fields"))
    except ValueError:
        extra = {}
    status = subject.get("status") or "active"
    return SubjectFormValues(
        name=subject.get("name") or "",
        description=subject.get("description") or "",
        projects=list(subject.get("projects") or []),
        strain=subject.get("strain"),
        sex=subject.get("sex"),
        genetic_line=subject.get("genetic_line") or "",
        genotype=subject.get("genotype") or "",
        subject_identifier=subject.get("subject_identifier") or "",
        supplier=subject.get("supplier"),
        birth_date=parse_date(subject.get("birth_date")),
        death_date=parse_date(subject.get("death_date")),
        status=status if status in STATUSES else "active",
        licenses=list(subject.get("licenses") or []),
        extra_rows=[{"key": k, "value": str(v)} for k, v in extra.items()],
        tags=list(subject.get("tags") or []),
    )


def duplicate_values(subject: dict) -> SubjectFormValues:
    """A new subject prefilled from ``subject`` (a littermate): name marked for change; its own
    identifier and death date left out, status active."""
    values = values_from_subject(subject)
    values.name = (values.name + COPY_SUFFIX)[:NAME_MAX]
    values.subject_identifier = ""
    values.death_date = None
    values.status = "active"
    return values


@dataclass
class SubjectQuery:
    """The subject list's filters, as the page holds them."""

    projects: list[str] = field(default_factory=list)
    strain: str | None = None
    sex: str | None = None
    statuses: list[str] = field(default_factory=list)
    text: str = ""  # in name OR description
    born_from: date | None = None
    born_to: date | None = None


def subject_filters(query: SubjectQuery) -> list[dict[str, Any]]:
    """The API filters that together select ``query``'s subjects: one dict per request.

    BrainSTEM ANDs the keys of one request, so the ORs (text in name or description, any of
    several projects) are several requests whose results the caller merges
    (``stemgui.gui.loaders.merge_records``) — the same on the bundled server and on BrainSTEM.
    """
    common: dict[str, Any] = {}
    if query.strain:
        common["strain"] = query.strain
    if query.sex:
        common["sex"] = query.sex
    if query.statuses:
        common["status.in"] = ",".join(query.statuses)
    if query.born_from:
        common["birth_date.gte"] = query.born_from.isoformat()
    if query.born_to:
        common["birth_date.lte"] = query.born_to.isoformat()
    text = query.text.strip()
    texts = [{f"{column}.icontains": text} for column in ("name", "description")] if text else [{}]
    projects = [{"projects.id": project} for project in query.projects] or [{}]
    return [{**common, **a, **b} for a in texts for b in projects]


def find_subjects(client, query: SubjectQuery) -> list[dict]:
    """Every subject matching ``query``, each once, by name (fetched through ``client``)."""
    seen: dict[str, dict] = {}
    for filters in subject_filters(query):
        for subject in client.list_all("subject", filters=filters):
            seen.setdefault(subject["id"], subject)
    return sorted(seen.values(), key=lambda s: (s.get("name") or "").lower())
