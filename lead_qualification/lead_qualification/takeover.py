"""Leads already past qualification in ERPNext's own terms, when the app arrives.

On a site in use, some leads already have an Opportunity, a Quotation or a Customer, or an
ERPNext status that says so. The sales team qualified them before the app existed: the app
takes them over as prospects instead of gating their work in progress.

What counts (decided here, documented in the README):

- an **Opportunity** for the lead (``opportunity_from`` = Lead), whatever its status: ERPNext
  opens an opportunity for a lead worth pursuing; a lost opportunity still was one;
- a **Quotation** for the lead (``quotation_to`` = Lead): draft, submitted, lost or
  *cancelled*. A cancelled quotation counts too: revising a submitted quotation in ERPNext
  means cancelling it and then amending it, so a lead whose quotation is cancelled may be
  in the middle of a revision (refusing the amendment is exactly what must not happen), and
  a lead worth a quotation was past qualification whatever became of the quotation; ERPNext
  itself leaves such a lead's status at *Quotation*. Withdrawing a qualification stays a
  person's decision, with a reason;
- a **Customer** made from the lead (``Customer.lead_name``);
- the lead's ERPNext **status** *Opportunity*, *Quotation*, *Lost Quotation* or *Converted*,
  when no document of that kind explains it (imported leads, deleted documents).

Not taken over: leads already Qualified (left as they are), and leads the app has already
qualified once (a person withdrew them since: that decision stands). With a cut-off (the
date the gates became active, for sites that had the app before this rule), only documents
made before it count: documents made after it went through the gate, and a gate override
is deliberately not a promotion.

Plain, typed functions; no frappe import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

OPPORTUNITY = "Opportunity"
QUOTATION = "Quotation"
CUSTOMER = "Customer"
STATUS = "Status"

# Order in which the evidence is cited: the furthest along first.
KINDS: tuple[str, ...] = (CUSTOMER, QUOTATION, OPPORTUNITY)

QUALIFIED = "Qualified"

# ERPNext Lead.status values that say the lead went past qualification, and the kind of
# document each one stands for.
PAST_STATUSES: dict[str, str] = {
	"Opportunity": OPPORTUNITY,
	"Quotation": QUOTATION,
	"Lost Quotation": QUOTATION,
	"Converted": CUSTOMER,
}


@dataclass(frozen=True)
class Document:
	"""One ERPNext document made for the lead."""

	kind: str
	name: str
	created: datetime
	owner: str = ""
	docstatus: int = 0


@dataclass(frozen=True)
class LeadRecord:
	name: str
	qualification_status: str = ""
	status: str = ""
	# when ERPNext last changed the lead (stands for the status change)
	modified: datetime | None = None
	lead_owner: str = ""
	# the app qualified this lead once already (Lead Status Log): a withdrawal stands
	qualified_before: bool = False


@dataclass(frozen=True)
class Takeover:
	"""Why and how a lead becomes a prospect at install."""

	lead: str
	# the documents that show it, furthest along first (empty when only the status does)
	evidence: tuple[Document, ...] = field(default_factory=tuple)
	# the ERPNext status that shows it, when no document does
	status: str = ""
	qualified_by: str = ""
	qualified_on: date | None = None
	previous_status: str = ""

	@property
	def kinds(self) -> tuple[str, ...]:
		kinds = tuple(k for k in KINDS if any(d.kind == k for d in self.evidence))
		return kinds or ((STATUS,) if self.status else ())


def counts(doc: Document, cutoff: datetime | None = None) -> bool:
	"""Does this document show that its lead went past qualification?"""
	if doc.kind not in KINDS:
		return False
	return cutoff is None or doc.created < cutoff


def decide(
	lead: LeadRecord,
	documents: Iterable[Document],
	cutoff: datetime | None = None,
	fallback_user: str = "",
	known_users: frozenset[str] | None = None,
) -> Takeover | None:
	"""The takeover of this lead, or None when it stays as it is.

	qualified_by: who made the first document that shows it (that person judged the lead
	worth it), else the lead's owner, else `fallback_user` (who installs); a name not in
	`known_users` (when given) is skipped. qualified_on: the day of that first document,
	else the day ERPNext last changed the lead; so the install does not inflate "prospects
	this month".
	"""
	if lead.qualification_status == QUALIFIED or lead.qualified_before:
		return None
	documents = list(documents)
	evidence = [d for d in documents if counts(d, cutoff)]
	status = ""
	if not evidence:
		kind = PAST_STATUSES.get(lead.status or "")
		# a status explained by documents is judged by those documents (made after the
		# cut-off): only a status no document explains counts by itself
		if kind is None or any(d.kind == kind for d in documents):
			return None
		status = lead.status

	def usable(user: str) -> bool:
		return bool(user) and (known_users is None or user in known_users)

	first = min(evidence, key=lambda d: (d.created, d.name)) if evidence else None
	candidates = [first.owner if first else "", lead.lead_owner, fallback_user]
	qualified_by = next((u for u in candidates if usable(u)), fallback_user)
	when = first.created if first else lead.modified
	ordered = sorted(evidence, key=lambda d: (KINDS.index(d.kind), d.created, d.name))
	return Takeover(
		lead=lead.name,
		evidence=tuple(ordered),
		status=status,
		qualified_by=qualified_by,
		qualified_on=when.date() if when else None,
		previous_status=lead.qualification_status or "",
	)


def first_of_each_kind(takeover: Takeover) -> list[Document]:
	"""What the timeline cites: the first document of each kind, furthest along first."""
	seen: dict[str, Document] = {}
	for doc in takeover.evidence:
		if doc.kind not in seen or (doc.created, doc.name) < (seen[doc.kind].created, seen[doc.kind].name):
			seen[doc.kind] = doc
	return [seen[k] for k in KINDS if k in seen]
