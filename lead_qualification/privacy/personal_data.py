"""A lead's personal data: erasure (anonymise or delete) and export.

The same redaction serves three ways in: Frappe's *Personal Data Deletion Request* (hooked
in integrations/frappe/privacy.py), a Sales Manager's *Erase Personal Data* on the Lead (for
a person who is not a User, whom Frappe's request cannot finish for) and the retention job.
Each erased lead is recorded on a *Personal Data Erasure Log* (without the address: its
SHA-256 fingerprint only).
"""

from __future__ import annotations

import hashlib
import json

import frappe
from frappe import _
from frappe.utils import now_datetime

from lead_qualification.email_address import normalise_email

LOG = "Personal Data Erasure Log"
REDACTED = "[REDACTED]"
REDACTED_NAME = "REDACTED"

# ERPNext Lead fields that describe the person (those the site's Lead has are used)
LEAD_PERSON_FIELDS = (
	"salutation",
	"first_name",
	"middle_name",
	"last_name",
	"lead_name",
	"title",
	"job_title",
	"gender",
	"mobile_no",
	"whatsapp_no",
	"phone",
	"phone_ext",
	"fax",
	"website",
	"city",
	"state",
	"image",
)
# the app's Lead fields that may hold the person's words or names
LEAD_APP_FIELDS = (
	"bant_need",
	"bant_urgency",
	"bant_alternatives",
	"bant_competitors",
	"bant_decision_maker",
	"bant_decision_maker_role",
	"lqp_consent_source",
	"lqp_consent_wording",
)
# the app's own records of a lead: (DocType, values that erase what they hold of the person)
APP_RECORDS = (
	("Lead Activity", {"details": None, "source": REDACTED}),
	("Lead Score Entry", {}),  # only the rows of activities: see _anonymise_app_records
	("Nurture Touch", {"note": None}),
	("Lead Status Log", {}),
	("Nurture Enrollment", {"lead_name": REDACTED_NAME}),
)
TEXT_TYPES = (
	"Data",
	"Small Text",
	"Text",
	"Long Text",
	"Text Editor",
	"Code",
	"HTML Editor",
	"Markdown Editor",
)


def fingerprint(email: str | None) -> str:
	address = normalise_email(email)
	return hashlib.sha256(address.encode()).hexdigest() if address else ""


def leads_of_person(lead: str) -> list[str]:
	"""The lead and every other lead with its e-mail address (the same person)."""
	email = frappe.db.get_value("Lead", lead, "email_id")
	leads = [lead]
	if email:
		leads += [n for n in frappe.get_all("Lead", filters={"email_id": email}, pluck="name") if n != lead]
	return leads


def identifiers(lead: str) -> list[str]:
	"""What names the person in free text: the address and the names (longest first, so
	that "Jean Dupont" goes before "Jean")."""
	row = frappe.db.get_value(
		"Lead", lead, ["email_id", "lead_name", "first_name", "last_name", "mobile_no", "phone"], as_dict=True
	)
	if not row:
		return []
	found = {(v or "").strip() for v in row.values()}
	return sorted((v for v in found if len(v) >= 3), key=len, reverse=True)


def anonymous_address(lead: str) -> str:
	return f"erased-{frappe.generate_hash(length=12)}@anonymised.invalid"


def erase_leads(
	leads: list[str],
	*,
	trigger: str,
	reference: str = "",
	delete: bool = False,
	anon_email: str | None = None,
	extra_identifiers: list[str] | None = None,
) -> list[str]:
	"""Erase each lead's personal data: the Lead's own and the app's records of it. With
	`delete`, the lead and its app records are deleted (anonymised instead when ERPNext
	documents still link to it). Returns the names of the logs written."""
	logs = []
	for lead in leads:
		if not frappe.db.exists("Lead", lead):
			continue
		email = frappe.db.get_value("Lead", lead, "email_id")
		words = sorted(set(identifiers(lead)) | set(extra_identifiers or []), key=len, reverse=True)
		counts = {}
		action = "Anonymised"
		if delete and _delete_lead(lead):
			action = "Deleted"
		else:
			counts = _anonymise_app_records(lead, words)
			_anonymise_lead(lead, words, anon_email or anonymous_address(lead))
		logs.append(_log(lead, email, trigger, reference, action, counts))
	return logs


def _anonymise_lead(lead: str, words: list[str], anon_email: str) -> None:
	meta = frappe.get_meta("Lead")
	values = {}
	for fieldname in LEAD_PERSON_FIELDS + LEAD_APP_FIELDS:
		df = meta.get_field(fieldname)
		if not df:
			continue
		if df.fieldtype in ("Select", "Link", "Attach Image", "Attach"):
			values[fieldname] = None
		elif fieldname in ("first_name", "lead_name", "title"):
			values[fieldname] = REDACTED_NAME
		else:
			values[fieldname] = None
	values.update(
		{
			"email_id": anon_email,
			"unsubscribed": 1,
			"status": "Do Not Contact",
			"lqp_consent_given": 0,
			"lqp_lawful_basis": "None",
			"lqp_anonymised_on": now_datetime(),
			"_comments": None,
		}
	)
	frappe.db.set_value("Lead", lead, values, update_modified=False)
	delete_contacts_and_addresses(lead)
	# the Lead's history and comments hold its old values
	frappe.db.delete("Version", {"ref_doctype": "Lead", "docname": lead})
	_replace_in("Comment", ("content",), {"reference_doctype": "Lead", "reference_name": lead}, words)
	from lead_qualification.lead_nurture import cadence, enrollment

	enrollment.stop_for_lead(lead, cadence.STOPPED_BY_USER)


