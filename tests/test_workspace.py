"""The workspace as Frappe renders it for a Sales Manager: every card and chart reachable
(Frappe shows a non-System Manager a Custom card or chart only if it names a document type
the user can read), chart data in the user's language, bands in cold/warm/hot colours."""

import ast
import colorsys
import json
import re

import pytest

from lead_qualification.lead_qualification.analytics import BAND_COLOURS, BANDS
from tests._source import APP, load_json, resolve_dotted, scrub

MODULE = APP / "lead_qualification"
WORKSPACE = load_json(MODULE / "workspace" / "lead_qualification" / "lead_qualification.json")
CHARTS = {p.stem: load_json(p) for p in MODULE.glob("dashboard_chart/*/*.json")}
CARDS = {p.stem: load_json(p) for p in APP.glob("*/number_card/*/*.json")}  # any module of the app


def content_blocks(kind: str, key: str) -> set[str]:
	return {b["data"][key] for b in json.loads(WORKSPACE["content"]) if b["type"] == kind}


def is_whitelisted(fn: ast.FunctionDef) -> bool:
	return any("whitelist" in ast.unparse(d) for d in fn.decorator_list)


def test_every_card_and_chart_of_the_workspace_is_shipped_and_placed():
	cards = {c["number_card_name"] for c in WORKSPACE["number_cards"]}
	charts = {c["chart_name"] for c in WORKSPACE["charts"]}
	assert cards == content_blocks("number_card", "number_card_name")
	assert charts == content_blocks("chart", "chart_name")
	assert {scrub(c) for c in cards} <= set(CARDS)
	assert {scrub(c) for c in charts} <= set(CHARTS)
	assert "Lead to Prospect Rate" in cards


@pytest.mark.parametrize("name", sorted(CARDS))
def test_number_card_is_visible_to_sales_users(name):
	card = CARDS[name]
	assert card["is_public"] and card["is_standard"]
	# frappe.desk.doctype.number_card.number_card.has_permission: Custom and Document Type
	# cards need a document_type the user can read, or only System Managers see them.
	assert card["document_type"] == "Lead", f"{name}: no document_type, hidden from Sales Managers"
	if card["type"] == "Custom":
		fn = resolve_dotted(card["method"])
		assert fn is not None and is_whitelisted(fn), card["method"]


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_labels_are_translated_and_visible(name):
	chart = CHARTS[name]
	assert chart["is_public"] and chart["is_standard"]
	assert chart["document_type"] == "Lead"  # dashboard_chart.has_permission for non-System Managers
	# A Group By chart labels its bars with the raw stored values (Hot, In Process): English
	# for everyone. A Custom chart's source method passes its labels through _().
	assert chart["chart_type"] == "Custom", f"{name}: Group By charts show untranslated values"
	source = MODULE / "dashboard_chart_source" / scrub(chart["source"])
	assert load_json(source / f"{scrub(chart['source'])}.json")["name"] == chart["source"]
	js = (source / f"{scrub(chart['source'])}.js").read_text()
	assert f'frappe.dashboards.chart_sources["{chart["source"]}"]' in js
	method = re.search(r'method:\s*"([\w.]+)"', js).group(1)
	fn = resolve_dotted(method)
	assert fn is not None and is_whitelisted(fn), method
	assert "_(" in ast.unparse(fn), f"{method} must translate its labels"


def hue(hex_colour: str) -> float:
	r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
	return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_band_chart_colours_read_hot_warm_cold():
	colours = json.loads(CHARTS["lead_score_distribution"]["custom_options"])["colors"]
	# lead_temperature returns the bands in BANDS order; colours[i] is the colour of BANDS[i].
	assert colours == [BAND_COLOURS[b] for b in BANDS]
	by_band = dict(zip(BANDS, colours, strict=True))
	assert hue(by_band["Hot"]) < 12 or hue(by_band["Hot"]) > 345  # red
	assert 15 <= hue(by_band["Warm"]) <= 40  # orange
	assert 195 <= hue(by_band["Cold"]) <= 240  # blue


def test_lead_list_band_pill_colours():
	js = (APP / "public" / "js" / "erpnext" / "lead_list.js").read_text()
	mapping = re.search(r"band_colours\s*=\s*\{([^}]*)\}", js).group(1)
	pairs = dict(re.findall(r"(\w+):\s*\"(\w+)\"", mapping))
	assert pairs == {"Hot": "red", "Warm": "orange", "Cold": "blue"}
