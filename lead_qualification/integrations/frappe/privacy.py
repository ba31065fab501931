"""Frappe's Personal Data Deletion / Download Requests reach the app's records of a lead.

Frappe finds a person's rows through `user_data_fields` (hooks.py) by a field holding the
e-mail; the app's records hold the lead instead. So when Frappe's deletion request starts
redacting (it saves itself with its deletion steps first), the leads with that address are
erased with the app's own redaction, under the request's anonymous address; and a download
request gets the app's records of those leads as a second file.
"""

import frappe

LOG = "Personal Data Erasure Log"


def deletion_request_on_update(doc, method=None):
	if doc.status == "Deleted" or not doc.get("deletion_steps") or doc.flags.lq_erased:
		return
	if frappe.db.exists(LOG, {"reference": doc.name, "trigger": "Deletion Request"}):
		return
	from frappe.utils import get_fullname

	from lead_qualification.privacy import personal_data

	doc.flags.lq_erased = True
	leads = frappe.get_all("Lead", filters={"email_id": doc.email}, pluck="name")
	name = get_fullname(doc.email)
	personal_data.erase_leads(
		leads,
		trigger="Deletion Request",
		reference=doc.name,
		anon_email=doc.name,
		extra_identifiers=[name] if name and name != doc.email else None,
	)


def download_request_after_insert(doc, method=None):
	from lead_qualification.privacy import personal_data

	leads = frappe.get_all("Lead", filters={"email_id": doc.user}, pluck="name")
	if not leads:
		return
	frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"Lead-Data-{doc.name}.json",
			"attached_to_doctype": doc.doctype,
			"attached_to_name": doc.name,
			"content": personal_data.export_json(leads),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
