"""Alerts when a lead turns Hot, becomes a prospect, or replies while Hot.

Listens to the lead's changes (hooks.py `lead_change_listeners`) and tells the lead's owner,
or the users of the fallback role when it has none, through Frappe's own Notification Log:
the bell, and Frappe's notification e-mail when it is switched on here and in the user's
Notification Settings. Each text is in the recipient's language.

Once per transition: a *Lead Alert* row holds the transition's key while the lead stays in
that state (unique in the table), so the same transition announced twice alerts once, and
a lead that leaves Hot and comes back is announced again. A bulk re-score records its
alerts as pending and sends one digest per recipient.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import get_title_html
from frappe.desk.doctype.notification_settings.notification_settings import is_notifications_enabled
from frappe.translate import get_user_lang
from frappe.utils import escape_html, get_url_to_form, now_datetime

from lead_qualification.lead_events import LeadChange
from lead_qualification.lead_response import rules
from lead_qualification.lead_response.rules import BECAME_PROSPECT, HOT_LEAD_REPLIED, TURNED_HOT

SETTINGS = "Lead Routing Settings"
ALERT_DOCTYPE = "Lead Alert"
DIGEST_JOB = "lead_qualification.lead_response.alerts.send_pending_digests"
ALERT_JOB = "lead_qualification.lead_response.alerts.notify_alerts"
DIGEST_LIST_LIMIT = 20
SWITCHES = (
	(TURNED_HOT, "alert_turned_hot"),
	(BECAME_PROSPECT, "alert_became_prospect"),
	(HOT_LEAD_REPLIED, "alert_hot_reply"),
)


def get_settings():
	return frappe.get_cached_doc(SETTINGS)


def enabled_alerts(settings=None) -> list[str]:
	settings = settings or get_settings()
	if not settings.enable_alerts:
		return []
	return [alert for alert, fieldname in SWITCHES if settings.get(fieldname)]


# --- the listener ----------------------------------------------------------------------


def on_lead_changes(changes: Sequence[LeadChange], bulk: bool = False) -> None:
	"""Listener for band, qualification status and reply changes."""
	settings = get_settings()
	enabled = enabled_alerts(settings)
	replying = [c.lead for c in changes if c.kind == rules.REPLY]
	hot = hot_leads(replying) if replying and HOT_LEAD_REPLIED in enabled else ()
	found, released = rules.transitions(changes, enabled, hot)
	release(released)
	found = unclaimed(found)
	if not found:
		return
	owners = lead_owners({t.lead for t in found})
	fallback = role_users(settings.fallback_role)
	if bulk:
		record(found, owners, fallback, digest=True)
		queue_digests()
	else:
		send_alerts(found, owners, fallback, settings)


def hot_leads(leads: Iterable[str]) -> set[str]:
	return set(
		frappe.get_all(
			"Lead", filters={"name": ("in", list(leads)), "lq_score_band": rules.HOT}, pluck="name"
		)
	)


def release(keys: Sequence[str]) -> None:
	"""The lead left the state: its next entry is a new transition."""
	if keys:
		frappe.db.sql(
			"update `tabLead Alert` set open_key = null where open_key in %(keys)s", {"keys": tuple(keys)}
		)


def unclaimed(found: Sequence[rules.Transition]) -> list[rules.Transition]:
	"""Leave out the transitions already alerted (announced twice)."""
	if not found:
		return []
	held = set(
		frappe.get_all(ALERT_DOCTYPE, filters={"open_key": ("in", [t.key for t in found])}, pluck="open_key")
	)
	return [t for t in found if t.key not in held]


def lead_owners(leads: Iterable[str]) -> dict[str, str | None]:
	rows = frappe.get_all(
		"Lead", filters={"name": ("in", list(leads))}, fields=["name", "lead_owner"], limit_page_length=0
	)
	enabled = (
		set(
			frappe.get_all(
				"User",
				filters={"name": ("in", [r.lead_owner for r in rows if r.lead_owner]), "enabled": 1},
				pluck="name",
			)
		)
		if any(r.lead_owner for r in rows)
		else set()
	)
	return {r.name: r.lead_owner if r.lead_owner in enabled else None for r in rows}


def role_users(role: str | None) -> list[str]:
	"""Enabled desk users with the role (not Administrator), in name order."""
	if not role:
		return []
	has_role = frappe.qb.DocType("Has Role")
	user = frappe.qb.DocType("User")
	rows = (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(user.name)
		.distinct()
		.where(
			(has_role.role == role)
			& (has_role.parenttype == "User")
			& (user.enabled == 1)
			& (user.user_type == "System User")
			& (user.name.notin(("Administrator", "Guest")))
		)
		.orderby(user.name)
		.run(pluck=True)
	)
	return list(rows)


# --- one alert per transition (a save, an activity, a reply) ------------------------------


def send_alerts(found, owners, fallback, settings) -> None:
	"""Record each alert now (in the transaction that made the change), and write the
	notifications in a job after the commit, as Frappe's enqueue_create_notification does:
	the save does not wait for the e-mail to be rendered."""
	claimed = []
	for transition in found:
		users = rules.recipients_of(transition.lead, owners, fallback)
		# as Frappe does for mentions and assignments: no alert to whoever made the change
		users = [u for u in users if u != frappe.session.user]
		if claim(transition, users) and users:
			claimed.append({"lead": transition.lead, "alert": transition.alert, "users": users})
	if claimed:
		frappe.enqueue(ALERT_JOB, alerts=claimed, enqueue_after_commit=True, now=frappe.flags.in_test)


def notify_alerts(alerts: list[dict]) -> None:
	"""Background job: one Notification Log per alert and recipient, in their language."""
	settings = get_settings()
	for alert in alerts:
		transition = rules.Transition(alert["lead"], alert["alert"], "")
		for user in alert["users"]:
			if is_notifications_enabled(user):
				notify(user, alert_subject(transition, user), settings, lead=transition.lead)


def claim(transition: rules.Transition, users: Sequence[str], digest: bool = False) -> bool:
	"""Record the alert; False when another request recorded the same transition first."""
	try:
		frappe.get_doc(
			{
				"doctype": ALERT_DOCTYPE,
				"lead": transition.lead,
				"alert": transition.alert,
				"reference": transition.reference,
				"open_key": transition.key,
				"recipients": "\n".join(users),
				"digest": int(digest),
			}
		).insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# the unique open key: Frappe reports it as a message too, not for the user here
		frappe.clear_last_message()
		return False
	return True


def alert_subject(transition: rules.Transition, user: str) -> str:
	lang = get_user_lang(user)
	title = get_title_html(escape_html(lead_title(transition.lead)))
	if transition.alert == TURNED_HOT:
		return _("Lead {0} turned Hot", lang=lang).format(title)
	if transition.alert == BECAME_PROSPECT:
		return _("Lead {0} became a prospect", lang=lang).format(title)
	return _("Hot lead {0} replied", lang=lang).format(title)


def lead_title(lead: str) -> str:
	values = frappe.db.get_value("Lead", lead, ["title", "lead_name", "company_name"], as_dict=True) or {}
	return values.get("title") or values.get("lead_name") or values.get("company_name") or lead


def notify(
	user: str,
	subject: str,
	settings,
	lead: str | None = None,
	link: str | None = None,
	content: str | None = None,
):
	"""A Notification Log for the bell; type "" (a plain notification) lets Frappe e-mail it
	when the user's Notification Settings allow, "Alert" stays in the bell only."""
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": user,
			"from_user": frappe.session.user,
			"type": "" if settings.send_email else "Alert",
			"document_type": "Lead",
			"document_name": lead,
			"link": link,
			"subject": subject,
			"email_content": content,
		}
	).insert(ignore_permissions=True)


