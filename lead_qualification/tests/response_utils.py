"""Shared set-up for the alert and routing tests (Lead Response)."""

import frappe
from frappe.cache_manager import clear_doctype_map

from lead_qualification import lead_events
from lead_qualification.lead_events import LeadChange
from lead_qualification.tests.utils import make_user, update_single

ROUTING_SETTINGS = "Lead Routing Settings"
TEST_ROLE = "LQ Test Alerted Role"


def set_routing_settings(**values):
	update_single(ROUTING_SETTINGS, **values)


def reset_routing_settings():
	"""Alerts on (all three, e-mail too, fallback to a test role only the test users have),
	routing off with no users."""
	ensure_test_role()
	values = dict(
		enable_alerts=1,
		alert_turned_hot=1,
		alert_became_prospect=1,
		alert_hot_reply=1,
		send_email=1,
		fallback_role=TEST_ROLE,
		enable_routing=0,
		reroute_manual=0,
	)
	for stage in ("prospect", "hot", "warm", "cold"):
		values[f"{stage}_users"] = []
	set_routing_settings(**values)


def ensure_test_role():
	if not frappe.db.exists("Role", TEST_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": TEST_ROLE, "desk_access": 1}).insert(
			ignore_permissions=True
		)


def forget_cached_rules():
	"""After a rollback (routing does it too, on rollback): the caches must not name
	Assignment Rules that no longer exist."""
	clear_doctype_map("Assignment Rule", "Lead")
	frappe.clear_document_cache(ROUTING_SETTINGS, ROUTING_SETTINGS)
	for name in frappe.get_all("Assignment Rule", pluck="name"):
		frappe.clear_document_cache("Assignment Rule", name)


def make_sales_user(email: str, language: str | None = None, roles=("Sales User",)):
	user = make_user(email, list(roles))
	if language and user.language != language:
		user.db_set("language", language)
		frappe.clear_document_cache("User", email)
	return email


def announce(*changes: tuple, bulk: bool = False):
	"""Announce (lead, kind, value, previous) changes as the app's writers do."""
	lead_events.announce([LeadChange(*c) for c in changes], bulk=bulk)


def notifications(user: str, **filters) -> list:
	return frappe.get_all(
		"Notification Log",
		filters={"for_user": user, **filters},
		fields=["name", "subject", "type", "document_name", "link", "email_content"],
		order_by="creation asc",
	)
