"""Issue 11 item "tables use a mixin and the model's constants", with no change to the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import String

from stemgui.models import CREATE_MODELS
from stemgui.server import tables as t
from stemgui.server import tables_current as c
from stemgui.server.resources import RESOURCES
from tests.server.schema_signature import signature

SIGNATURE = Path(__file__).parent / "data" / "schema-signature.json"


def test_the_database_schema_is_the_one_before_the_mixins():
    """Issue 11: same tables, columns, types, lengths, keys, defaults and indexes as before the
    table classes took their shared columns from mixins (the file was written from the old code)."""
    assert signature() == json.loads(SIGNATURE.read_text())


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_every_record_table_takes_its_stamps_from_the_mixin(resource):
    """Issue 11: id, created_at, updated_at (and creator_id) are declared once, in ``Stamped`` /
    ``Record``, not in each of the tables (before: in every one)."""
    orm = RESOURCES[resource].orm
    assert issubclass(orm, t.Stamped)
    assert not {"id", "created_at", "updated_at", "creator_id"} & set(vars(orm).get("__annotations__", {}))
    assert issubclass(orm, t.Record) or orm is c.SubjectLog  # a subject log's creator is its ``user``


@pytest.mark.parametrize("orm", [t.Species, t.Strain, t.Supplier, t.Consumable, t.HardwareDevice])
def test_taxonomies_share_name_description_and_comments(orm):
    """Issue 11: the taxonomy and resource tables repeated name/description/comments; now a mixin."""
    assert issubclass(orm, t.Taxonomy)
    assert orm.__table__.c.name.unique and orm.__table__.c.name.type.length == 100


def _string_lengths():
    for name, resource in sorted(RESOURCES.items()):
        table = resource.orm.__table__
        for field, info in CREATE_MODELS[name].model_fields.items():
            limits = [m.max_length for m in info.metadata if getattr(m, "max_length", None)]
            if limits and field in table.c and isinstance(table.c[field].type, String):
                yield pytest.param(table.c[field].type.length, limits[0], id=f"{name}.{field}")


@pytest.mark.parametrize(("column_length", "model_length"), list(_string_lengths()))
def test_every_limited_text_column_is_as_long_as_its_model_allows(column_length, model_length):
    """Issue 11: the lengths come from the models' constants, so the two cannot drift apart."""
    assert column_length == model_length
