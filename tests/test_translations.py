"""French ships with the app: every user-visible string has a French translation."""

import csv
import re

import pytest

from lead_qualification.setup.custom_fields import get_custom_fields
from tests._source import APP, doctype_jsons, js_messages, load_json, modules, python_messages

FR = APP / "translations" / "fr.csv"
PLACEHOLDER = re.compile(r"\{\d+\}")


def french() -> dict[str, str]:
	with FR.open(newline="", encoding="utf-8") as f:
		return {row[0]: row[1] for row in csv.reader(f) if row}


def field_strings(fields) -> set[str]:
	found = set()
	for df in fields:
		for key in ("label", "description"):
			if df.get(key):
				found.add(df[key])
		if df.get("fieldtype") == "Select":
			found.update(o for o in df["options"].split("\n") if o)
	return found


def user_visible_strings() -> set[str]:
	found = python_messages() | js_messages() | set(modules())
	for path in doctype_jsons():
		doc = load_json(path)
		found.add(doc["name"])
		found |= field_strings(doc["fields"])
	for fields in get_custom_fields().values():
		found |= field_strings(fields)
	for path in APP.glob("*/number_card/*/*.json"):
		found.add(load_json(path)["label"])
	for path in APP.glob("*/dashboard_chart/*/*.json"):
		found.add(load_json(path)["chart_name"])
	for path in APP.glob("*/report/*/*.json"):
		found.add(load_json(path)["report_name"])
	for path in APP.glob("*/workspace/*/*.json"):
		ws = load_json(path)
		found.add(ws["label"])
		found |= {s["label"] for s in ws["shortcuts"]}
		found |= {link["label"] for link in ws["links"]}
	return found


def test_strings_are_found():
	strings = user_visible_strings()
	assert "Promote to Prospect" in strings  # js
	assert "Budget Status" in strings  # custom field label
	assert "Talking to the Decision Maker" in strings  # select option
	assert "Qualification started." in strings  # python message


def test_csv_rows_are_well_formed():
	with FR.open(newline="", encoding="utf-8") as f:
		rows = [row for row in csv.reader(f) if row]
	sources = [row[0] for row in rows]
	assert len(sources) == len(set(sources)), "duplicate source strings"
	for row in rows:
		assert len(row) in (2, 3), row
		assert row[1].strip(), f"empty translation for {row[0]!r}"


@pytest.mark.parametrize("source", sorted(user_visible_strings()))
def test_string_has_french(source):
	fr = french()
	assert source in fr, f"missing French for {source!r}"
	assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(fr[source]))
