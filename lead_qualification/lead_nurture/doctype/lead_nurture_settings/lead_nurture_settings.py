# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

DEFAULT_PARALLEL_JOBS = 2
MAX_PARALLEL_JOBS = 16


class LeadNurtureSettings(Document):
	def validate(self):
		for fieldname in ("hot_cadence_days", "warm_cadence_days", "cold_cadence_days"):
			if (self.get(fieldname) or 0) < 1:
				frappe.throw(
					_("{0} must be at least 1 day.").format(_(self.meta.get_label(fieldname))),
					title=_("Cadence by Band"),
				)
		if (self.max_touches_per_week or 0) < 0:
			frappe.throw(_("Most Touches per Lead in 7 Days cannot be negative."), title=_("Limits"))
		if (self.batch_size or 0) < 1:
			self.batch_size = 200
		if not self.parallel_jobs:
			self.parallel_jobs = DEFAULT_PARALLEL_JOBS
		if not 1 <= self.parallel_jobs <= MAX_PARALLEL_JOBS:
			frappe.throw(
				_("Parallel Jobs must be between 1 and {0}.").format(MAX_PARALLEL_JOBS), title=_("Processing")
			)
