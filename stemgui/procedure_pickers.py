"""The options of the procedure form's pickers: consumable stocks (by consumable name and lot),
equipment (several may be chosen), licenses — built from the records the client loads.

Pure functions of the API's records, plus `load_pickers` which reads them through a client
(the GUI caches its result per user). Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from stemgui.models_current import LICENSE_TYPES

_LOT_KEYS = ("lot", "lotNumber", "lot_number", "batch")
_LICENSE_TYPE_WORDS = {name: name.replace("_", " ").capitalize() for name in LICENSE_TYPES}


class _ListsAll(Protocol):
    def list_all(self, model: str, filters: Any = None, sort: Any = None, include: Any = None,
                 portal: str = "private") -> list[dict]: ...


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def stock_lot(stock: Mapping[str, Any]) -> str:
    """The lot of a stock (its details' `lot`, the usual key; else "")."""
    details = stock.get("details") if isinstance(stock.get("details"), Mapping) else {}
    return next((_text(details[k]) for k in _LOT_KEYS if _text(details.get(k))), "")


def stock_label(stock: Mapping[str, Any], consumables: Mapping[str, str]) -> str:
    """"AAV5-CaMKIIa-hChR2(H134R)-EYFP · lot V-2025-031": the consumable's name (else the stock's
    construct or type) and the lot; a stock that is not available says so ("· depleted")."""
    details = stock.get("details") if isinstance(stock.get("details"), Mapping) else {}
    name = (consumables.get(stock.get("consumable") or "") or _text(details.get("construct"))
            or _text(stock.get("type")) or "Stock")
    parts = [name]
    if stock_lot(stock):
        parts.append(f"lot {stock_lot(stock)}")
    elif _text(stock.get("notes")):
        parts.append(_text(stock["notes"])[:40])
    status = str(stock.get("status") or "AVAILABLE")
    if status != "AVAILABLE":
        parts.append(status.lower())
    return " · ".join(parts)


def stock_options(stocks: Iterable[Mapping[str, Any]], consumables: Mapping[str, str]) -> dict[str, str]:
    """Stock id -> label; available stocks first, each part sorted by label (a depleted lot stays
    listed, last, so an old record that used it still shows its name)."""
    labelled = [(s.get("status", "AVAILABLE") != "AVAILABLE", stock_label(s, consumables).lower(),
                 s["id"], stock_label(s, consumables)) for s in stocks if s.get("id")]
    return {record_id: label for _, _, record_id, label in sorted(labelled)}


def equipment_label(equipment: Mapping[str, Any]) -> str:
    """"Kopf Model 940 stereotax (Stereotax)": the name and its type (the type alone when unnamed)."""
    name, kind = _text(equipment.get("name")), _text(equipment.get("type"))
    if name and kind and kind.lower() not in name.lower():
        return f"{name} ({kind})"
    return name or kind or str(equipment.get("id", ""))


def equipment_options(equipment: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Equipment id -> label, sorted by label (the form's multiselect: several may be chosen)."""
    pairs = {e["id"]: equipment_label(e) for e in equipment if e.get("id")}
    return dict(sorted(pairs.items(), key=lambda item: item[1].lower()))


def license_label(license: Mapping[str, Any]) -> str:
    """"IACUC Protocol 2025-014 … (IACUC-2025-014, active)": name, number and a status other than
    the expected one, so an expired license is visible before it is chosen."""
    name = _text(license.get("name")) or _LICENSE_TYPE_WORDS.get(license.get("type") or "", "License")
    extra = [_text(license.get("license_number"))] if _text(license.get("license_number")) else []
    extra.append(str(license.get("status") or "draft"))
    return f"{name} ({', '.join(extra)})"


def license_options(licenses: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """License id -> label; active licenses first, then the others, each sorted by label."""
    labelled = [(lic.get("status") != "active", license_label(lic).lower(), lic["id"], license_label(lic))
                for lic in licenses if lic.get("id")]
    return {record_id: label for _, _, record_id, label in sorted(labelled)}


def keep_chosen(options: Mapping[str, str], chosen: Iterable[str]) -> dict[str, str]:
    """`options` plus any chosen id they lack (a record the user can no longer see), labelled by
    its id, so editing a procedure never drops what it points to."""
    extra = {value: f"{value} (not visible to you)" for value in chosen if value and value not in options}
    return {**options, **extra}


@dataclass(frozen=True)
class PickerOptions:
    """The three pickers' options: id -> label."""

    stocks: dict[str, str] = field(default_factory=dict)
    equipment: dict[str, str] = field(default_factory=dict)
    licenses: dict[str, str] = field(default_factory=dict)


def load_pickers(client: _ListsAll) -> PickerOptions:
    """Read stocks, consumables, equipment and licenses through `client` and label them."""
    consumables = {c["id"]: _text(c.get("name")) for c in client.list_all("consumable") if c.get("id")}
    return PickerOptions(
        stocks=stock_options(client.list_all("consumablestock"), consumables),
        equipment=equipment_options(client.list_all("equipment")),
        licenses=license_options(client.list_all("license")),
    )
