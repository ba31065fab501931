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

import json
from collections.abc import Sequence

import frappe
import frappe.share
from frappe import _
from frappe.cache_manager import clear_doctype_map
from frappe.desk.form import assign_to
from frappe.utils import now_datetime

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
	quiet = QuietRouting() if not notify else None
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
		if quiet is not None:
			if decision == rules.ASSIGN:
				quiet.assign(doc, matching, assignments)
			elif decision == rules.UNASSIGN:
				quiet.withdraw(lead, assignments)
		elif decision == rules.ASSIGN:
			assign(doc, matching, assignments)
		elif decision == rules.UNASSIGN:
			withdraw(lead, assignments)
	if quiet is not None:
		routed = quiet.write()
		if routed:
			from lead_qualification.lead_response import alerts

			alerts.record_routed(routed)
			alerts.queue_digests()
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


def assign(doc, rule, assignments: Sequence[rules.Assignment]) -> str | None:
	"""One lead: the rule picks the user (its round robin or load balancing); the lead's open
	assignments are withdrawn first, as the rule's own do_assignment does, then Frappe's
	assign_to.add (timeline entry, sharing, the assignee's notification)."""
	user = rule.get_user(doc)
	if not user:
		return None
	withdraw(doc.name, assignments)
	assign_to.add(
		{
			"assign_to": [user],
			"doctype": "Lead",
			"name": doc.name,
			"description": frappe.render_template(rule.description, doc),
			"assignment_rule": rule.name,
		},
		ignore_permissions=True,
	)
	rule.db_set("last_user", user)
	return user


def withdraw(lead: str, assignments: Sequence[rules.Assignment]) -> None:
	"""Cancel these assignments the way Frappe's assign_to.clear does (its timeline entry
	"assignment removed"), and tell the former assignee."""
	for assignment in assignments:
		todo = frappe.get_doc("ToDo", assignment.todo)
		todo.status = "Cancelled"
		todo.save(ignore_permissions=True)
		assign_to.notify_assignment(todo.assigned_by, todo.allocated_to, "Lead", lead)


