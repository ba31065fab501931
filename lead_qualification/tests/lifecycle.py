"""Install / uninstall / reinstall / migrate checks, driven by bin/run-tests.

Each function is called with `bench --site SITE execute lead_qualification.tests.lifecycle.<fn>`
and returns plain data that the script compares between stages. It reads the database
directly so that it also works while the app is uninstalled.
"""

import frappe

SEED_TAG = "lq-lifecycle"
SEED_NEED = "Lifecycle check: keep this BANT value"
APP = "lead_qualification"


def seed():
	"""Make sure a few leads with BANT values exist (committed), then report the state."""
	existing = frappe.db.count("Lead", {"email_id": ("like", f"{SEED_TAG}-%")})
	for i in range(existing, 3):
		frappe.get_doc(
			{
				"doctype": "Lead",
				"first_name": f"Lifecycle {i}",
				"email_id": f"{SEED_TAG}-{i}@example.com",
				"bant_need": SEED_NEED,
				"bant_budget_status": "Estimated",
				"bant_budget_amount": 1000 + i,
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	return state()


def state():
	columns = set(frappe.db.get_table_columns("Lead"))
	return {
		"installed": APP in frappe.get_installed_apps(),
		"leads": frappe.db.count("Lead"),
		"app_custom_fields": frappe.db.count("Custom Field", {"dt": "Lead", "fieldname": ("like", "bant_%")}),
		"other_custom_fields": frappe.db.count("Custom Field", {"fieldname": ("not like", "bant_%")}),
		"settings_doctype": bool(frappe.db.exists("DocType", "Lead Qualification Settings")),
		"module": bool(frappe.db.exists("Module Def", "Lead Qualification")),
		"seeded_bant_kept": "bant_need" in columns and frappe.db.count("Lead", {"bant_need": SEED_NEED}) >= 3,
	}
