"""Take over, as prospects, the leads that are already past qualification in ERPNext's own
terms when the app arrives (the rules: takeover.py).

Set-based: a site may hold 100,000 leads. Per batch, one query per kind of document, then
one UPDATE of the Lead columns and multi-row INSERTs of the timeline comments and status log
rows. The outcome is what a promotion through the Lead's save records: qualification status
Qualified, Qualified By / Qualified On, a timeline comment saying why, a Lead Status Log row
(with the reason *Taken Over at Install*). What a promotion also does and this does not:
no Prospect is created for the lead's organisation (ERPNext's own documents already carry
the relation), and the Lead's `modified` is left as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import frappe
from frappe import _
from frappe.utils import comma_and, escape_html, get_datetime, now_datetime, quoted

from lead_qualification.lead_qualification import qualification, status_log, takeover
from lead_qualification.lead_scoring.scoring import SqlLiterals, insert_rows

BATCH_SIZE = 5000

# kind -> (table, field saying the party is a Lead (or None), field holding the lead)
SOURCES = {
	takeover.OPPORTUNITY: ("tabOpportunity", "opportunity_from", "party_name"),
	takeover.QUOTATION: ("tabQuotation", "quotation_to", "party_name"),
	takeover.CUSTOMER: ("tabCustomer", None, "lead_name"),
}

COMMENT_COLUMNS = (
	"name",
	"comment_type",
	"comment_email",
	"reference_doctype",
	"reference_name",
	"content",
	"owner",
	"modified_by",
	"creation",
	"modified",
)


def take_over(cutoff: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
	"""Qualify the leads past qualification; returns how many. Idempotent: leads already
	Qualified, or qualified once by the app, are left alone. No commit here: the caller's
	transaction (install, patch) holds it."""
	if not qualification.is_enabled():
		return 0
	names = candidates()
	users = frozenset(frappe.get_all("User", filters={"name": ("!=", "Guest")}, pluck="name"))
	taken = 0
	for i in range(0, len(names), batch_size):
		batch = names[i : i + batch_size]
		decisions = decide_batch(batch, cutoff, users)
		write(decisions)
		taken += len(decisions)
	return taken


def fill_missing_status() -> None:
	"""Leads with no qualification status at all (made by a Data Import, or before ERPNext had
	the field) are Unqualified, the Select's first option that a new lead gets: the lists,
	number cards and funnel count them as leads to qualify, not as "no status"."""
	if qualification.is_enabled():
		frappe.db.sql(
			"update `tabLead` set qualification_status = 'Unqualified' where ifnull(qualification_status, '') = ''"
		)


def candidates() -> list[str]:
	"""Leads not Qualified that have a document or an ERPNext status that may count."""
	parties: set[str] = set()
	for table, type_field, lead_field in SOURCES.values():
		condition = f"`{type_field}` = 'Lead' and " if type_field else ""
		parties.update(
			frappe.db.sql_list(
				f"select distinct `{lead_field}` from `{table}` where {condition}ifnull(`{lead_field}`, '') != ''"
			)
		)
	open_leads = frappe.db.sql(
		"""select name, status from `tabLead` where ifnull(qualification_status, '') != 'Qualified'"""
	)
	return sorted(name for name, status in open_leads if name in parties or status in takeover.PAST_STATUSES)


def documents_of(leads: Sequence[str]) -> dict[str, list[takeover.Document]]:
	out: dict[str, list[takeover.Document]] = defaultdict(list)
	for kind, (table, type_field, lead_field) in SOURCES.items():
		condition = f"`{type_field}` = 'Lead' and " if type_field else ""
		rows = frappe.db.sql(
			f"""select `{lead_field}`, name, creation, owner, docstatus from `{table}`
			where {condition}`{lead_field}` in %(leads)s""",
			{"leads": tuple(leads)},
		)
		for lead, name, creation, owner, docstatus in rows:
			out[lead].append(takeover.Document(kind, name, get_datetime(creation), owner or "", docstatus))
	return out


def decide_batch(
	leads: Sequence[str], cutoff: datetime | None, users: frozenset[str]
) -> list[takeover.Takeover]:
	rows = frappe.db.sql(
		"""select name, qualification_status, status, modified, lead_owner from `tabLead`
		where name in %(leads)s""",
		{"leads": tuple(leads)},
		as_dict=True,
	)
	qualified_before = set(
		frappe.db.sql_list(
			"""select distinct lead from `tabLead Status Log`
			where kind = %(kind)s and value = 'Qualified' and lead in %(leads)s""",
			{"kind": status_log.QUALIFICATION, "leads": tuple(leads)},
		)
	)
	documents = documents_of(leads)
	decisions = []
	for r in rows:
		record = takeover.LeadRecord(
			name=r.name,
			qualification_status=r.qualification_status or "",
			status=r.status or "",
			modified=get_datetime(r.modified),
			lead_owner=r.lead_owner or "",
			qualified_before=r.name in qualified_before,
		)
		decision = takeover.decide(
			record, documents.get(r.name, ()), cutoff, fallback_user=frappe.session.user, known_users=users
		)
		if decision:
			decisions.append(decision)
	return decisions


def write(decisions: Sequence[takeover.Takeover]) -> None:
	if not decisions:
		return
	literal = SqlLiterals()
	for i in range(0, len(decisions), 1000):
		chunk = decisions[i : i + 1000]
		keys = [literal(d.lead) for d in chunk]
		by = " ".join(f"when {k} then {literal(d.qualified_by)}" for k, d in zip(keys, chunk))
		on = " ".join(
			f"when {k} then {literal(d.qualified_on and d.qualified_on.isoformat())}"
			for k, d in zip(keys, chunk)
		)
		# the last condition keeps a lead qualified meanwhile (by a save) as it is
		frappe.db.sql(
			f"""update `tabLead` set `qualification_status` = 'Qualified',
			`qualified_by` = case `name` {by} end, `qualified_on` = case `name` {on} end
			where `name` in ({", ".join(keys)}) and ifnull(`qualification_status`, '') != 'Qualified'"""
		)
	status_log.write(
		[(d.lead, status_log.QUALIFICATION, takeover.QUALIFIED, d.previous_status) for d in decisions],
		reason=status_log.TAKEN_OVER_AT_INSTALL,
	)
	now = now_datetime()
	user = frappe.session.user
	insert_rows(
		"tabComment",
		COMMENT_COLUMNS,
		[
			(frappe.generate_hash(length=10), "Info", user, "Lead", d.lead, comment(d), user, user, now, now)
			for d in decisions
		],
	)


def comment(decision: takeover.Takeover) -> str:
	"""The timeline entry: why this lead became a prospect without a save."""
	if not decision.evidence:
		return _(
			"Taken over as a prospect when Lead Qualification was installed: its ERPNext status was already {0}."
		).format(frappe.bold(_(decision.status)))
	cited = comma_and(
		[f"{_(doc.kind)} {link(doc.kind, doc.name)}" for doc in takeover.first_of_each_kind(decision)],
		add_quotes=False,
	)
	return _(
		"Taken over as a prospect when Lead Qualification was installed: this lead already had {0}."
	).format(cited)


def link(doctype: str, name: str) -> str:
	# a path, not a full URL: the site's host name at install may not be the one users open
	return f'<a href="/app/{doctype.lower().replace(" ", "-")}/{quoted(name)}">{escape_html(name)}</a>'
