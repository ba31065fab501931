# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from lead_qualification.lead_qualification.qualification import CRITERION_SETTING


class LeadQualificationSettings(Document):
	def validate(self):
		self.validate_required_criteria()
		self.validate_gates()

	def on_update(self):
		self.sync_override_permissions()

	def sync_override_permissions(self):
		"""The override fields follow the override role (field-level permissions)."""
		before = self.get_doc_before_save()
		previous = before.override_role if before else None
		if before and previous == self.override_role:
			return
		from lead_qualification.integrations.erpnext import permissions

		permissions.sync(role=self.override_role or "Sales Manager", previous_role=previous)

	def validate_required_criteria(self):
		if not any(self.get(fieldname) for fieldname in CRITERION_SETTING.values()):
			frappe.throw(
				_(
					"Require at least one BANT criterion, or every lead would be promoted as soon as it is saved."
				),
				title=_("Required Criteria"),
			)

	def validate_gates(self):
		seen = set()
		for row in self.get("gates") or []:
			if row.document_type in seen:
				frappe.throw(
					_("Row {0}: there is already a gate for {1}.").format(
						row.idx, frappe.bold(_(row.document_type))
					),
					title=_("Document Gates"),
				)
			seen.add(row.document_type)
			if (row.min_score or 0) < 0:
				frappe.throw(
					_("Row {0}: Minimum Score cannot be negative.").format(row.idx), title=_("Document Gates")
				)
