"""Retention of prospects' data: plain, typed rules; no frappe import.

The CNIL's guidance for prospect data: keep it at most three years after the last contact
coming from the prospect (a request, a reply, a visit...), then anonymise or delete it.
A lead that became a customer is not a prospect any more and is left alone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

DEFAULT_MONTHS = 36
ANONYMISE = "Anonymise"
DELETE = "Delete"
ACTIONS: tuple[str, ...] = (ANONYMISE, DELETE)

# Lead Activity types that are a contact *from* the person (an e-mail we sent that they
# opened is not: they did not reach out)
FROM_PERSON: tuple[str, ...] = (
	"Email Received",
	"Web Form Submitted",
	"Appointment",
	"Quotation Requested",
	"Page Viewed",
	"Document Downloaded",
	"Demo Requested",
)


def months_before(moment: datetime, months: int) -> datetime:
	"""The same day and time `months` calendar months earlier (the month's last day when
	that day does not exist: 31 May - 3 months = 28 or 29 February)."""
	month_index = moment.year * 12 + (moment.month - 1) - months
	year, month = divmod(month_index, 12)
	month += 1
	day = min(moment.day, calendar.monthrange(year, month)[1])
	return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class LeadRetentionFacts:
	created: datetime
	last_contact_from_person: datetime | None = None
	is_customer: bool = False
	already_anonymised: bool = False


def last_contact(facts: LeadRetentionFacts) -> datetime:
	"""The last contact from the person; the lead's creation counts as one (they asked)."""
	if facts.last_contact_from_person and facts.last_contact_from_person > facts.created:
		return facts.last_contact_from_person
	return facts.created


def is_past_retention(facts: LeadRetentionFacts, now: datetime, months: int = DEFAULT_MONTHS) -> bool:
	"""True when the lead is to be anonymised or deleted now."""
	if facts.is_customer or facts.already_anonymised or months <= 0:
		return False
	return last_contact(facts) < months_before(now, months)
