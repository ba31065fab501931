# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from lead_qualification.lead_scoring import scoring


class LeadScoringRule(Document):
	def validate(self):
		scoring.parse_rule_doc(self)

	def on_update(self):
		self.rules_changed()

	def on_trash(self):
		self.rules_changed()

	def rules_changed(self):
		scoring.clear_rules_cache()
		# and again once committed, so no request caches the rules as they were before
		frappe.db.after_commit.add(scoring.clear_rules_cache)
		frappe.db.after_rollback.add(scoring.clear_rules_cache)
		if not frappe.flags.in_install and not frappe.flags.lq_skip_rescore:
			scoring.enqueue_rescore_all(_("Scoring rule {0} changed").format(self.name))


@frappe.whitelist()
def get_lead_fields() -> list[dict]:
	"""Lead fields a rule can read, for the rule form's field picker."""
	frappe.has_permission("Lead Scoring Rule", "read", throw=True)
	from lead_qualification.lead_scoring.engine import field_kind

	meta = frappe.get_meta("Lead")
	return [
		{"value": df.fieldname, "label": f"{_(df.label)} ({df.fieldname})"}
		for df in meta.fields
		if df.label and field_kind(df.fieldtype)
	]
