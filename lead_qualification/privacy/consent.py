"""Lawful basis for marketing e-mails: plain, typed rules; no frappe import.

The default policy follows the CNIL's reading of the French rules on e-mail prospecting
(article L34-5 of the Code des postes et des communications électroniques):

- an individual (B2C) gets marketing e-mails only with prior consent, or as an existing
  customer about similar products or services (the "soft opt-in");
- a professional (B2B) may be e-mailed without prior consent about their trade, as long as
  every e-mail offers a clear way to object (the unsubscribe link Frappe adds);
- a withdrawal (unsubscribe) ends both.
"""

from __future__ import annotations

from dataclasses import dataclass

CONSENT = "Consent"
LEGITIMATE_INTEREST = "Legitimate Interest"
NO_BASIS = "None"
BASES: tuple[str, ...] = (CONSENT, LEGITIMATE_INTEREST, NO_BASIS)

INDIVIDUAL = "Individual"
PROFESSIONAL = "Professional"
CONTACT_KINDS: tuple[str, ...] = (INDIVIDUAL, PROFESSIONAL)

# Why an e-mail may not go (stored on the Nurture Touch as its note; translated there)
NO_LAWFUL_BASIS = "No lawful basis for marketing e-mails"
CONSENT_WITHDRAWN = "Consent withdrawn"
INDIVIDUAL_WITHOUT_CONSENT = "An individual gets marketing e-mails only with prior consent"


@dataclass(frozen=True)
class Basis:
	"""What a lead records about marketing e-mails (empty strings when not recorded)."""

	basis: str = ""
	contact_kind: str = ""
	consent_given_on: str = ""  # any non-empty value: the moment is recorded
	withdrawn: bool = False
	unsubscribed: bool = False
	is_customer: bool = False


def contact_kind(recorded: str | None, organisation: str | None) -> str:
	"""The recorded kind, else Professional for a lead with an organisation name, else
	Individual (the safe side: an individual needs consent)."""
	if recorded in CONTACT_KINDS:
		return recorded
	return PROFESSIONAL if (organisation or "").strip() else INDIVIDUAL


def default_basis(kind: str, consent_given: bool) -> str:
	"""The basis recorded for a new lead: consent when given; otherwise legitimate interest
	for a professional, none for an individual."""
	if consent_given:
		return CONSENT
	return LEGITIMATE_INTEREST if kind == PROFESSIONAL else NO_BASIS


def email_refusal(facts: Basis) -> str | None:
	"""Why a marketing e-mail may not be sent to this lead, or None when it may."""
	if facts.withdrawn or facts.unsubscribed:
		return CONSENT_WITHDRAWN
	if facts.basis == CONSENT:
		return None if facts.consent_given_on else NO_LAWFUL_BASIS
	if facts.basis == LEGITIMATE_INTEREST:
		if facts.contact_kind == PROFESSIONAL or facts.is_customer:
			return None
		return INDIVIDUAL_WITHOUT_CONSENT
	return NO_LAWFUL_BASIS


def may_email(facts: Basis) -> bool:
	return email_refusal(facts) is None
