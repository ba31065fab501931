"""The Lead custom fields: owned by the app, consistent with what the rules read."""

from lead_qualification.lead_qualification import bant
from lead_qualification.setup.custom_fields import FIELD_PREFIX, MODULE, get_custom_fields
from tests._source import modules

# Lead fields of ERPNext v15 that the app's fields may be placed after.
ERPNEXT_LEAD_ANCHORS = {"qualified_on"}


def lead_fields():
	return get_custom_fields()["Lead"]


def test_every_field_belongs_to_the_app():
	assert MODULE in modules()
	for df in lead_fields():
		assert df["fieldname"].startswith(FIELD_PREFIX)
		assert df["module"] == MODULE


def test_fieldnames_are_unique():
	names = [df["fieldname"] for df in lead_fields()]
	assert len(names) == len(set(names))


def test_insert_after_chain_is_unbroken():
	seen = set(ERPNEXT_LEAD_ANCHORS)
	for df in lead_fields():
		assert df["insert_after"] in seen, df["fieldname"]
		seen.add(df["fieldname"])


def test_rules_read_only_fields_that_exist():
	names = {df["fieldname"] for df in lead_fields()}
	assert set(bant.INPUT_FIELDS) <= names
	for criterion in bant.CRITERIA:
		assert f"bant_{criterion}_met" in names
	assert "bant_completeness" in names


def test_select_options_match_the_rules():
	by_name = {df["fieldname"]: df for df in lead_fields()}
	assert by_name["bant_budget_status"]["options"].split("\n") == list(bant.BUDGET_STATUSES)
	assert by_name["bant_authority"]["options"].split("\n") == list(bant.AUTHORITY_STATUSES)
	assert by_name["bant_horizon"]["options"].split("\n") == list(bant.HORIZONS)
	for df in lead_fields():
		if df["fieldtype"] == "Select":
			assert df["default"] in df["options"].split("\n")


def test_completeness_is_listed_and_filterable():
	df = next(df for df in lead_fields() if df["fieldname"] == "bant_completeness")
	assert df["in_list_view"] and df["in_standard_filter"] and df["read_only"]


def test_computed_fields_are_read_only():
	for df in lead_fields():
		if df["fieldname"].endswith("_met") or df["fieldname"] == "bant_completeness":
			assert df.get("read_only") == 1, df["fieldname"]
