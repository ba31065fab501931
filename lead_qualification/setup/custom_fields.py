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
from lead_qualification.lead_response.clock import RESPONSE_KINDS
from lead_qualification.lead_scoring.engine import BANDS
from lead_qualification.privacy import consent
from lead_qualification.privacy.quote_form_rules import BUDGET_RANGES, DECIDES

MODULE = "Lead Qualification"
SCORING_MODULE = "Lead Scoring"
RESPONSE_MODULE = "Lead Response"
FIELD_PREFIX = "bant_"
SCORE_PREFIX = "lq_"
PRIVACY_PREFIX = "lqp_"  # quote request and personal data (module Lead Qualification)
RESPONSE_PREFIX = "lr_"

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
			# the daily decay reads these leads in name order: the index holds (flag, name)
			"search_index": 1,
		},
		{
			# the keys of the lead's ledger rows: a re-score writes only the rows that changed
			"fieldname": "lq_ledger_keys",
			"fieldtype": "Small Text",
			"label": "Ledger Keys",
			"read_only": 1,
			"hidden": 1,
			"no_copy": 1,
			"print_hide": 1,
			"report_hide": 1,
		},
		{"fieldname": "lq_score_breakdown_section", "fieldtype": "Section Break", "label": "Why This Score"},
		{"fieldname": "lq_score_breakdown", "fieldtype": "HTML", "label": "Why This Score"},
	]
	return _chain(fields, after, SCORING_MODULE)


def _lead_response_fields(after: str) -> list[dict]:
	"""The first-response clock (lead_response/clock.py): set by the app, read-only."""
	fields = [
		{"fieldname": "lr_response_section", "fieldtype": "Section Break", "label": "First Response"},
		{
			"fieldname": "lr_respond_by",
			"fieldtype": "Datetime",
			"label": "Respond By",
			"description": "The band's response target, in working hours, from the lead's arrival",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
		},
		{
			"fieldname": "lr_response_overdue",
			"fieldtype": "Check",
			"label": "Response Overdue",
			"description": "Respond By has passed and nobody has answered the lead yet",
			"read_only": 1,
			"no_copy": 1,
			"in_standard_filter": 1,
			"search_index": 1,
		},
		{"fieldname": "lr_response_column", "fieldtype": "Column Break"},
		{
			"fieldname": "lr_first_responded_on",
			"fieldtype": "Datetime",
			"label": "First Responded On",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "lr_first_response",
			"fieldtype": "Select",
			"label": "First Response",
			"options": "\n".join(("", *RESPONSE_KINDS)),
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "lr_response_reminder_sent",
			"fieldtype": "Check",
			"label": "Response Reminder Sent",
			"hidden": 1,
			"read_only": 1,
			"no_copy": 1,
		},
	]
	return _chain(fields, after, RESPONSE_MODULE)


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


def _lead_privacy_fields(after: str) -> list[dict]:
	"""The quote-request form's answers that are not BANT fields, and the lawful basis for
	marketing e-mails (GDPR / RGPD)."""
	fields = [
		{
			"fieldname": "lqp_request_section",
			"fieldtype": "Section Break",
			"label": "Quote Request",
			"collapsible": 1,
		},
		{
			"fieldname": "lqp_budget_range",
			"fieldtype": "Select",
			"label": "Budget Range",
			"options": "\n".join(("", *BUDGET_RANGES)),
		},
		{"fieldname": "lqp_request_column", "fieldtype": "Column Break"},
		{
			"fieldname": "lqp_decides",
			"fieldtype": "Select",
			"label": "Who Decides",
			"options": "\n".join(("", *DECIDES)),
		},
		{
			"fieldname": "lqp_privacy_section",
			"fieldtype": "Section Break",
			"label": "Marketing E-mails and Personal Data",
			"collapsible": 1,
		},
		{
			"fieldname": "lqp_contact_kind",
			"fieldtype": "Select",
			"label": "Contact Kind",
			"options": "\n".join(("", *consent.CONTACT_KINDS)),
			"description": "Individual (B2C) or professional (B2B). Empty: professional when the lead "
			"has an organisation name.",
		},
		{
			"fieldname": "lqp_lawful_basis",
			"fieldtype": "Select",
			"label": "Lawful Basis for Marketing E-mails",
			"options": "\n".join(("", *consent.BASES)),
			"in_standard_filter": 1,
			"description": "Nurture e-mails go only where the basis allows: consent, or legitimate "
			"interest for a professional.",
		},
		{
			"fieldname": "lqp_consent_given",
			"fieldtype": "Check",
			"label": "Consents to Marketing E-mails",
			"no_copy": 1,
		},
		{"fieldname": "lqp_privacy_column", "fieldtype": "Column Break"},
		{
			"fieldname": "lqp_consent_on",
			"fieldtype": "Datetime",
			"label": "Consent Given On",
			"read_only": 1,
			"no_copy": 1,
		},
		{"fieldname": "lqp_consent_source", "fieldtype": "Data", "label": "Consent Source", "no_copy": 1},
		{
			"fieldname": "lqp_consent_wording",
			"fieldtype": "Small Text",
			"label": "Consent Wording",
			"no_copy": 1,
		},
		{
			"fieldname": "lqp_consent_withdrawn_on",
			"fieldtype": "Datetime",
			"label": "Consent Withdrawn On",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "lqp_anonymised_on",
			"fieldtype": "Datetime",
			"label": "Personal Data Erased On",
			"read_only": 1,
			"no_copy": 1,
			"depends_on": "lqp_anonymised_on",
		},
	]
	return _chain(fields, after, MODULE)


def get_custom_fields() -> dict[str, list[dict]]:
	lead = _lead_fields()
	score = _lead_score_fields(after=lead[-1]["fieldname"])
	privacy = _lead_privacy_fields(after=score[-1]["fieldname"])
	response = _lead_response_fields(after=privacy[-1]["fieldname"])
	next_step = _next_step_fields(response[-1]["fieldname"], on_submitted=False)
	fields = {"Lead": lead + score + privacy + response + next_step}
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
