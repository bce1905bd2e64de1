"""The database schema the ORM declares, as plain data (tables, columns, types, keys, indexes):
compared with ``data/schema-signature.json`` so a refactor of the table classes cannot change the
database (issue 11)."""

from __future__ import annotations

import stemgui.server.app  # noqa: F401  (every table module registers on Base)
from stemgui.server.tables import Base


def _default(column) -> str | None:
    if column.default is None:
        return None
    arg = getattr(column.default, "arg", None)
    return "callable" if callable(arg) else repr(arg)


def _column(column) -> dict:
    return {
        "type": str(column.type),
        "nullable": column.nullable,
        "primary_key": column.primary_key,
        "unique": bool(column.unique),
        "index": bool(column.index),
        "foreign_keys": sorted(f"{fk.target_fullname} {fk.ondelete}" for fk in column.foreign_keys),
        "default": _default(column),
    }


def signature() -> dict:
    """Table name -> its columns (by name), indexes and unique constraints."""
    out = {}
    for name, table in sorted(Base.metadata.tables.items()):
        columns = sorted(table.columns, key=lambda c: c.name)
        out[name] = {
            "columns": {column.name: _column(column) for column in columns},
            "indexes": sorted(f"{ix.name}: {[c.name for c in ix.columns]} {ix.unique}" for ix in table.indexes),  # noqa: E501
            "unique": sorted(
                str(sorted(c.name for c in constraint.columns))
                for constraint in table.constraints
                if type(constraint).__name__ == "UniqueConstraint"
            ),
        }  # fmt: skip
    return out
