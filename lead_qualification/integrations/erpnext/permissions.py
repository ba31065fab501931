"""Who may see and set a gate override: Frappe's field-level permissions.

The override fields (Override Qualification Gate, Override Reason) sit at permission level 1
on each gated document type; the role named in Lead Qualification Settings gets read and
write at that level, the way a manager would grant it in the Role Permissions Manager.
Everyone else neither sees the fields nor can set them (Frappe drops what they send); the
gate's own role check stays as the last word.
"""

import frappe
from frappe.permissions import add_permission, update_permission_property

from lead_qualification.setup.custom_fields import GATED_DOCTYPES, OVERRIDE_PERMLEVEL, get_custom_fields

# the columns of a permission rule that say what it allows
RULE_COLUMNS = (
	"role",
	"permlevel",
	"if_owner",
	"select",
	"read",
	"write",
	"create",
	"delete",
	"submit",
	"cancel",
	"amend",
	"report",
	"export",
	"import",
	"share",
	"print",
	"email",
)


def _rule(doctype: str, role: str) -> str | None:
	return frappe.db.get_value(
		"Custom DocPerm",
		{"parent": doctype, "role": role, "permlevel": OVERRIDE_PERMLEVEL, "if_owner": 0},
	)


def grant(doctype: str, role: str) -> None:
	"""Read and write at the override's level for this role (idempotent)."""
	if not _rule(doctype, role):
		add_permission(doctype, role, permlevel=OVERRIDE_PERMLEVEL, ptype="read")
	for ptype in ("read", "write"):
		update_permission_property(doctype, role, OVERRIDE_PERMLEVEL, ptype, 1, validate=False)
	frappe.clear_cache(doctype=doctype)


def _level_used_by_others(doctype: str) -> bool:
	ours = {df["fieldname"] for df in get_custom_fields().get(doctype, [])}
	return any(
		(df.permlevel or 0) == OVERRIDE_PERMLEVEL and df.fieldname not in ours
		for df in frappe.get_meta(doctype).fields
	)


def revoke(doctype: str, role: str) -> None:
	"""Take the rule back, unless another field of the document type uses the same level
	(then the rule may serve it too, and stays)."""
	if not _rule(doctype, role) or _level_used_by_others(doctype):
		return
	frappe.db.delete(
		"Custom DocPerm",
		{"parent": doctype, "role": role, "permlevel": OVERRIDE_PERMLEVEL, "if_owner": 0},
	)
	_back_to_standard_if_unchanged(doctype)
	frappe.clear_cache(doctype=doctype)


def _rules(doctype: str, table: str) -> list[tuple]:
	rows = frappe.get_all(table, filters={"parent": doctype}, fields=list(RULE_COLUMNS))
	return sorted(tuple(row.get(c) or 0 for c in RULE_COLUMNS) for row in rows)


def _back_to_standard_if_unchanged(doctype: str) -> None:
	"""Granting copied the document type's standard rules into custom ones (Frappe does so
	for any change); when what is left equals the standard rules, drop the copies so the
	document type follows its app's rules again."""
	if _rules(doctype, "Custom DocPerm") == _rules(doctype, "DocPerm"):
		frappe.db.delete("Custom DocPerm", {"parent": doctype})


def override_role() -> str:
	return frappe.db.get_single_value("Lead Qualification Settings", "override_role") or "Sales Manager"


def sync(role: str | None = None, previous_role: str | None = None) -> None:
	"""Give the override role its level on every gated document type; take it back from the
	role that had it before."""
	role = role or override_role()
	for doctype in GATED_DOCTYPES:
		if not frappe.db.exists("DocType", doctype):
			continue
		grant(doctype, role)
		if previous_role and previous_role != role:
			revoke(doctype, previous_role)


def remove() -> None:
	"""At uninstall: take back what sync gave."""
	role = override_role()
	for doctype in GATED_DOCTYPES:
		if frappe.db.exists("DocType", doctype):
			revoke(doctype, role)
