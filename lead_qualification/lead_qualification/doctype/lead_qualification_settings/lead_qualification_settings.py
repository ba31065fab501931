# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from lead_qualification.lead_qualification.qualification import CRITERION_SETTING


class LeadQualificationSettings(Document):
	def validate(self):
		self.validate_required_criteria()

	def validate_required_criteria(self):
		if not any(self.get(fieldname) for fieldname in CRITERION_SETTING.values()):
			frappe.throw(
				_("Require at least one BANT criterion, or every lead would be promoted as soon as it is saved."),
				title=_("Required Criteria"),
			)
