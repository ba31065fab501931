"""Custom fields and property setters this app adds to ERPNext's Lead, as plain data.

They are created in code on install and on every migrate (idempotent, updated in
place) and removed on uninstall: see ``lead_qualification.setup.install``. Every field
name starts with ``bant_`` (qualification) or ``lq_`` (scoring) so that the app's fields
are told apart from anyone else's.
No frappe import here, so the site-free tests can check the definitions.
"""

from __future__ import annotations

from lead_qualification.lead_qualification.bant import (
	AUTHORITY_STATUSES,
	BUDGET_STATUSES,
	HORIZONS,
	UNKNOWN,
)
from lead_qualification.lead_scoring.engine import BANDS

MODULE = "Lead Qualification"
SCORING_MODULE = "Lead Scoring"
FIELD_PREFIX = "bant_"
SCORE_PREFIX = "lq_"

SELECTION_CRITERION_LABELS: dict[str, str] = {
	"price": "Price",
	"quality": "Quality",
	"lead_time": "Lead Time",
	"references": "References",
	"proximity": "Proximity",
}


def _lead_fields() -> list[dict]:
	# ERPNext's Lead has a "Qualification" section (in its Details tab) holding
	# qualification_status, qualified_by and qualified_on; the BANT sections follow it.
	fields: list[dict] = [
		{
			"fieldname": "bant_summary_section",
			"fieldtype": "Section Break",
			"label": "BANT",
		},
		{
			"fieldname": "bant_completeness",
			"fieldtype": "Int",
			"label": "BANT Completeness",
			"description": "Criteria met, out of 4",
			"read_only": 1,
			"no_copy": 1,
			"in_list_view": 1,
			"in_standard_filter": 1,
			"search_index": 1,
			"default": "0",
		},
		{
			"fieldname": "bant_budget_met",
			"fieldtype": "Check",
			"label": "Budget Met",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "bant_authority_met",
			"fieldtype": "Check",
			"label": "Authority Met",
			"read_only": 1,
			"no_copy": 1,
		},
		{"fieldname": "bant_summary_column", "fieldtype": "Column Break"},
		{
			"fieldname": "bant_need_met",
			"fieldtype": "Check",
			"label": "Need Met",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "bant_timing_met",
			"fieldtype": "Check",
			"label": "Timing Met",
			"read_only": 1,
			"no_copy": 1,
		},
		# Need
		{"fieldname": "bant_need_section", "fieldtype": "Section Break", "label": "Need"},
		{
			"fieldname": "bant_need",
			"fieldtype": "Small Text",
			"label": "Project",
			"description": "What the lead wants done",
		},
		{
			"fieldname": "bant_urgency",
			"fieldtype": "Small Text",
			"label": "Why Now",
			"description": "What makes the project urgent",
		},
		{
			"fieldname": "bant_alternatives",
			"fieldtype": "Small Text",
			"label": "Solutions Considered",
		},
		{"fieldname": "bant_need_column", "fieldtype": "Column Break"},
		{
			"fieldname": "bant_competitors",
			"fieldtype": "Small Text",
			"label": "Other Suppliers Contacted",
		},
		{
			"fieldname": "bant_criteria_heading",
			"fieldtype": "Heading",
			"label": "Selection Criteria",
		},
	]
	fields += [
		{"fieldname": f"bant_criterion_{key}", "fieldtype": "Check", "label": label}
		for key, label in SELECTION_CRITERION_LABELS.items()
	]
	fields += [
		# Budget
		{"fieldname": "bant_budget_section", "fieldtype": "Section Break", "label": "Budget"},
		{
			"fieldname": "bant_budget_amount",
			"fieldtype": "Currency",
			"label": "Budget Amount",
			"options": "bant_budget_currency",
			"non_negative": 1,
		},
		{
			"fieldname": "bant_budget_currency",
			"fieldtype": "Link",
			"label": "Budget Currency",
			"options": "Currency",
		},
		{"fieldname": "bant_budget_column", "fieldtype": "Column Break"},
		{
			"fieldname": "bant_budget_status",
			"fieldtype": "Select",
			"label": "Budget Status",
			"options": "\n".join(BUDGET_STATUSES),
			"default": UNKNOWN,
			"in_standard_filter": 1,
		},
		# Authority
		{"fieldname": "bant_authority_section", "fieldtype": "Section Break", "label": "Authority"},
		{
			"fieldname": "bant_authority",
			"fieldtype": "Select",
			"label": "Decision Maker",
			"options": "\n".join(AUTHORITY_STATUSES),
			"default": UNKNOWN,
		},
		{"fieldname": "bant_authority_column", "fieldtype": "Column Break"},
		{"fieldname": "bant_decision_maker", "fieldtype": "Data", "label": "Decision Maker Name"},
		{"fieldname": "bant_decision_maker_role", "fieldtype": "Data", "label": "Decision Maker Role"},
		# Timing
		{"fieldname": "bant_timing_section", "fieldtype": "Section Break", "label": "Timing"},
		{
			"fieldname": "bant_horizon",
			"fieldtype": "Select",
			"label": "Horizon",
			"options": "\n".join(HORIZONS),
			"default": UNKNOWN,
			"in_standard_filter": 1,
		},
		{"fieldname": "bant_timing_column", "fieldtype": "Column Break"},
		{"fieldname": "bant_expected_start", "fieldtype": "Date", "label": "Expected Start"},
	]

	return _chain(fields, "qualified_on", MODULE)


