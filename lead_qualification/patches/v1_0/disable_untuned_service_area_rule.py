"""The first default "In the service area" rule gave points to every lead (ERPNext fills
Territory with All Territories). Where it is still as installed, it is switched off until a
manager sets the territories."""

import frappe


def execute():
	for name in frappe.get_all(
		"Lead Scoring Rule",
		filters={
			"field_name": "territory",
			"operator": "is set",
			"points": 5,
			"enabled": 1,
			"category": "Demographic",
		},
		pluck="name",
	):
		frappe.db.set_value("Lead Scoring Rule", name, "enabled", 0)
	from lead_qualification.lead_scoring.scoring import clear_rules_cache

	clear_rules_cache()
