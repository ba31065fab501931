"""Whitelisted personal-data actions on the Lead, for Sales Managers."""

from __future__ import annotations

import frappe
from frappe import _

from lead_qualification.privacy import personal_data

MANAGER_ROLES = ("Sales Manager", "System Manager")


def check_manager() -> None:
	"""An explicit role check (frappe.only_for lets everyone through while tests run)."""
	if set(MANAGER_ROLES).isdisjoint(frappe.get_roles()):
		frappe.throw(
			_("Only a Sales Manager may see or erase a person's data."),
			exc=frappe.PermissionError,
			title=_("Not permitted"),
		)


def _check(lead: str, ptype: str) -> None:
	check_manager()
	frappe.get_doc("Lead", lead).check_permission(ptype)


@frappe.whitelist(methods=["POST"])
def erase_personal_data(lead: str) -> dict:
	"""Erase the personal data of the person behind this lead (this lead and every lead with
	the same e-mail address): the redaction Frappe's deletion request runs, for a person who
	is not a User. Recorded on the Personal Data Erasure Log."""
	_check(lead, "write")
	leads = personal_data.leads_of_person(lead)
	logs = personal_data.erase_leads(leads, trigger="Erase Action")
	frappe.msgprint(_("Personal data erased from {0} lead(s).").format(len(logs)), alert=True)
	return {"leads": leads, "logs": logs}


@frappe.whitelist()
def download_personal_data(lead: str) -> str:
	"""What the app keeps about the person behind this lead, as JSON (an access request)."""
	_check(lead, "read")
	return personal_data.export_json(personal_data.leads_of_person(lead))