def _lead_score_fields(after: str) -> list[dict]:
	fields = [
		{"fieldname": "lq_score_section", "fieldtype": "Section Break", "label": "Score"},
		{
			"fieldname": "lq_score",
			"fieldtype": "Float",
			"label": "Score",
			"precision": "2",
			"read_only": 1,
			"no_copy": 1,
			"bold": 1,
			"in_list_view": 1,
			"in_standard_filter": 1,
			"search_index": 1,
		},
		{
			"fieldname": "lq_score_band",
			"fieldtype": "Select",
			"label": "Band",
			"options": "\n".join(("", *BANDS)),
			"read_only": 1,
			"no_copy": 1,
			"in_list_view": 1,
			"in_standard_filter": 1,
			"search_index": 1,
		},
		{"fieldname": "lq_score_column", "fieldtype": "Column Break"},
		{
			"fieldname": "lq_fit_score",
			"fieldtype": "Float",
			"label": "Fit Score",
			"precision": "2",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "lq_engagement_score",
			"fieldtype": "Float",
			"label": "Engagement Score",
			"precision": "2",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "lq_scored_on",
			"fieldtype": "Datetime",
			"label": "Scored On",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			# set when the lead's first activity is recorded: a save reads activities only then
			"fieldname": "lq_has_activity",
			"fieldtype": "Check",
			"label": "Has Activity",
			"read_only": 1,
			"hidden": 1,
			"no_copy": 1,
		},
		{"fieldname": "lq_score_breakdown_section", "fieldtype": "Section Break", "label": "Why This Score"},
		{"fieldname": "lq_score_breakdown", "fieldtype": "HTML", "label": "Why This Score"},
	]
	return _chain(fields, after, SCORING_MODULE)


def _chain(fields: list[dict], after: str, module: str) -> list[dict]:
	previous = after
	for df in fields:
		df["insert_after"] = previous
		df["module"] = module
		previous = df["fieldname"]
	return fields


# The override fields' permission level: the override role gets read and write on it. Not 1:
# ERPNext gives level 1 of Quotation and Customer to Sales User (ignore_pricing_rule...), so a
# level of their own keeps the override to the one role.
OVERRIDE_PERMLEVEL = 5


def _gate_override_fields(after: str, depends_on: str) -> list[dict]:
	"""On each gated document type: a permitted user may pass the gate with a reason."""
	fields = [
		{
			"fieldname": "lq_gate_override",
			"fieldtype": "Check",
			"label": "Override Qualification Gate",
			"depends_on": depends_on,
			"no_copy": 1,
			"print_hide": 1,
			# only the override role reads and sets it (Frappe's field-level permissions)
			"permlevel": OVERRIDE_PERMLEVEL,
		},
		{
			"fieldname": "lq_gate_override_reason",
			"fieldtype": "Small Text",
			"label": "Override Reason",
			"depends_on": "lq_gate_override",
			"mandatory_depends_on": "lq_gate_override",
			"no_copy": 1,
			"print_hide": 1,
			"permlevel": OVERRIDE_PERMLEVEL,
		},
		{
			"fieldname": "lq_gate_overridden_by",
			"fieldtype": "Link",
			"label": "Gate Overridden By",
			"options": "User",
			"depends_on": "lq_gate_override",
			"read_only": 1,
			"no_copy": 1,
			"print_hide": 1,
		},
		{
			# set once, at install, on the documents that existed then; never copied,
			# never set through the document (gates.py keeps the stored value)
			"fieldname": "lq_before_gates",
			"fieldtype": "Check",
			"label": "Made Before the Qualification Gates",
			"hidden": 1,
			"read_only": 1,
			"no_copy": 1,
			"print_hide": 1,
			"report_hide": 1,
		},
	]
	return _chain(fields, after, MODULE)


