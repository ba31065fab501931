"""The Lead custom fields: owned by the app, consistent with what the rules read."""

from lead_qualification.lead_qualification import bant
from lead_qualification.lead_scoring import engine
from lead_qualification.setup.custom_fields import (
	FIELD_PREFIX,
	MODULE,
	NEXT_STEP_PREFIX,
	NURTURE_MODULE,
	PRIVACY_PREFIX,
	RESPONSE_MODULE,
	RESPONSE_PREFIX,
	SCORE_PREFIX,
	SCORING_MODULE,
	get_custom_fields,
	get_property_setters,
)
from tests._source import modules

# Lead fields of ERPNext v15 that the app's fields may be placed after.
ERPNEXT_LEAD_ANCHORS = {"qualified_on"}


def lead_fields():
	return get_custom_fields()["Lead"]


def test_every_field_belongs_to_the_app():
	assert {MODULE, SCORING_MODULE, NURTURE_MODULE, RESPONSE_MODULE} <= set(modules())
	for df in lead_fields():
		# the longer prefixes first: the next step (follow-ups) and lqp_ share lq_ with the score
		expected = {
			NEXT_STEP_PREFIX: NURTURE_MODULE,
			FIELD_PREFIX: MODULE,
			PRIVACY_PREFIX: MODULE,
			SCORE_PREFIX: SCORING_MODULE,
			RESPONSE_PREFIX: RESPONSE_MODULE,
		}
		prefix = next(p for p in expected if df["fieldname"].startswith(p))
		assert df["module"] == expected[prefix], df["fieldname"]


def test_score_fields_are_listed_sortable_and_filterable():
	by_name = {df["fieldname"]: df for df in lead_fields()}
	for fieldname in ("lq_score", "lq_score_band"):
		df = by_name[fieldname]
		assert df["in_list_view"] and df["in_standard_filter"] and df["search_index"] and df["read_only"]
	assert by_name["lq_score_band"]["options"].split("\n") == ["", *engine.BANDS]


def test_lead_list_opens_sorted_by_score():
	setters = {ps["property"]: ps for ps in get_property_setters()}
	assert setters["sort_field"]["value"] == "lq_score"
	assert setters["sort_order"]["value"] == "DESC"
	assert all(ps["module"] in modules() for ps in setters.values())


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
		if df["fieldtype"] == "Select" and "default" in df:
			assert df["default"] in df["options"].split("\n")


def test_completeness_is_listed_and_filterable():
	df = next(df for df in lead_fields() if df["fieldname"] == "bant_completeness")
	assert df["in_list_view"] and df["in_standard_filter"] and df["read_only"]


def test_computed_fields_are_read_only():
	for df in lead_fields():
		if df["fieldname"].endswith("_met") or df["fieldname"] == "bant_completeness":
			assert df.get("read_only") == 1, df["fieldname"]


def test_response_fields_are_read_only_and_overdue_is_filterable():
	by_name = {df["fieldname"]: df for df in lead_fields()}
	for fieldname in ("lr_respond_by", "lr_first_responded_on", "lr_first_response", "lr_response_overdue"):
		assert by_name[fieldname]["read_only"] and by_name[fieldname]["no_copy"], fieldname
	assert by_name["lr_response_overdue"]["in_standard_filter"]
	assert by_name["lr_response_reminder_sent"]["hidden"]
	assert by_name["lr_first_response"]["options"].split("\n") == ["", "E-mail", "Call", "Meeting", "Note"]
