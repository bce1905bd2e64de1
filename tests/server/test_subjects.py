"""Issue 13, "Subjects page" (server part): today's subject fields on ``stem/subject`` beside the
seed's, their rules, the list filters the GUI's subject filter needs, and older databases.

Real server on loopback (SQLite and PostgreSQL via the ``server`` fixture), raw HTTP.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from stemgui.server.db import make_engine
from stemgui.server.tables import Base
from tests.conftest import POSTGRES_MISSING_REASON, POSTGRES_URL
from tests.server.api import Api, flt, names_field, unique
from tests.server.builders import make_project, make_subject
from tests.server.current_builders import make_license
from tests.serverproc import ServerProcess, create_postgres_database

# The keys of the docs' subject examples (api-stem-subject.md), all present beside the seed's.
TODAY_KEYS = {
    "id", "name", "description", "projects", "strain", "sex", "genetic_line", "genotype",
    "subject_identifier", "licenses", "supplier", "breeding", "birth_date", "death_date", "status",
    "extra_fields", "procedures", "subjectlogs", "tags", "links", "name_used_in_storage",
}  # fmt: skip
SEED_KEYS = {"source", "actions", "subjectstatechanges", "name_used_in_repository"}


@pytest.fixture(scope="module")
def owner(new_api) -> Api:
    return new_api("subjowner")


@pytest.fixture(scope="module")
def project(owner) -> dict:
    return make_project(owner)


def test_todays_fields_round_trip(owner, project, taxa):
    """Issue 13: every documented field is written by POST, changed by PATCH and read back."""
    license_ = make_license(owner)
    data = {
        "name": unique("PV07"), "description": "PV-Cre x Ai32", "projects": [project["id"]],
        "strain": taxa.strain, "sex": "F", "genetic_line": "PV-Cre", "genotype": "Pvalb-Cre +/-; Ai32 +/-",
        "subject_identifier": "EAR-117", "supplier": taxa.supplier, "licenses": [license_["id"]],
        "birth_date": "2025-01-02", "death_date": None, "status": "active",
        "extra_fields": {"cage": "C12", "litter": 3}, "tags": ["cohort-A"], "name_used_in_storage": "pv07",
    }  # fmt: skip
    made = owner.create("subject", data)
    assert TODAY_KEYS | SEED_KEYS == set(made)
    assert {key: made[key] for key in data} == data
    assert made["procedures"] == [] and made["subjectlogs"] == [] and made["breeding"] is None
    assert made["links"]["subjectlogs"] == "subjectlogs/" and made["links"]["procedures"] == "procedures/"
    changed = owner.change(
        "subject", made["id"], {"status": "deceased", "death_date": "2025-06-30", "genotype": "Pvalb-Cre +/+"}
    )
    assert (changed["status"], changed["death_date"], changed["genotype"]) == (
        "deceased", "2025-06-30", "Pvalb-Cre +/+",
    )  # fmt: skip
    assert changed["licenses"] == [license_["id"]] and changed["supplier"] == taxa.supplier
    assert owner.read("license", license_["id"])["subjects"] == [made["id"]]


def test_seed_subject_clients_keep_working(owner, project, taxa):
    """Issue 13: a subject written with only the seed's fields gets today's defaults."""
    made = make_subject(
        owner, [project["id"]], taxa.strain, source="Charles River", name_used_in_repository="r"
    )
    assert (made["status"], made["genotype"], made["licenses"], made["supplier"]) == ("active", "", [], None)
    assert made["source"] == "Charles River" and made["name_used_in_repository"] == "r"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sex", "X"), ("sex", "male"), ("status", "alive"), ("status", 3), ("genotype", "g" * 201),
        ("supplier", "not-a-uuid"), ("supplier", "00000000-0000-4000-8000-000000000000"),
        ("licenses", ["00000000-0000-4000-8000-000000000000"]), ("licenses", "x"),
        ("name_used_in_storage", "s" * 201), ("birth_date", "30/01/2025"),
        ("extra_fields", {"1bad": "x"}),
    ],
)  # fmt: skip
def test_bad_values_are_a_400_naming_the_field(owner, project, taxa, field, value):
    """Issue 13: a bad sex, status, genotype, supplier, license... is refused naming the field, on
    POST and on PATCH, and nothing is written."""
    good = {"name": unique("bad"), "strain": taxa.strain, "sex": "M", "projects": [project["id"]]}
    response = owner.post("subject", {**good, field: value})
    assert response.status_code == 400 and names_field(response.json(), (field,)), response.text
    assert owner.count("subject", **{flt("name"): good["name"]}) == 0
    made = make_subject(owner, [project["id"]], taxa.strain)
    response = owner.patch("subject", made["id"], {field: value})
    assert response.status_code == 400 and names_field(response.json(), (field,)), response.text
    assert owner.read("subject", made["id"]) == made


def test_the_subject_filters_of_the_gui(owner, taxa, new_api):
    """Issue 13: the list filters by project, strain, sex, status, text in name or description and a
    birth-date range, through the generic query code."""
    project, other = make_project(owner), make_project(owner)
    make_project(new_api("stranger"))  # the owner is not in every project of the server
    strain2 = owner.create("strain", {"name": unique("Strain"), "species": taxa.species})["id"]
    rows = [
        ("Alpha", "quiet one", taxa.strain, "F", "active", "2025-01-05", project),
        ("Beta", "ALPHA littermate", taxa.strain, "M", "active", "2025-02-10", project),
        ("Gamma", "", strain2, "M", "deceased", "2025-03-15", project),
        ("Delta", "", taxa.strain, "F", "active", None, other),
    ]
    ids = {}
    for name, description, strain, sex, status, born, where in rows:
        ids[name] = make_subject(
            owner, [where["id"]], strain, name=unique(name), description=description, sex=sex,
            status=status, birth_date=born,
        )["id"]  # fmt: skip

    def found(**params) -> set[str]:
        got = set(owner.ids("subject", **{flt(project_filter): project["id"]}, **params))
        return {name for name, rid in ids.items() if rid in got}

    project_filter = "projects"
    assert found() == {"Alpha", "Beta", "Gamma"}
    project_filter = "projects.id"
    assert found(**{flt("strain"): strain2}) == {"Gamma"}
    assert found(**{flt("sex"): "F"}) == {"Alpha"}
    assert found(**{flt("status"): "deceased"}) == {"Gamma"}
    assert found(**{flt("status.in"): "active,inactive"}) == {"Alpha", "Beta"}
    assert found(**{flt("name.icontains"): "alpha"}) == {"Alpha"}
    assert found(**{flt("description.icontains"): "alpha"}) == {"Beta"}
    assert found(**{flt("birth_date.gte"): "2025-02-01", flt("birth_date.lte"): "2025-03-15"}) == {
        "Beta", "Gamma",
    }  # fmt: skip
    assert found(**{flt("birth_date.lt"): "2025-02-01"}) == {"Alpha"}
    license_ = make_license(owner)
    owner.change("subject", ids["Beta"], {"licenses": [license_["id"]]})
    owner.change("subject", ids["Gamma"], {"supplier": taxa.supplier})
    # licenses are shared records: a user who is not in every project of the server finds them too
    assert found(**{flt("licenses"): license_["id"]}) == {"Beta"}
    assert found(**{flt("licenses.name"): license_["name"]}) == {"Beta"}
    assert found(**{flt("supplier"): taxa.supplier}) == {"Gamma"}
    response = owner.get("subject", params={flt("status.bogus"): "x"})
    assert response.status_code == 400 and flt("status.bogus") in response.json()


def _old_database(url: str) -> None:
    """A database as the version before today's subject fields made it: the seed's subjects
    table, no subject logs; one subject in it."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE subjects (id VARCHAR(36) PRIMARY KEY, name VARCHAR(100) NOT NULL, "
            "description TEXT NOT NULL, strain_id VARCHAR(36) NOT NULL, sex VARCHAR(1) NOT NULL, "
            "genetic_line VARCHAR(100) NOT NULL, subject_identifier VARCHAR(100) NOT NULL, "
            "source VARCHAR(100) NOT NULL, birth_date VARCHAR(10), death_date VARCHAR(10), "
            "extra_fields JSON NOT NULL, name_used_in_repository VARCHAR(200) NOT NULL, tags JSON NOT NULL, "
            "created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, creator_id VARCHAR(36))"
        ))  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO subjects VALUES ('11111111-1111-4111-8111-111111111111', 'old mouse', '', "
            "'22222222-2222-4222-8222-222222222222', 'M', '', '', 'vendor', NULL, NULL, '{}', '', '[]', "
            "'2024-01-01 00:00:00', '2024-01-01 00:00:00', NULL)"
        ))  # fmt: skip
    others = [
        table for table in Base.metadata.sorted_tables if table.name not in ("subjects", "subject_logs")
    ]
    Base.metadata.create_all(engine, tables=others)
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_an_older_database_gains_the_new_subject_fields(kind, tmp_path):
    """Issue 13: the server migrates a database without today's subject fields and subject logs on
    start; its subjects read with the defaults and take the new fields."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    elif not POSTGRES_URL:
        pytest.skip(POSTGRES_MISSING_REASON)
    else:
        url = create_postgres_database(POSTGRES_URL)
    _old_database(url)
    proc = ServerProcess(url, tmp_path).start()
    try:
        _, token = proc.new_user("root", superuser=True)
        api = Api(proc.url, token)
        old = api.read("subject", "11111111-1111-4111-8111-111111111111", portal="super")
        assert (old["status"], old["genotype"], old["licenses"], old["subjectlogs"]) == ("active", "", [], [])
        assert old["source"] == "vendor" and old["supplier"] is None
        assert api.count("subjectlog", portal="super") == 0
    finally:
        proc.stop()