NURTURE_MODULE = "Lead Nurture"
NEXT_STEP_PREFIX = "lq_next_step"


def _next_step_fields(after: str, on_submitted: bool) -> list[dict]:
	"""The owner's next step on a lead or a quotation: logging one stops the follow-ups (the
	prospect cadence, the quotation's reminders); when it was logged is kept."""
	allow = {"allow_on_submit": 1} if on_submitted else {}
	fields = [
		{
			"fieldname": "lq_next_step_section",
			"fieldtype": "Section Break",
			"label": "Follow-up",
			"collapsible": 0,
		},
		{
			"fieldname": "lq_next_step",
			"fieldtype": "Small Text",
			"label": "Agreed Next Step",
			"description": "What was agreed with the contact; logging it stops the automatic follow-ups",
			"no_copy": 1,
			"print_hide": 1,
			**allow,
		},
		{"fieldname": "lq_next_step_column", "fieldtype": "Column Break"},
		{
			"fieldname": "lq_next_step_date",
			"fieldtype": "Date",
			"label": "Next Step Date",
			"no_copy": 1,
			"print_hide": 1,
			**allow,
		},
		{
			"fieldname": "lq_next_step_logged_on",
			"fieldtype": "Datetime",
			"label": "Next Step Logged On",
			"read_only": 1,
			"no_copy": 1,
			"print_hide": 1,
			**allow,
		},
	]
	return _chain(fields, after, NURTURE_MODULE)


GATED_DOCTYPES = {
	# document type -> (field to place the override after, when to show it)
	"Quotation": ("party_name", "eval:doc.quotation_to=='Lead'"),
	"Opportunity": ("party_name", "eval:doc.opportunity_from=='Lead'"),
	"Customer": ("lead_name", "eval:doc.lead_name"),
}


def get_custom_fields() -> dict[str, list[dict]]:
	lead = _lead_fields()
	score = _lead_score_fields(after=lead[-1]["fieldname"])
	fields = {"Lead": lead + score + _next_step_fields(score[-1]["fieldname"], on_submitted=False)}
	for doctype, (after, depends_on) in GATED_DOCTYPES.items():
		fields[doctype] = _gate_override_fields(after, depends_on)
	# after the Details section's last field, so that the section takes none of ERPNext's
	fields["Quotation"] += _next_step_fields("amended_from", on_submitted=True)
	return fields


def get_property_setters() -> list[dict]:
	"""The Lead list opens sorted by score, highest first."""
	return [
		{
			"doctype": "Lead",
			"doctype_or_field": "DocType",
			"property": "sort_field",
			"value": "lq_score",
			"property_type": "Data",
			"module": SCORING_MODULE,
		},
		{
			"doctype": "Lead",
			"doctype_or_field": "DocType",
			"property": "sort_order",
			"value": "DESC",
			"property_type": "Data",
			"module": SCORING_MODULE,
		},
	]


def iter_fieldnames() -> list[tuple[str, str]]:
	return [(dt, df["fieldname"]) for dt, fields in get_custom_fields().items() for df in fields]


LIST_VIEW_COLUMNS = ["status_field", "lq_score_band", "lq_score", "bant_completeness", "company_name"]


def get_list_view_settings() -> dict:
	"""Columns of the Lead list (Frappe's List View Settings), installed only where a
	manager has not set their own."""
	return {
		"doctype": "List View Settings",
		"name": "Lead",
		"total_fields": "6",
		"fields": [{"fieldname": f} for f in LIST_VIEW_COLUMNS],
	}
