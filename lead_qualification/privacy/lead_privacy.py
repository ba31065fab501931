"""The Lead's lawful basis for marketing e-mails, and the quote-request web form's checks and
answers; called from the Lead's validate (integrations/erpnext/lead.py)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import add_years, cint, getdate, now_datetime, nowdate

from lead_qualification.privacy import consent, quote_form_rules

SETTINGS = "Lead Privacy Settings"
WEB_FORM = "quote-request"
CONSENT_FIELD = "lqp_consent_given"
HONEYPOT_FIELD = "website"  # ERPNext's Lead field, hidden on the form: people leave it empty
LONG_FIELDS = ("bant_need", "bant_urgency")
LINE_FIELDS = ("first_name", "last_name", "company_name", "city", "mobile_no", "email_id")
FORM_WINDOW = 3600  # seconds


class QuoteRequestRefusedError(frappe.ValidationError):
	pass


class TooManyQuoteRequestsError(QuoteRequestRefusedError):
	http_status_code = 429


def get_settings():
	return frappe.get_cached_doc(SETTINGS)


# --- lawful basis ----------------------------------------------------------------------------


def kind_of(lead) -> str:
	return consent.contact_kind(lead.get("lqp_contact_kind"), lead.get("company_name"))


def basis_of(lead) -> consent.Basis:
	"""What the rules read, from a Lead document or row; a lead saved before the app recorded
	bases gets the default basis (legitimate interest for a professional, none otherwise)."""
	kind = kind_of(lead)
	given = cint(lead.get("lqp_consent_given"))
	basis = lead.get("lqp_lawful_basis") or consent.default_basis(kind, bool(given))
	return consent.Basis(
		basis=basis,
		contact_kind=kind,
		consent_given_on=str(lead.get("lqp_consent_on") or (given and "recorded") or ""),
		withdrawn=bool(lead.get("lqp_consent_withdrawn_on")),
		unsubscribed=bool(cint(lead.get("unsubscribed"))),
	)


def email_refusal(lead) -> str | None:
	"""Why a nurture e-mail may not go to this lead (English, to translate), or None."""
	if not cint(get_settings().nurture_emails_need_basis):
		return None
	return consent.email_refusal(basis_of(lead))


def record_basis(doc) -> None:
	"""Keep the lead's basis consistent: a ticked consent gets its moment and source, an
	unsubscribed lead's consent is withdrawn, an empty basis gets the default."""
	now = now_datetime()
	if cint(doc.get("unsubscribed")) and not doc.get("lqp_consent_withdrawn_on"):
		withdraw(doc, now)
	if doc.get("lqp_lawful_basis") == consent.CONSENT and not doc.get("lqp_consent_withdrawn_on"):
		doc.lqp_consent_given = 1
	if cint(doc.get("lqp_consent_given")) and not doc.get("lqp_consent_on"):
		doc.lqp_consent_on = now
		doc.lqp_lawful_basis = consent.CONSENT
		doc.lqp_consent_withdrawn_on = None
		if not doc.get("lqp_consent_source"):
			doc.lqp_consent_source = _("Recorded by {0}").format(frappe.session.user)
	if not doc.get("lqp_lawful_basis"):
		doc.lqp_lawful_basis = consent.default_basis(kind_of(doc), bool(cint(doc.get("lqp_consent_given"))))


def withdraw(doc, now=None) -> None:
	doc.lqp_consent_withdrawn_on = now or now_datetime()
	doc.lqp_consent_given = 0
	if doc.get("lqp_lawful_basis") == consent.CONSENT:
		doc.lqp_lawful_basis = consent.NO_BASIS


