"""GDPR rules (CNIL default policy), retention and the quote form's answers: site-free."""

from datetime import datetime
from decimal import Decimal

import pytest

from lead_qualification.lead_qualification import bant
from lead_qualification.privacy import consent, quote_form_rules, retention_rules
from lead_qualification.privacy.consent import Basis

# --- lawful basis --------------------------------------------------------------------------


def test_an_individual_needs_prior_consent():
	assert consent.email_refusal(Basis(basis=consent.NO_BASIS, contact_kind=consent.INDIVIDUAL))
	assert consent.email_refusal(
		Basis(basis=consent.LEGITIMATE_INTEREST, contact_kind=consent.INDIVIDUAL)
	) == (consent.INDIVIDUAL_WITHOUT_CONSENT)
	assert consent.may_email(
		Basis(basis=consent.CONSENT, contact_kind=consent.INDIVIDUAL, consent_given_on="2026-11-26 10:00")
	)


def test_consent_without_a_recorded_moment_is_no_basis():
	assert consent.email_refusal(Basis(basis=consent.CONSENT)) == consent.NO_LAWFUL_BASIS


def test_a_professional_may_be_emailed_on_legitimate_interest():
	assert consent.may_email(Basis(basis=consent.LEGITIMATE_INTEREST, contact_kind=consent.PROFESSIONAL))


def test_an_existing_customer_may_be_emailed_about_similar_services():
	assert consent.may_email(
		Basis(basis=consent.LEGITIMATE_INTEREST, contact_kind=consent.INDIVIDUAL, is_customer=True)
	)


@pytest.mark.parametrize("withdrawn, unsubscribed", [(True, False), (False, True)])
def test_withdrawal_or_unsubscribe_ends_every_basis(withdrawn, unsubscribed):
	for basis in (consent.CONSENT, consent.LEGITIMATE_INTEREST):
		facts = Basis(
			basis=basis,
			contact_kind=consent.PROFESSIONAL,
			consent_given_on="x",
			withdrawn=withdrawn,
			unsubscribed=unsubscribed,
		)
		assert consent.email_refusal(facts) == consent.CONSENT_WITHDRAWN


def test_no_basis_or_unknown_basis_refuses():
	assert consent.email_refusal(Basis()) == consent.NO_LAWFUL_BASIS
	assert consent.email_refusal(Basis(basis="Whatever", contact_kind=consent.PROFESSIONAL))


def test_default_basis_and_kind():
	assert consent.contact_kind("", "Dupont SARL") == consent.PROFESSIONAL
	assert consent.contact_kind(None, "  ") == consent.INDIVIDUAL
	assert consent.contact_kind(consent.INDIVIDUAL, "Dupont SARL") == consent.INDIVIDUAL
	assert consent.default_basis(consent.INDIVIDUAL, False) == consent.NO_BASIS
	assert consent.default_basis(consent.PROFESSIONAL, False) == consent.LEGITIMATE_INTEREST
	assert consent.default_basis(consent.INDIVIDUAL, True) == consent.CONSENT


# --- retention -----------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 12, 0)


def test_months_before_keeps_the_day_or_takes_the_month_end():
	assert retention_rules.months_before(NOW, 36) == datetime(2023, 11, 26, 12, 0)
	assert retention_rules.months_before(datetime(2026, 5, 31), 3) == datetime(2026, 2, 28)
	assert retention_rules.months_before(datetime(2028, 5, 31), 3) == datetime(2028, 2, 29)
	assert retention_rules.months_before(datetime(2026, 1, 15), 1) == datetime(2025, 12, 15)


def facts(created, last=None, **kw):
	return retention_rules.LeadRetentionFacts(created=created, last_contact_from_person=last, **kw)


def test_past_retention_counts_from_the_last_contact_from_the_person():
	old = datetime(2023, 11, 26, 11, 59)
	assert retention_rules.is_past_retention(facts(old), NOW)
	assert not retention_rules.is_past_retention(facts(datetime(2023, 11, 26, 12, 0)), NOW)
	# a recent reply keeps an old lead
	assert not retention_rules.is_past_retention(facts(old, datetime(2025, 1, 1)), NOW)
	# an activity older than the creation does not move the clock back
	assert retention_rules.last_contact(facts(datetime(2024, 1, 1), datetime(2020, 1, 1))) == datetime(
		2024, 1, 1
	)


def test_customers_erased_leads_and_zero_months_are_left_alone():
	old = datetime(2020, 1, 1)
	assert not retention_rules.is_past_retention(facts(old, is_customer=True), NOW)
	assert not retention_rules.is_past_retention(facts(old, already_anonymised=True), NOW)
	assert not retention_rules.is_past_retention(facts(old), NOW, months=0)
	assert retention_rules.is_past_retention(facts(datetime(2026, 1, 1)), NOW, months=6)


def test_an_opened_email_is_not_a_contact_from_the_person():
	assert "Email Opened" not in retention_rules.FROM_PERSON
	assert {"Email Received", "Web Form Submitted"} <= set(retention_rules.FROM_PERSON)


# --- the quote form's answers ------------------------------------------------------------------


def test_budget_range_fills_an_estimated_budget_that_meets_the_criterion():
	values = quote_form_rules.bant_values("5,000 to 15,000", "Yes, I decide")
	assert values == {
		"bant_budget_status": bant.BUDGET_ESTIMATED,
		"bant_budget_amount": Decimal(10000),
		"bant_authority": bant.AUTHORITY_DECISION_MAKER,
	}
	for amount in quote_form_rules.BUDGET_RANGES.values():
		assert amount is None or amount > 0  # an estimate with an amount: Budget met


def test_unknown_answers_fill_nothing_or_unknown():
	assert quote_form_rules.bant_values(None, None) == {}
	assert quote_form_rules.bant_values("I don't know yet", "No, someone else decides") == {
		"bant_budget_status": bant.UNKNOWN,
		"bant_authority": bant.AUTHORITY_INFLUENCER,
	}
	assert quote_form_rules.bant_values("a million", "maybe") == {}


def test_honeypot_and_lengths():
	assert quote_form_rules.is_spam_trap_filled("http://spam.example")
	assert not quote_form_rules.is_spam_trap_filled("  ")
	assert not quote_form_rules.is_spam_trap_filled(None)
	values = {"bant_need": "x" * 2001, "first_name": "y" * 141, "last_name": "ok"}
	assert quote_form_rules.too_long(values, ("bant_need",), ("first_name", "last_name")) == [
		"bant_need",
		"first_name",
	]


def test_form_options_are_the_rules_options():
	import json

	from tests._source import APP

	form = json.loads((APP / "lead_qualification/web_form/quote_request/quote_request.json").read_text())
	fields = {f["fieldname"]: f for f in form["web_form_fields"]}
	assert fields["lqp_budget_range"]["options"].split("\n")[1:] == list(quote_form_rules.BUDGET_RANGES)
	assert fields["lqp_decides"]["options"].split("\n")[1:] == list(quote_form_rules.DECIDES)
	assert (
		fields["lqp_consent_given"].get("default") in (None, "0") and not fields["lqp_consent_given"]["reqd"]
	)
	assert "website" in fields  # the honeypot
	assert form["login_required"] == 0 and form["is_standard"] == 1 and form["doc_type"] == "Lead"
