"""Routing by maturity, on Frappe's Assignment Rule.

*Lead Routing Settings* keep one Assignment Rule on Lead per stage (Prospect, Hot, Warm,
Cold) with that stage's users and rule type (Round Robin / Load Balancing); managers can
edit its condition, days or description in the standard Assignment Rule form. On a save,
Frappe's own `assignment_rule.apply` (a `*` on_update hook) assigns a lead that has no
assignment yet. When a lead's band or stage changes (a save, an activity, a bulk
re-score written in SQL, where no document event runs), this listener re-routes it: the
rule whose condition the lead now meets picks the user (its own round robin or load
balancing), assignments routing did not make stay unless the manager opted in.

Every (re)assignment is a ToDo made with the rule's name (ToDo.assignment_rule), so the
lead's timeline shows Frappe's own "assigned" and "assignment removed" entries with the
rule's description; nothing else is added. A bulk re-score does not notify each
assignee per lead: each gets one digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import frappe
import frappe.share
from frappe import _
from frappe.cache_manager import clear_doctype_map
from frappe.desk.form import assign_to
from frappe.translate import get_user_lang
from frappe.utils import nowdate

from lead_qualification.lead_events import LeadChange
from lead_qualification.lead_response import rules

SETTINGS = "Lead Routing Settings"
RULE_PREFIX = "Lead Routing - "
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PRIORITY = {"Prospect": 40, "Hot": 30, "Warm": 20, "Cold": 10}


def get_settings():
	return frappe.get_cached_doc(SETTINGS)


def is_enabled(settings=None) -> bool:
	return bool((settings or get_settings()).enable_routing)


# --- settings -> Assignment Rules ---------------------------------------------------------


def assign_condition(stage: str) -> str:
	if stage == rules.PROSPECT:
		return 'qualification_status == "Qualified"'
	return f'lq_score_band == "{stage}" and qualification_status != "Qualified"'


def sync_assignment_rules(settings) -> None:
	"""Create or update one Assignment Rule per stage that has users; a stage without users,
	or routing off, leaves its rule disabled."""
	for stage in rules.STAGES:
		prefix = stage.lower()
		users = [row.user for row in settings.get(f"{prefix}_users") or []]
		name = settings.get(f"{prefix}_assignment_rule")
		if name and not frappe.db.exists("Assignment Rule", name):
			name = None
		if not name and frappe.db.exists("Assignment Rule", f"{RULE_PREFIX}{stage}"):
			name = f"{RULE_PREFIX}{stage}"
		if not name and not users:
			continue
		rule = frappe.get_doc("Assignment Rule", name) if name else new_rule(stage)
		rule.rule = settings.get(f"{prefix}_rule_type") or "Round Robin"
		rule.set("users", [{"user": user} for user in users])
		rule.disabled = 0 if (settings.enable_routing and users) else 1
		rule.flags.ignore_permissions = True
		rule.save()
		if settings.get(f"{prefix}_assignment_rule") != rule.name:
			settings.db_set(f"{prefix}_assignment_rule", rule.name)
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	# Frappe caches the Lead's rules (and each rule) outside the transaction: if this one is
	# rolled back, the cache must not keep naming rules that were never committed
	frappe.db.after_rollback.add(forget_cached_rules)


def forget_cached_rules() -> None:
	clear_doctype_map("Assignment Rule", "Lead")
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	for stage in rules.STAGES:
		frappe.clear_document_cache("Assignment Rule", f"{RULE_PREFIX}{stage}")


def new_rule(stage: str):
	rule = frappe.new_doc("Assignment Rule")
	rule.name = f"{RULE_PREFIX}{stage}"
	rule.document_type = "Lead"
	rule.priority = PRIORITY[stage]
	rule.description = _("Routing by maturity: {0}").format(stage_label(stage))
	rule.assign_condition = assign_condition(stage)
	rule.set("assignment_days", [{"day": day} for day in DAYS])
	return rule


def stage_label(stage: str) -> str:
	return {
		"Prospect": _("Prospects"),
		"Hot": _("Hot"),
		"Warm": _("Warm"),
		"Cold": _("Cold"),
	}[stage]


def routing_rule_names(settings) -> list[str]:
	return [
		settings.get(f"{stage.lower()}_assignment_rule")
		for stage in rules.STAGES
		if settings.get(f"{stage.lower()}_assignment_rule")
	]


def active_rules(settings) -> list:
	"""Routing's enabled rules, highest priority first, as Frappe orders them."""
	names = routing_rule_names(settings)
	if not names:
		return []
	enabled = frappe.get_all(
		"Assignment Rule",
		filters={"name": ("in", names), "disabled": 0, "document_type": "Lead"},
		order_by="priority desc",
		pluck="name",
	)
	return [frappe.get_cached_doc("Assignment Rule", name) for name in enabled]