def delete_contacts_and_addresses(lead: str) -> None:
	"""ERPNext makes a Contact for each new lead (CRM Settings): the lead's own contacts and
	addresses are deleted, as frappe.contacts' delete_contact_and_address does when a lead is
	deleted (those also linked to something else only lose the link), whoever erases."""
	for parenttype in ("Contact", "Address"):
		links = {"parenttype": parenttype, "link_doctype": "Lead", "link_name": lead}
		for name in frappe.get_all("Dynamic Link", filters=links, pluck="parent"):
			doc = frappe.get_doc(parenttype, name)
			if len(doc.links) == 1:
				frappe.delete_doc(parenttype, name, ignore_permissions=True, force=True)
			else:
				doc.set(
					"links", [row for row in doc.links if row.link_name != lead or row.link_doctype != "Lead"]
				)
				doc.save(ignore_permissions=True)


def _anonymise_app_records(lead: str, words: list[str]) -> dict:
	counts = {}
	for doctype, values in APP_RECORDS:
		n = frappe.db.count(doctype, {"lead": lead})
		if not n:
			continue
		counts[doctype] = n
		if values:
			frappe.db.set_value(doctype, {"lead": lead}, values, update_modified=False)
		if doctype == "Lead Score Entry":
			# a row counting an activity carries that activity's source (a URL, an e-mail's
			# subject); a row of a field rule names the rule's field and stays readable
			frappe.db.set_value(
				doctype,
				{"lead": lead, "occurred_on": (">", "1900-01-01")},
				"source",
				REDACTED,
				update_modified=False,
			)
		fields = [df.fieldname for df in frappe.get_meta(doctype).fields if df.fieldtype in TEXT_TYPES]
		_replace_in(doctype, fields, {"lead": lead}, words)
	return counts


def _replace_in(doctype: str, fields, filters: dict, words: list[str]) -> None:
	"""Replace each of `words` by [REDACTED] in the text `fields` of the rows matching `filters`."""
	if not words or not fields:
		return
	names = frappe.get_all(doctype, filters=filters, pluck="name")
	if not names:
		return
	values = {"names": tuple(names)}
	assignments = []
	for fieldname in fields:
		expression = f"`{fieldname}`"
		for i, word in enumerate(words):
			values[f"w{i}"] = word
			expression = f"replace({expression}, %(w{i})s, '{REDACTED}')"
		assignments.append(f"`{fieldname}` = {expression}")
	frappe.db.sql(
		f"update `tab{doctype}` set {', '.join(assignments)} where name in %(names)s",
		values,
	)


def _delete_lead(lead: str) -> bool:
	"""Delete the lead (its on_trash deletes the app's records); False when ERPNext documents
	still link to it."""
	savepoint = "lq_erase_delete"
	frappe.db.savepoint(savepoint)
	try:
		frappe.delete_doc("Lead", lead, force=False, ignore_permissions=True, delete_permanently=True)
	except (frappe.LinkExistsError, frappe.ValidationError):
		frappe.db.rollback(save_point=savepoint)
		frappe.clear_messages()
		return False
	frappe.db.delete("Version", {"ref_doctype": "Lead", "docname": lead})
	return True


def _log(lead: str, email: str | None, trigger: str, reference: str, action: str, counts: dict) -> str:
	log = frappe.get_doc(
		{
			"doctype": LOG,
			"erased_on": now_datetime(),
			"trigger": trigger,
			"action": action,
			"lead": lead,
			"performed_by": frappe.session.user,
			"reference": reference,
			"email_hash": fingerprint(email),
			"records": ", ".join(f"{_(dt)}: {n}" for dt, n in counts.items()),
		}
	)
	log.insert(ignore_permissions=True)
	return log.name


# --- export ---------------------------------------------------------------------------------


def export(leads: list[str]) -> dict:
	"""Everything the app keeps about these leads, as plain data (for an access request)."""
	data = {"Lead": frappe.get_all("Lead", filters={"name": ("in", leads)}, fields=["*"])}
	for doctype, _values in APP_RECORDS:
		rows = frappe.get_all(doctype, filters={"lead": ("in", leads)}, fields=["*"], order_by="creation")
		if rows:
			data[doctype] = rows
	return data


def export_json(leads: list[str]) -> str:
	return json.dumps(export(leads), indent=2, default=str, ensure_ascii=False)
