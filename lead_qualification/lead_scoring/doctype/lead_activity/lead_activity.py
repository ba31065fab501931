# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class LeadActivity(Document):
	def after_insert(self):
		# the lead's engagement score follows its activities
		if not self.flags.skip_rescore:
			from lead_qualification.lead_scoring import scoring

			if scoring.is_enabled():
				scoring.rescore_leads([self.lead])

	def after_delete(self):
		from lead_qualification.lead_scoring import scoring

		if scoring.is_enabled() and frappe.db.exists("Lead", self.lead):
			scoring.rescore_leads([self.lead])
