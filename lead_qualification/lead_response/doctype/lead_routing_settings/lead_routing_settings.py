# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class LeadRoutingSettingsError(frappe.ValidationError):
	pass


class LeadRoutingSettings(Document):
	def validate(self):
		self.validate_fallback_role()
		self.drop_repeated_users()

	def on_update(self):
		from lead_qualification.lead_response import routing

		routing.sync_assignment_rules(self)

	def validate_fallback_role(self):
		if self.enable_alerts and not self.fallback_role:
			frappe.throw(
				_("Choose the role to alert when a lead has no owner, or turn alerts off."),
				exc=LeadRoutingSettingsError,
				title=_("Alerts"),
			)

	def drop_repeated_users(self):
		from lead_qualification.lead_response.rules import STAGES

		for stage in STAGES:
			seen, rows = set(), []
			for row in self.get(f"{stage.lower()}_users") or []:
				if row.user and row.user not in seen:
					seen.add(row.user)
					rows.append(row)
			self.set(f"{stage.lower()}_users", rows)
