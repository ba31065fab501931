# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt


class LeadScoringSettings(Document):
	def validate(self):
		self.validate_bands()

	def validate_bands(self):
		if flt(self.warm_threshold) >= flt(self.hot_threshold):
			frappe.throw(_("Warm From must be lower than Hot From."), title=_("Bands"))
		if flt(self.promotion_min_score) < 0:
			frappe.throw(_("Minimum Score to Promote cannot be negative."), title=_("Promotion"))

	def on_update(self):
		reason = self.rescore_reason()
		if reason:
			from lead_qualification.lead_scoring import scoring

			scoring.enqueue_rescore_all(reason)

	def rescore_reason(self) -> str | None:
		"""Why every lead must be scored again after this save, if it must."""
		before = self.get_doc_before_save()
		if not before or not self.enabled:
			return None
		if not before.enabled:
			# scores are not kept up to date while scoring is off: bring them all up to date
			return _("Scoring switched on")
		if flt(before.hot_threshold) != flt(self.hot_threshold) or flt(before.warm_threshold) != flt(
			self.warm_threshold
		):
			return _("Band thresholds changed")
		return None