# --- the listener ----------------------------------------------------------------------


def on_lead_changes(changes: Sequence[LeadChange], bulk: bool = False) -> None:
	"""Listener for band and qualification status changes: re-route those leads."""
	settings = get_settings()
	if not is_enabled(settings):
		return
	leads = list(dict.fromkeys(c.lead for c in changes))
	route(leads, settings, notify=not bulk)


def route(leads: Sequence[str], settings=None, notify: bool = True) -> dict[str, str]:
	"""Apply routing to these leads; returns the decision taken for each."""
	settings = settings or get_settings()
	rule_docs = active_rules(settings)
	ours = routing_rule_names(settings)
	if not ours:
		return {}
	docs = {
		d.name: d
		for d in frappe.get_all(
			"Lead", filters={"name": ("in", list(leads))}, fields=["*"], limit_page_length=0
		)
	}
	current = open_assignments(list(docs))
	decisions, routed = {}, {}
	for lead, doc in docs.items():
		doc.doctype = "Lead"
		matching = next(
			(
				r
				for r in rule_docs
				if not r.is_rule_not_applicable_today() and r.safe_eval("assign_condition", doc)
			),
			None,
		)
		assignments = current.get(lead, [])
		decision = rules.routing_decision(
			matching.name if matching else None, assignments, ours, bool(settings.reroute_manual)
		)
		decisions[lead] = decision
		if decision == rules.ASSIGN:
			user = assign(doc, matching, assignments, notify)
			if user:
				routed.setdefault(user, []).append(lead)
		elif decision == rules.UNASSIGN:
			withdraw(lead, assignments, notify)
	if not notify and routed:
		send_routing_digests(routed)
	return decisions


def open_assignments(leads: Sequence[str]) -> dict[str, list[rules.Assignment]]:
	out: dict[str, list[rules.Assignment]] = {}
	if not leads:
		return out
	for row in frappe.get_all(
		"ToDo",
		filters={"reference_type": "Lead", "reference_name": ("in", list(leads)), "status": "Open"},
		fields=["name", "reference_name", "allocated_to", "assignment_rule"],
		order_by="creation asc",
		limit_page_length=0,
	):
		out.setdefault(row.reference_name, []).append(
			rules.Assignment(row.name, row.allocated_to, row.assignment_rule or None)
		)
	return out


def assign(doc, rule, assignments: Sequence[rules.Assignment], notify: bool) -> str | None:
	"""The rule picks the user (its round robin or load balancing); the lead's open
	assignments are withdrawn first, as the rule's own do_assignment does."""
	user = rule.get_user(doc)
	if not user:
		return None
	withdraw(doc.name, assignments, notify)
	description = frappe.render_template(rule.description, doc)
	if notify:
		assign_to.add(
			{
				"assign_to": [user],
				"doctype": "Lead",
				"name": doc.name,
				"description": description,
				"assignment_rule": rule.name,
			},
			ignore_permissions=True,
		)
	else:
		# quietly (a bulk run): the ToDo as assign_to.add makes it, without its per-lead
		# notification; the assignee gets one digest instead
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"reference_type": "Lead",
				"reference_name": doc.name,
				"description": description,
				"priority": "Medium",
				"status": "Open",
				"date": nowdate(),
				"assigned_by": frappe.session.user,
				"assignment_rule": rule.name,
			}
		).insert(ignore_permissions=True)
		if not frappe.has_permission("Lead", doc=doc.name, user=user):
			frappe.share.add_docshare("Lead", doc.name, user, flags={"ignore_share_permission": True})
	rule.db_set("last_user", user)
	return user


def withdraw(lead: str, assignments: Sequence[rules.Assignment], notify: bool) -> None:
	"""Cancel these assignments the way Frappe's assign_to.clear does (its timeline entry
	"assignment removed"), notifying the former assignee unless in bulk."""
	for assignment in assignments:
		todo = frappe.get_doc("ToDo", assignment.todo)
		todo.status = "Cancelled"
		todo.save(ignore_permissions=True)
		if notify:
			assign_to.notify_assignment(todo.assigned_by, todo.allocated_to, "Lead", lead)


def send_routing_digests(routed: dict[str, list[str]]) -> None:
	from frappe.desk.doctype.notification_settings.notification_settings import is_notifications_enabled

	for user, leads in routed.items():
		if not is_notifications_enabled(user):
			continue
		lang = get_user_lang(user)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"from_user": frappe.session.user,
				"type": "Assignment",
				"document_type": "Lead",
				"subject": _("{0} leads were routed to you", lang=lang).format(len(leads)),
				"link": "/app/lead?_assign=" + quote(f'["like","%{user}%"]'),
			}
		).insert(ignore_permissions=True)