class QuietRouting:
	"""A bulk run: the same ToDos, timeline entries and `_assign` that Frappe's assign_to
	writes, set-based and without a notification per lead (each assignee gets one digest).
	The rule still picks the users: its round robin, or its load balancing (the user with
	the fewest open ToDos on leads) counted as the run assigns."""

	def __init__(self):
		self.now = now_datetime()
		self.user = frappe.session.user
		self.cancelled: list[tuple[str, str, str]] = []  # (todo, lead, allocated_to)
		self.added: list[tuple[str, str, str, str]] = []  # (lead, user, rule, description)
		self.touched: set[str] = set()
		self.loads: dict[str, dict[str, int]] = {}
		self.last_users: dict[str, tuple] = {}

	def pick(self, rule, doc) -> str | None:
		if rule.rule == "Load Balancing":
			loads = self.loads.get(rule.name)
			if loads is None:
				users = [d.user for d in rule.users]
				counts = dict(
					frappe.get_all(
						"ToDo",
						filters={"reference_type": "Lead", "status": "Open", "allocated_to": ("in", users)},
						fields=["allocated_to", "count(*) as n"],
						group_by="allocated_to",
						as_list=True,
					)
				)
				loads = self.loads[rule.name] = {u: counts.get(u, 0) for u in users}
			if not loads:
				return None
			user = min(loads, key=lambda u: loads[u])  # first listed on a tie, as Frappe's sort
			loads[user] += 1
			return user
		user = rule.get_user(doc)
		if user and rule.rule == "Round Robin":
			rule.last_user = user
			self.last_users[rule.name] = (rule, user)
		return user

	def assign(self, doc, rule, assignments) -> None:
		user = self.pick(rule, doc)
		if not user:
			return
		self.withdraw(doc.name, assignments)
		self.added.append((doc.name, user, rule.name, frappe.render_template(rule.description, doc)))
		self.touched.add(doc.name)

	def withdraw(self, lead: str, assignments) -> None:
		for a in assignments:
			self.cancelled.append((a.todo, lead, a.user))
			for loads in self.loads.values():
				if a.user in loads:
					loads[a.user] -= 1
		if assignments:
			self.touched.add(lead)

	def write(self) -> dict[str, list[str]]:
		from frappe.utils import get_fullname

		from lead_qualification.lead_scoring.scoring import insert_rows

		if not self.touched:
			return {}
		if self.cancelled:
			frappe.db.sql(
				"update `tabToDo` set status = 'Cancelled', modified = %(now)s, modified_by = %(user)s "
				"where name in %(names)s",
				{"now": self.now, "user": self.user, "names": tuple(t for t, _lead, _u in self.cancelled)},
			)
		by = get_fullname(self.user)
		todos, comments = [], []
		for _todo, lead, allocated in self.cancelled:
			text = _("Assignment of {0} removed by {1}").format(get_fullname(allocated), by)
			comments.append(self.comment_row(lead, "Assignment Completed", text, by))
		for lead, user, rule, description in self.added:
			todos.append(
				(
					frappe.generate_hash(length=10),
					self.now,
					self.now,
					self.user,
					self.user,
					0,
					0,
					"Open",
					"Medium",
					str(self.now.date()),
					user,
					description,
					"Lead",
					lead,
					self.user,
					rule,
				)
			)
			text = _("{0} assigned {1}: {2}").format(by, get_fullname(user), description)
			comments.append(self.comment_row(lead, "Assigned", text, by))
		insert_rows("tabToDo", TODO_COLUMNS, todos)
		insert_rows("tabComment", COMMENT_COLUMNS, comments)
		self.update_assign_fields()
		self.share_where_needed()
		for rule, user in self.last_users.values():
			rule.db_set("last_user", user)
		routed: dict[str, list[str]] = {}
		for lead, user, _rule, _description in self.added:
			routed.setdefault(user, []).append(lead)
		return routed

	def comment_row(self, lead, comment_type, text, by) -> tuple:
		return (
			frappe.generate_hash(length=10),
			self.now,
			self.now,
			self.user,
			self.user,
			0,
			0,
			comment_type,
			self.user,
			by,
			"Lead",
			lead,
			text,
		)

	def update_assign_fields(self) -> None:
		"""Lead._assign: the open assignees, as ToDo.update_in_reference keeps it."""
		leads = list(self.touched)
		open_by_lead: dict[str, list[str]] = {lead: [] for lead in leads}
		for lead, user in frappe.get_all(
			"ToDo",
			filters={"reference_type": "Lead", "reference_name": ("in", leads), "status": "Open"},
			fields=["reference_name", "allocated_to"],
			order_by="creation desc",
			as_list=True,
			limit_page_length=0,
		):
			if user:
				open_by_lead[lead].append(user)
		for lead, users in open_by_lead.items():
			frappe.db.set_value(
				"Lead", lead, "_assign", json.dumps(users) if users else "", update_modified=False
			)

	def share_where_needed(self) -> None:
		"""A user without read access to leads gets each assigned lead shared, as assign_to does."""
		for user in {user for _lead, user, _r, _d in self.added}:
			if frappe.has_permission("Lead", "read", user=user):
				continue
			for lead, to, _r, _d in self.added:
				if to == user:
					frappe.share.add_docshare("Lead", lead, user, flags={"ignore_share_permission": True})


TODO_COLUMNS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"idx",
	"status",
	"priority",
	"date",
	"allocated_to",
	"description",
	"reference_type",
	"reference_name",
	"assigned_by",
	"assignment_rule",
)
COMMENT_COLUMNS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"idx",
	"comment_type",
	"comment_email",
	"comment_by",
	"reference_doctype",
	"reference_name",
	"content",
)
