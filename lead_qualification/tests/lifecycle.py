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
	from lead_qualification.setup.custom_fields import GATED_DOCTYPES, OVERRIDE_PERMLEVEL, iter_fieldnames

	ours = set(iter_fieldnames())
	fields = {(f.dt, f.fieldname) for f in frappe.get_all("Custom Field", fields=["dt", "fieldname"])}
	columns = set(frappe.db.get_table_columns("Lead"))
	return {
		"installed": APP in frappe.get_installed_apps(),
		"leads": frappe.db.count("Lead"),
		"app_custom_fields": len(fields & ours),
		"other_custom_fields": len(fields - ours),
		"settings_doctype": bool(frappe.db.exists("DocType", "Lead Qualification Settings")),
		"module": bool(frappe.db.exists("Module Def", "Lead Qualification")),
		"workspace": bool(frappe.db.exists("Workspace", "Lead Qualification")),
		# the override role's field-level rules on the gated document types
		"override_level_rules": frappe.db.count(
			"Custom DocPerm", {"parent": ("in", list(GATED_DOCTYPES)), "permlevel": OVERRIDE_PERMLEVEL}
		),
		"seeded_bant_kept": "bant_need" in columns and frappe.db.count("Lead", {"bant_need": SEED_NEED}) >= 3,
	}
