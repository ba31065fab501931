"""Every DocType the app ships is well-formed JSON a Frappe site can sync."""

import ast

import pytest

from tests._source import APP, doctype_jsons, load_json, modules, scrub

DOCTYPES = doctype_jsons()
LAYOUT = {"Section Break", "Column Break", "Tab Break", "Heading", "HTML", "Button", "Fold"}


def test_the_app_ships_doctypes():
	assert DOCTYPES, "no DocType JSON found"


@pytest.mark.parametrize("path", DOCTYPES, ids=lambda p: p.parent.name)
def test_doctype_json_is_consistent(path):
	doc = load_json(path)
	assert doc["doctype"] == "DocType"
	assert scrub(doc["name"]) == path.parent.name
	assert doc["module"] in modules()
	assert (APP / scrub(doc["module"]) / "doctype" / path.parent.name) == path.parent

	fieldnames = [f["fieldname"] for f in doc["fields"]]
	assert len(fieldnames) == len(set(fieldnames)), "duplicate fieldnames"
	assert doc["field_order"] == fieldnames
	for f in doc["fields"]:
		assert f["fieldname"].isidentifier() and f["fieldname"] == f["fieldname"].lower()
		if f["fieldtype"] not in LAYOUT or f["fieldtype"] in ("Section Break", "Heading"):
			if f["fieldtype"] != "Column Break":
				assert f.get("label"), f"{f['fieldname']} has no label"
		if f["fieldtype"] == "Select" and f.get("default"):
			assert f["default"] in f["options"].split("\n")
		if f["fieldtype"] == "Check" and "default" in f:
			assert f["default"] in ("0", "1")

	if not doc.get("istable"):  # child tables take their parent's permissions
		assert doc["permissions"], "no permissions"
	for perm in doc["permissions"]:
		assert perm.get("role")


@pytest.mark.parametrize("path", DOCTYPES, ids=lambda p: p.parent.name)
def test_controller_class_matches_doctype(path):
	doc = load_json(path)
	controller = path.with_suffix(".py")
	assert controller.exists()
	classes = [n.name for n in ast.parse(controller.read_text()).body if isinstance(n, ast.ClassDef)]
	assert doc["name"].replace(" ", "") in classes