# --- bulk: one digest per recipient -------------------------------------------------------

ALERT_COLUMNS = (
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"idx",
	"lead",
	"alert",
	"reference",
	"open_key",
	"recipients",
	"digest",
	"digest_sent",
)


def record(found, owners, fallback, digest: bool) -> None:
	"""Pending digest lines, written set-based (a bulk run may bring thousands)."""
	from lead_qualification.lead_scoring.scoring import SqlLiterals

	now, user = now_datetime(), frappe.session.user
	by_lead = {}
	for recipient, leads in rules.recipients(
		list(dict.fromkeys(t.lead for t in found)), owners, fallback
	).items():
		for lead in leads:
			by_lead.setdefault(lead, []).append(recipient)
	rows = [
		(
			frappe.generate_hash(length=12),
			now,
			now,
			user,
			user,
			0,
			0,
			t.lead,
			t.alert,
			t.reference,
			t.key,
			"\n".join(by_lead.get(t.lead, [])),
			int(digest),
			0,
		)
		for t in found
	]
	# INSERT IGNORE: a transition another request recorded meanwhile (same open key) is
	# skipped, not an error that would undo the re-score batch
	literal = SqlLiterals()
	columns = ", ".join(f"`{c}`" for c in ("name", *ALERT_COLUMNS))
	for i in range(0, len(rows), 5000):
		values = ", ".join("(" + ", ".join(map(literal, row)) + ")" for row in rows[i : i + 5000])
		frappe.db.sql(f"insert ignore into `tabLead Alert` ({columns}) values {values}")


