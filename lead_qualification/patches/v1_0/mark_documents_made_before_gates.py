"""Sites that had the gates before the boundary was kept on the documents: mark the gated
documents made before Gates Active Since (the only record of that moment these sites have),
and give the override role its field-level permission."""

import frappe

from lead_qualification.setup.install import (
	make_custom_fields,
	mark_documents_made_before_gates,
	sync_override_permissions,
)


def execute():
	make_custom_fields()  # the lq_before_gates column and the override fields' level
	since = frappe.db.get_single_value("Lead Qualification Settings", "gates_active_since")
	if since:
		mark_documents_made_before_gates(created_before=since)
	sync_override_permissions()
