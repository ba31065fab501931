"""Install, migrate and uninstall steps (wired in hooks.py)."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from lead_qualification.setup.custom_fields import get_custom_fields


SETTINGS_DOCTYPE = "Lead Qualification Settings"


def after_install():
	make_custom_fields()
	make_default_settings()


def after_migrate():
	# Idempotent: creates missing fields and updates changed ones in place.
	make_custom_fields()
	make_default_settings()


def before_uninstall():
	delete_custom_fields()


def make_custom_fields():
	create_custom_fields(get_custom_fields(), update=True)


def delete_custom_fields():
	"""Remove the app's Custom Fields (and their Property Setters) from the meta.

	Lead rows are untouched. As with any deleted Custom Field, Frappe keeps the
	database columns until `bench trim-tables` is run, so a reinstall finds the
	BANT values again.
	"""
	for doctype, fields in get_custom_fields().items():
		fieldnames = [df["fieldname"] for df in fields]
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", fieldnames)})
		frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": ("in", fieldnames)})
		frappe.clear_cache(doctype=doctype)


def make_default_settings():
	"""Store the settings' defaults once, so that the app is on from the start
	(an unsaved Single reads as all zeros through frappe.db.get_single_value)."""
	if frappe.db.exists("Singles", {"doctype": SETTINGS_DOCTYPE}):
		return
	settings = frappe.get_single(SETTINGS_DOCTYPE)
	settings.flags.ignore_permissions = True
	settings.save()
