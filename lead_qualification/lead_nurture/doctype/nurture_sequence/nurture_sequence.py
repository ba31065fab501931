# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class NurtureSequence(Document):
	def validate(self):
		self.validate_steps()

	def validate_steps(self):
		if not self.steps:
			frappe.throw(_("Add at least one step."), title=_("Steps"))
		for step in self.steps:
			if step.channel == "Email" and not step.email_template:
				frappe.throw(
					_("Row {0}: choose the Email Template to send.").format(step.idx), title=_("Steps")
				)
			if step.channel != "Email" and not (step.task or "").strip():
				frappe.throw(_("Row {0}: describe the task.").format(step.idx), title=_("Steps"))
			if (step.wait_days or 0) < 0:
				frappe.throw(_("Row {0}: Wait (Days) cannot be negative.").format(step.idx), title=_("Steps"))
