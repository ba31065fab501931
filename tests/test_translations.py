"""French ships with the app: every user-visible string has a French translation."""

import csv
import json
import re
from html.parser import HTMLParser

import pytest

from lead_qualification.lead_qualification.analytics import BANDS, STATUSES
from lead_qualification.setup.custom_fields import get_custom_fields
from tests._source import APP, doctype_jsons, js_messages, load_json, modules, python_messages

FR = APP / "translations" / "fr.csv"
PLACEHOLDER = re.compile(r"\{\d*\}")

# Workspace header texts that Frappe itself translates (frappe/locale/fr.po has both the
# header's whole HTML and its text): the app does not override Frappe's wording.
TRANSLATED_BY_FRAPPE = {"Your Shortcuts", "Reports & Masters"}


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
	for path in APP.glob("*/web_form/*/*.json"):
		found |= web_form_strings(load_json(path))
	for path in APP.glob("*/workspace/*/*.json"):
		found |= workspace_strings(load_json(path))
	# What the workspace charts show as labels: the bands and the qualification statuses,
	# passed through _() by lead_qualification.dashboard.
	found |= set(BANDS) | set(STATUSES)
	return found


def web_form_strings(doc: dict) -> set[str]:
	"""What Frappe's web form shows translated (WebForm.load_translations)."""
	keys = ("title", "introduction_text", "success_title", "success_message", "button_label")
	found = {doc[k] for k in keys if doc.get(k)}
	return found | field_strings(doc["web_form_fields"])


class _Text(HTMLParser):
	def __init__(self):
		super().__init__()
		self.parts = []

	def handle_data(self, data):
		self.parts.append(data)


def html_text(html: str) -> str:
	parser = _Text()
	parser.feed(html)
	return "".join(parser.parts).strip()


def workspace_strings(ws: dict) -> set[str]:
	"""Every text of a workspace a user reads: title, header blocks, shortcut labels and count
	badges (`format`, which the desk passes through __()), link cards, chart and number card
	labels (Frappe translates each with _() when it builds the page)."""
	found = {ws["label"], ws["title"]}
	found |= {s["label"] for s in ws["shortcuts"]}
	found |= {s["format"] for s in ws["shortcuts"] if s.get("format")}
	found |= {link["label"] for link in ws["links"]}
	found |= {c["label"] for c in ws["charts"]}
	found |= {c["label"] for c in ws["number_cards"]}
	for block in json.loads(ws["content"]):
		if block["type"] == "header":
			found.add(html_text(block["data"]["text"]))
	return found - TRANSLATED_BY_FRAPPE


def test_strings_are_found():
	strings = user_visible_strings()
	assert "Promote to Prospect" in strings  # js
	assert "Budget Status" in strings  # custom field label
	assert "Talking to the Decision Maker" in strings  # select option
	assert "Qualification started." in strings  # python message
	assert "{} to qualify" in strings  # workspace shortcut badge
	assert "Lead to Prospect Rate" in strings  # workspace number card
	assert "Warm" in strings and "In Process" in strings  # chart labels


def test_band_is_a_temperature_in_french():
	"""The score band must not read as the scoring rule's category (Type de critère)."""
	fr = french()
	assert fr["Band"] == "Température"
	assert [fr[b] for b in BANDS] == ["Chaud", "Tiède", "Froid"]
	assert not [k for k, v in fr.items() if "band" in k.lower() and "catégorie" in v.lower()]


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