def queue_digests() -> None:
	if frappe.flags.in_test:
		send_pending_digests()
	else:
		# one job at a time sends every pending line: batches that commit while it is
		# queued join its digest
		frappe.enqueue(DIGEST_JOB, enqueue_after_commit=True, deduplicate=True, job_id=DIGEST_JOB)


def record_routed(routed: dict[str, list[str]]) -> None:
	"""Digest lines for the leads a bulk run routed to each user."""
	from lead_qualification.lead_scoring.scoring import SqlLiterals

	now, user = now_datetime(), frappe.session.user
	rows = [
		(frappe.generate_hash(length=12), now, now, user, user, 0, 0, lead, rules.ROUTED, "", None, to, 1, 0)
		for to, leads in routed.items()
		for lead in leads
	]
	literal = SqlLiterals()
	columns = ", ".join(f"`{c}`" for c in ("name", *ALERT_COLUMNS))
	for i in range(0, len(rows), 5000):
		values = ", ".join("(" + ", ".join(map(literal, row)) + ")" for row in rows[i : i + 5000])
		frappe.db.sql(f"insert into `tabLead Alert` ({columns}) values {values}")


def send_pending_digests() -> None:
	"""One Notification Log per recipient for every alert a bulk run left pending."""
	settings = get_settings()
	pending = frappe.get_all(
		ALERT_DOCTYPE,
		filters={"digest": 1, "digest_sent": 0},
		fields=["name", "lead", "alert", "recipients"],
		order_by="creation asc",
		limit_page_length=0,
	)
	if not pending:
		return
	by_user: dict[str, list] = {}
	for row in pending:
		for user in (row.recipients or "").split("\n"):
			if user:
				by_user.setdefault(user, []).append(row)
	owner_of = dict(
		frappe.get_all(
			"Lead",
			filters={"name": ("in", list({r.lead for r in pending}))},
			fields=["name", "lead_owner"],
			as_list=True,
			limit_page_length=0,
		)
	)
	for user, rows in by_user.items():
		if is_notifications_enabled(user):
			send_digest(user, rows, owner_of, settings)
	frappe.db.sql(
		"update `tabLead Alert` set digest_sent = 1 where name in %(names)s",
		{"names": tuple(r.name for r in pending)},
	)


def send_digest(user: str, rows: list, owner_of: dict, settings) -> None:
	lang = get_user_lang(user)
	counts = {alert: 0 for alert in rules.DIGEST_LINES}
	for row in rows:
		counts[row.alert] += 1
	parts = []
	if counts[TURNED_HOT]:
		parts.append(_("{0} leads turned Hot", lang=lang).format(counts[TURNED_HOT]))
	if counts[BECAME_PROSPECT]:
		parts.append(_("{0} leads became prospects", lang=lang).format(counts[BECAME_PROSPECT]))
	if counts[HOT_LEAD_REPLIED]:
		parts.append(_("{0} hot leads replied", lang=lang).format(counts[HOT_LEAD_REPLIED]))
	if counts[rules.ROUTED]:
		parts.append(_("{0} leads were routed to you", lang=lang).format(counts[rules.ROUTED]))
	subject = ", ".join(parts)
	leads = list(dict.fromkeys(r.lead for r in rows))
	items = "".join(
		f'<li><a href="{get_url_to_form("Lead", lead)}">{escape_html(lead_title(lead))}</a></li>'
		for lead in leads[:DIGEST_LIST_LIMIT]
	)
	more = (
		"<p>" + _("and {0} more", lang=lang).format(len(leads) - DIGEST_LIST_LIMIT) + "</p>"
		if len(leads) > DIGEST_LIST_LIMIT
		else ""
	)
	content = f"<ul>{items}</ul>{more}"
	notify(user, subject, settings, link=digest_link(user, rows, owner_of), content=content)


def digest_link(user: str, rows: list, owner_of: dict) -> str:
	"""The Lead list, filtered to what the digest is about as far as a URL can say it."""
	filters = []
	alerts = {r.alert for r in rows}
	if alerts == {rules.ROUTED}:
		return "/app/lead?_assign=" + quote(f'["like","%{user}%"]')
	if alerts == {BECAME_PROSPECT}:
		filters.append(("qualification_status", "Qualified"))
	elif alerts <= {TURNED_HOT, HOT_LEAD_REPLIED}:
		filters.append(("lq_score_band", rules.HOT))
	owners = {owner_of.get(r.lead) for r in rows}
	if owners == {user}:
		filters.append(("lead_owner", user))
	elif owners == {None}:
		filters.append(("lead_owner", '["is","not set"]'))
	query = "&".join(f"{key}={quote(value)}" for key, value in filters)
	return "/app/lead" + (f"?{query}" if query else "")
