"""Nurture stop rules driven by host events (the worker checks them again before each touch)."""

from lead_qualification.lead_nurture import cadence, enrollment, followup

# what a new Opportunity, Quotation or Customer, or the lead lost or set to Do Not Contact,
# stops: nurture and the prospect cadence (a quotation's follow-up has its own rules)
BEFORE_QUOTATION = (followup.LEAD, followup.PROSPECT)


def _on() -> bool:
	return enrollment.is_enabled()


def lead_after_insert(doc, method=None):
	if _on() and not doc.flags.ignore_lead_qualification:
		enrollment.auto_enroll(doc)


def lead_on_update(doc, method=None):
	"""Do Not Contact, lost, unsubscribed: stop. (Promotion and band changes reach nurture as
	lead changes: enrollment.on_qualification_changes, on_band_changes.)"""
	if not _on() or doc.flags.ignore_lead_qualification:
		return
	if doc.status == "Do Not Contact":
		enrollment.stop_for_lead(doc.name, cadence.DO_NOT_CONTACT, stages=followup.STAGES)
	elif doc.status == "Lost Quotation":
		enrollment.stop_for_lead(doc.name, cadence.LOST, stages=BEFORE_QUOTATION)
	elif doc.unsubscribed:
		enrollment.stop_for_lead(doc.name, cadence.UNSUBSCRIBED)


def opportunity_after_insert(doc, method=None):
	if _on() and doc.opportunity_from == "Lead" and doc.party_name:
		enrollment.stop_for_lead(doc.party_name, cadence.OPPORTUNITY, stages=BEFORE_QUOTATION)


def quotation_after_insert(doc, method=None):
	if _on() and doc.quotation_to == "Lead" and doc.party_name:
		enrollment.stop_for_lead(doc.party_name, cadence.QUOTATION, stages=BEFORE_QUOTATION)


def customer_after_insert(doc, method=None):
	if _on() and doc.get("lead_name"):
		enrollment.stop_for_lead(doc.lead_name, cadence.CUSTOMER, stages=BEFORE_QUOTATION)


def email_unsubscribe_after_insert(doc, method=None):
	from lead_qualification.privacy import lead_privacy

	# an unsubscribe withdraws consent, whether nurture is on or not
	if doc.reference_doctype == "Lead" and doc.reference_name and not doc.global_unsubscribe:
		lead_privacy.withdraw_for_email(doc.email, reference_lead=doc.reference_name)
	else:
		lead_privacy.withdraw_for_email(doc.email)
	if not _on():
		return
	if doc.reference_doctype == "Lead" and doc.reference_name and not doc.global_unsubscribe:
		enrollment.stop_for_lead(doc.reference_name, cadence.UNSUBSCRIBED)
	else:
		enrollment.stop_for_email(doc.email, cadence.UNSUBSCRIBED)


def holiday_list_on_update(doc, method=None):
	enrollment.clear_holiday_cache()
