"""The release as a Frictionless data package: built by the frictionless library from the declarations
(warehouse.yaml, views.yaml, release.yaml), valid against every CSV and Parquet file of a release of the
samples, and failing when a copy is broken (an enum, a pattern, a foreign key, a Parquet file); the data
dictionary page describes every column of every table and view, each with its anchor."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import frictionless
import pytest
from helpers.paths import SAMPLES

from juesuan.ingest import ingest
from juesuan.reference.release import release_declaration
from juesuan.reference.views import load_views, view_columns
from juesuan.warehouse.export import export


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("datapackage")
    ingest([SAMPLES], folder / "w.duckdb")
    return export(folder / "w.duckdb", folder / "extracts").path


def errors_by_resource(report: frictionless.Report) -> dict[str, set[str]]:
    found = defaultdict(set)
    for task in report.tasks:
        for error in task.errors:
            found[task.name].add(error.type)
    return found


def test_the_release_is_a_valid_frictionless_data_package(release):
    report = frictionless.validate(release / "datapackage.json")
    assert report.valid, [(t.name, e.message) for t in report.tasks for e in t.errors][:20]
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    package = frictionless.Package(release / "datapackage.json")
    names = {r.name for r in package.resources}
    parquet = [f["path"] for res in manifest["resources"].values() for f in res["files"]]
    parquet = [p for p in parquet if p.endswith(".parquet")]
    # every relation as CSV, every Parquet file as a resource, each validated above
    assert set(manifest["resources"]) <= names
    assert {r.path for r in package.resources if r.format == "parquet"} == set(parquet)
    assert {t.name for t in report.tasks} == names
    declared = release_declaration()
    assert package.licenses == [declared.licence.model_dump()]
    assert package.version == manifest["juesuan"] and package.created == manifest["created_at"]
    assert package.sources and package.custom["release"] == release.name
    assert release.name in package.custom["citation"]


def test_fields_carry_their_declared_constraints_units_and_keys(release):
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    facts = {f["name"]: f for f in resources["facts"]["schema"]["fields"]}
    assert facts["amount_yuan"]["type"] == "number" and facts["amount_yuan"]["unit"] == "yuan"
    assert facts["amount_yuan"]["constraints"] == {"required": True}
    assert "万元" in facts["source_unit"]["constraints"]["enum"]
    assert facts["row_code"]["constraints"]["pattern"] == r"^(\d{3}|\d{5}|\d{7})$"
    assert "unit" not in facts["page"]
    narrative = {f["name"]: f for f in resources["narrative_figures"]["schema"]["fields"]}
    assert narrative["percent"]["unit"] == "percent" and "0-100" in narrative["percent"]["unitScale"]
    summary = {f["name"]: f for f in resources["summary"]["schema"]["fields"]}
    assert summary["total_income"]["unit"] == "yuan" and "unit" not in summary["department_name"]
    documents_key = {
        "fields": ["document_id"],
        "reference": {"resource": "documents", "fields": ["document_id"]},
    }
    for name in ("facts", "checks", "narrative_figures", "document_sources", "summary", "facts-2023"):
        assert documents_key in resources[name]["schema"]["foreignKeys"], name
    assert resources["facts"]["schema"]["primaryKey"][0] == "document_id"
    assert resources["documents"]["schema"]["primaryKey"] == ["document_id"]
    for resource in descriptor["resources"]:
        assert resource["description"].strip(), resource["name"]
        for field in resource["schema"]["fields"]:
            assert field["description"].strip(), (resource["name"], field["name"])
    # Parquet files hold no fiscal_year (it is their folder's); their bytes and hash are said, not checked
    facts_2023 = resources["facts-2023"]
    assert "fiscal_year" not in {f["name"] for f in facts_2023["schema"]["fields"]}
    assert facts_2023["partition"] == {"fiscal_year": 2023} and len(facts_2023["file"]["sha256"]) == 64


def test_a_broken_copy_of_the_release_fails_validation(release, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(release, broken, ignore=shutil.ignore_patterns("juesuan.duckdb", "report_images"))
    csv = broken / "csv"
    # an enum: a unit no table prints
    facts = (csv / "facts.csv").read_text("utf-8-sig")
    assert ",万元," in facts
    (csv / "facts.csv").write_text(facts.replace(",万元,", ",万圆,", 1), encoding="utf-8")
    # a pattern: a department id that is no 16-digit hex
    documents = (csv / "documents.csv").read_text("utf-8-sig").splitlines()
    cells = documents[1].split(",")
    cells[1] = "not-an-id"
    (csv / "documents.csv").write_text("\n".join([documents[0], ",".join(cells), *documents[2:]]) + "\n")
    # a foreign key: a check of a document there is none of
    checks = (csv / "checks.csv").read_text("utf-8-sig").splitlines()
    checks[1] = "f" * 64 + checks[1][64:]
    (csv / "checks.csv").write_text("\n".join(checks) + "\n", encoding="utf-8")
    # a Parquet file: a template family the catalogue does not know
    part = next(broken.glob("documents/fiscal_year=2023/*.parquet"))
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * REPLACE ('sichuan99' AS template_family) FROM read_parquet('{part}')) "
        f"TO '{part}.new' (FORMAT PARQUET)"
    )
    Path(f"{part}.new").replace(part)

    report = frictionless.validate(broken / "datapackage.json")
    assert not report.valid
    found = errors_by_resource(report)
    assert "constraint-error" in found["facts"] and "hash-count" in found["facts"]
    assert "constraint-error" in found["documents"]
    assert "foreign-key" in found["checks"]
    assert "constraint-error" in found["documents-2023"]
    untouched = {"narrative_figures", "summary", "facts-2023", "checks-2023"}
    assert not untouched & set(found)
    messages = [(t.name, getattr(e, "field_name", None), e.message) for t in report.tasks for e in t.errors]
    assert any(t == "facts" and f == "source_unit" and "enum" in m for t, f, m in messages)
    assert any(t == "documents" and f == "department_id" and "pattern" in m for t, f, m in messages)


class _Dictionary(HTMLParser):
    """The anchors of dictionary.html and the text of each description cell by the anchor of its row."""

    def __init__(self):
        super().__init__()
        self.anchors: list[str] = []
        self.descriptions: dict[str, str] = {}
        self._row: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.anchors.append(attrs["id"])
            if tag == "h2":
                self._in = attrs["id"]  # the relation's description follows in <p class="description">
            if tag == "tr":
                self._row = attrs["id"]
        if attrs.get("class") == "description":
            key = self._row if tag == "td" else self._in
            self.descriptions[key] = ""
            self._current = key

    def handle_endtag(self, tag):
        if tag in ("td", "p"):
            self._current = None

    def handle_data(self, data):
        if getattr(self, "_current", None):
            self.descriptions[self._current] += data


def test_the_dictionary_page_describes_every_column_of_every_table_and_view_with_an_anchor(release):
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    page = _Dictionary()
    page.feed((release / "dictionary.html").read_text("utf-8"))
    expected = set()
    for name, res in manifest["resources"].items():
        expected |= {name, *(f"{name}.{c['name']}" for c in res["columns"])}
    assert expected <= set(page.anchors)
    assert len(page.anchors) == len(set(page.anchors)), "an anchor twice"
    empty = sorted(key for key in expected if not page.descriptions.get(key, "").strip())
    assert not empty, f"described nowhere: {empty}"
    # the catalogue page links to each relation's anchor, and each anchor is there
    index = (release / "index.html").read_text("utf-8")
    links = set(re.findall(r'href="dictionary\.html#([^"]+)"', index))
    assert links == set(manifest["resources"]) and links <= set(page.anchors)


def test_every_number_has_a_declared_unit_and_every_declared_view_column_exists(release):
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    declared = release_declaration()
    unitless = [
        (r["name"], f["name"])
        for r in descriptor["resources"]
        for f in r["schema"]["fields"]
        if f["type"] == "number" and "unit" not in f
    ]
    assert not unitless, f"numbers without a unit (release.yaml: fields or view_fields): {unitless}"
    for f in (f for r in descriptor["resources"] for f in r["schema"]["fields"] if "unit" in f):
        assert f["unit"] in declared.units and f["unitScale"] == declared.units[f["unit"]].scale
    views = load_views()
    for key in declared.view_fields:
        view, column = key.split(".", 1)
        assert view in views.names and column in {c.name for c in view_columns(view)}, key
