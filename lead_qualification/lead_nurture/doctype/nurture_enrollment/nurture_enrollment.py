# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from lead_qualification.lead_nurture.enrollment import OPEN_STATUSES


class NurtureEnrollment(Document):
	def validate(self):
		self.validate_one_open_enrollment()

	def validate_one_open_enrollment(self):
		if self.status not in OPEN_STATUSES:
			return
		other = frappe.db.get_value(
			"Nurture Enrollment",
			{
				"lead": self.lead,
				"sequence": self.sequence,
				"quotation": self.quotation or ("is", "not set"),
				"status": ("in", OPEN_STATUSES),
				"name": ("!=", self.name),
			},
		)
		if other:
			frappe.throw(
				_("{0} is already enrolled in {1}.").format(
					frappe.bold(self.lead), frappe.bold(self.sequence)
				),
				frappe.DuplicateEntryError,
			)
