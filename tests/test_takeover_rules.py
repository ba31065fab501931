"""Which leads a site already in use has past qualification (takeover.py), site-free."""

from datetime import date, datetime

import pytest

from lead_qualification.lead_qualification.takeover import (
	CUSTOMER,
	OPPORTUNITY,
	QUOTATION,
	STATUS,
	Document,
	LeadRecord,
	decide,
	first_of_each_kind,
)

JAN = datetime(2026, 1, 10, 9, 0)
MAR = datetime(2026, 3, 5, 14, 30)
JUN = datetime(2026, 6, 20, 11, 0)
INSTALL = datetime(2026, 11, 26, 19, 0)


def lead(**values):
	return LeadRecord(**{"name": "CRM-LEAD-0001", "qualification_status": "Unqualified", **values})


def quotation(name="SAL-QTN-0001", created=MAR, docstatus=1, owner="anne@example.com"):
	return Document(QUOTATION, name, created, owner, docstatus)


def test_a_lead_without_anything_is_left_alone():
	assert decide(lead(status="Open"), []) is None
	assert decide(lead(status="Replied"), []) is None


@pytest.mark.parametrize("docstatus", [0, 1, 2])
def test_a_quotation_draft_submitted_or_cancelled_makes_a_prospect(docstatus):
	"""Cancelled too: a revision in ERPNext is cancel, then amend; the lead may be mid-way."""
	result = decide(lead(), [quotation(docstatus=docstatus)])
	assert result is not None
	assert result.kinds == (QUOTATION,)
	assert result.qualified_by == "anne@example.com"
	assert result.qualified_on == date(2026, 3, 5)
	assert result.previous_status == "Unqualified"


def test_the_first_quotation_says_who_and_when():
	amended = quotation(name="SAL-QTN-0001-1", created=JUN, docstatus=0, owner="bob@example.com")
	result = decide(lead(), [amended, quotation(docstatus=2)])
	assert result.qualified_by == "anne@example.com"
	assert [d.name for d in result.evidence] == ["SAL-QTN-0001", "SAL-QTN-0001-1"]


def test_opportunity_and_customer_count():
	opp = Document(OPPORTUNITY, "CRM-OPP-0001", JAN, "carl@example.com")
	cust = Document(CUSTOMER, "Martin SARL", JUN, "dora@example.com")
	assert decide(lead(), [opp]).kinds == (OPPORTUNITY,)
	result = decide(lead(status="Converted"), [opp, quotation(), cust])
	# cited furthest along first; qualified by and on: the first document
	assert result.kinds == (CUSTOMER, QUOTATION, OPPORTUNITY)
	assert result.qualified_by == "carl@example.com"
	assert result.qualified_on == date(2026, 1, 10)


def test_first_of_each_kind_cites_one_document_per_kind():
	q1, q2 = quotation("SAL-QTN-0002", JUN), quotation("SAL-QTN-0001", MAR)
	opp = Document(OPPORTUNITY, "CRM-OPP-0001", JAN)
	result = decide(lead(), [q1, opp, q2])
	assert [d.name for d in first_of_each_kind(result)] == ["SAL-QTN-0001", "CRM-OPP-0001"]


@pytest.mark.parametrize("status", ["Opportunity", "Quotation", "Lost Quotation", "Converted"])
def test_an_erpnext_status_alone_counts_when_no_document_explains_it(status):
	result = decide(lead(status=status, modified=JUN, lead_owner="eve@example.com"), [])
	assert result is not None
	assert result.kinds == (STATUS,)
	assert result.status == status
	assert result.qualified_by == "eve@example.com"
	assert result.qualified_on == date(2026, 6, 20)


def test_a_status_explained_by_documents_is_judged_by_them():
	later = quotation(created=datetime(2026, 12, 1))
	assert decide(lead(status="Quotation", modified=JUN), [later], cutoff=INSTALL) is None
	# a document of another kind does not explain the status
	opp = Document(OPPORTUNITY, "CRM-OPP-0009", datetime(2026, 12, 2))
	assert decide(lead(status="Converted", modified=JUN), [opp], cutoff=INSTALL).kinds == (STATUS,)


def test_qualified_leads_and_withdrawn_leads_are_left_alone():
	assert decide(lead(qualification_status="Qualified"), [quotation()]) is None
	# the app qualified it once, someone withdrew it since: that decision stands
	assert decide(lead(qualification_status="In Process", qualified_before=True), [quotation()]) is None


def test_with_a_cutoff_only_documents_made_before_it_count():
	after = quotation(created=datetime(2026, 12, 1))
	assert decide(lead(), [after], cutoff=INSTALL) is None
	assert decide(lead(), [quotation()], cutoff=INSTALL) is not None
	# the status that a gated (later) quotation set does not count by itself either
	assert decide(lead(status="Quotation", modified=JUN), [after], cutoff=INSTALL) is None


def test_qualified_by_falls_back_to_known_users():
	known = frozenset({"Administrator", "eve@example.com"})
	gone = quotation(owner="left-the-company@example.com")
	assert decide(lead(lead_owner="eve@example.com"), [gone], known_users=known).qualified_by == (
		"eve@example.com"
	)
	assert decide(lead(), [gone], fallback_user="Administrator", known_users=known).qualified_by == (
		"Administrator"
	)


def test_previous_status_is_kept_for_the_log():
	assert decide(lead(qualification_status="In Process"), [quotation()]).previous_status == "In Process"
	assert decide(lead(qualification_status=""), [quotation()]).previous_status == ""
