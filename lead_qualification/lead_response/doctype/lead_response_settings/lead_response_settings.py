# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

from datetime import date, datetime, timedelta

import frappe
from frappe import _
from frappe.model.document import Document

WEEKDAY_FIELDS = (
	"work_on_monday",
	"work_on_tuesday",
	"work_on_wednesday",
	"work_on_thursday",
	"work_on_friday",
	"work_on_saturday",
	"work_on_sunday",
)


class ResponseSettingsError(frappe.ValidationError):
	pass


class LeadResponseSettings(Document):
	def validate(self):
		self.validate_working_hours()
		self.validate_targets()

	def validate_working_hours(self):
		from frappe.utils import get_time

		if not any(self.get(f) for f in WEEKDAY_FIELDS):
			frappe.throw(
				_("Tick at least one working day."), title=_("Working Hours"), exc=ResponseSettingsError
			)
		start, end = (datetime.combine(date.min, get_time(t)) for t in (self.work_start, self.work_end))
		if end - start < timedelta(hours=1):
			frappe.throw(
				_("The working day must end at least an hour after it starts."),
				title=_("Working Hours"),
				exc=ResponseSettingsError,
			)

	def validate_targets(self):
		for band in ("hot", "warm", "cold"):
			if (self.get(f"{band}_target") or 0) <= 0:
				frappe.throw(
					_("The response target for {0} leads must be more than 0.").format(_(band.capitalize())),
					title=_("Response Targets"),
					exc=ResponseSettingsError,
				)