def withdraw_for_email(email: str | None, reference_lead: str | None = None) -> list[str]:
	"""An unsubscribe: withdraw the consent of the lead it names, or of every lead with the
	address (MariaDB compares without case)."""
	from lead_qualification.email_address import normalise_email

	if reference_lead:
		leads = [reference_lead]
	else:
		address = normalise_email(email)
		leads = frappe.get_all("Lead", filters={"email_id": address}, pluck="name") if address else []
	now = now_datetime()
	for lead in leads:
		values = frappe.db.get_value(
			"Lead", lead, ["lqp_lawful_basis", "lqp_consent_withdrawn_on"], as_dict=True
		)
		if not values or values.lqp_consent_withdrawn_on:
			continue
		update = {"lqp_consent_withdrawn_on": now, "lqp_consent_given": 0}
		if values.lqp_lawful_basis == consent.CONSENT:
			update["lqp_lawful_basis"] = consent.NO_BASIS
		frappe.db.set_value("Lead", lead, update, update_modified=False)
	return leads


# --- the quote-request web form ----------------------------------------------------------------


def is_quote_request(doc) -> bool:
	return bool(frappe.flags.in_web_form) and doc.is_new() and frappe.form_dict.get("web_form") == WEB_FORM


def on_quote_request(doc) -> None:
	"""A new lead from the quote-request form: refuse spam, then turn the answers into BANT
	and record the consent as the visitor saw it."""
	check_quote_request(doc)
	apply_answers(doc)


def refuse(message: str, exc=QuoteRequestRefusedError) -> None:
	frappe.throw(message, exc=exc, title=_("Quote request not sent"))


def check_quote_request(doc) -> None:
	if quote_form_rules.is_spam_trap_filled(doc.get(HONEYPOT_FIELD)):
		refuse(_("Your request could not be sent. Please call or e-mail us instead."))
	count_submission()
	if not (doc.get("email_id") or "").strip():
		refuse(_("Please give your e-mail address, so that we can answer you."))
	if not (doc.get("bant_need") or "").strip():
		refuse(_("Please describe your project."))
	too_long = quote_form_rules.too_long(doc.as_dict(), LONG_FIELDS, LINE_FIELDS)
	if too_long:
		meta = frappe.get_meta("Lead")
		refuse(
			_("Please shorten: {0}.").format(", ".join(_(meta.get_label(f)) for f in too_long)),
		)
	start = doc.get("bant_expected_start")
	if start and not (getdate(nowdate()) <= getdate(start) <= getdate(add_years(nowdate(), 5))):
		refuse(_("The desired start must be a date between today and five years from now."))


def count_submission() -> None:
	"""At most Quote Requests per Hour From One Address per network address (on top of
	Frappe's own limit on every web form), counted in the cache as Frappe's rate limiter does."""
	limit = cint(get_settings().form_submissions_per_hour)
	if not limit:
		return
	ip = getattr(frappe.local, "request_ip", None) or "unknown"
	key = frappe.cache.make_key(f"lq:quote-request:{ip}")
	if not frappe.cache.get(key):
		frappe.cache.setex(key, FORM_WINDOW, 0)
	if frappe.cache.incrby(key, 1) > limit:
		refuse(
			_("Too many requests from your connection. Please try again in an hour, or call us."),
			exc=TooManyQuoteRequestsError,
		)


def apply_answers(doc) -> None:
	for fieldname, value in quote_form_rules.bant_values(
		doc.get("lqp_budget_range"), doc.get("lqp_decides")
	).items():
		doc.set(fieldname, value)
	if doc.get("bant_budget_amount") and not doc.get("bant_budget_currency"):
		doc.bant_budget_currency = frappe.db.get_default("currency")
	if not doc.get("source") and frappe.db.exists("Lead Source", "Website"):
		doc.source = "Website"
	if cint(doc.get(CONSENT_FIELD)):
		doc.lqp_consent_source = _("Quote request form")
		label = frappe.db.get_value(
			"Web Form Field", {"parent": WEB_FORM, "fieldname": CONSENT_FIELD}, "label"
		)
		doc.lqp_consent_wording = _(label) if label else ""
	else:
		doc.lqp_consent_given = 0
