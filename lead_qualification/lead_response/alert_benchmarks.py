"""Cost of alerts and routing on a real site. They print figures; they assert nothing.

	bench --site SITE execute lead_qualification.lead_response.alert_benchmarks.save_cost
	bench --site SITE execute lead_qualification.lead_response.alert_benchmarks.bulk_cost --kwargs "{'count': 100000}"

Both compare, in the same run, the same work with alerts and routing on and off (off:
both switched off in Lead Routing Settings, so the routing Assignment Rules are disabled
too). save_cost rolls everything back; bulk_cost uses the scoring benchmarks' synthetic
leads (LQBENCH-…) and removes what alerts and routing wrote for them. Don't run this on a
production site.
"""

import statistics
import time

import frappe

from lead_qualification.lead_scoring import benchmarks as scoring_benchmarks
from lead_qualification.lead_scoring import scoring

SETTINGS = "Lead Routing Settings"
USERS = tuple(f"lq-bench-seller{i}@example.com" for i in range(1, 5))
RULE = "Bench response rule"
_print = scoring_benchmarks._print


def ensure_users():
	for email in USERS:
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": email.split("@")[0],
					"send_welcome_email": 0,
				}
			).insert(ignore_permissions=True)
			user.add_roles("Sales User")


def set_features(on: bool):
	settings = frappe.get_single(SETTINGS)
	settings.update(
		{
			"enable_alerts": int(on),
			"alert_turned_hot": 1,
			"alert_became_prospect": 1,
			"alert_hot_reply": 1,
			"send_email": int(
				bool(frappe.db.get_value("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}))
			),
			"fallback_role": settings.fallback_role or "Sales Manager",
			"enable_routing": int(on),
			"hot_rule_type": "Load Balancing",
			"warm_rule_type": "Round Robin",
			"cold_rule_type": "Round Robin",
		}
	)
	settings.set("hot_users", [{"user": u} for u in USERS[:2]])
	settings.set("warm_users", [{"user": u} for u in USERS[2:]])
	settings.set("cold_users", [{"user": u} for u in USERS[2:]])
	settings.flags.ignore_permissions = True
	settings.save()


def ensure_rule(points: int):
	"""A rule that moves leads across the Hot threshold when its points change."""
	frappe.flags.lq_skip_rescore = True
	if frappe.db.exists("Lead Scoring Rule", RULE):
		frappe.db.set_value("Lead Scoring Rule", RULE, {"points": points, "enabled": 1})
	else:
		frappe.get_doc(
			{
				"doctype": "Lead Scoring Rule",
				"rule_name": RULE,
				"dimension": "Fit",
				"category": "Buying Signal",
				"condition_type": "Lead Field",
				"field_name": "bant_budget_amount",
				"operator": "greater than",
				"value": "50000",
				"points": points,
			}
		).insert()
	frappe.flags.lq_skip_rescore = False
	scoring.clear_rules_cache()


# --- (a) a Lead save ---------------------------------------------------------------------


def save_cost(rounds: int = 150, warmup: int = 20):
	"""Median Lead save with alerts and routing on vs off, for saves that move the lead in
	and out of Hot (the alert, the re-routing) and saves that change a scored field without
	changing the band (the common case). Each round saves both variants on the same lead."""
	frappe.set_user("Administrator")
	ensure_users()
	ensure_rule(200)  # budget over 50,000: Hot whatever else
	leads = []
	for i in range(10):
		doc = frappe.get_doc(
			{"doctype": "Lead", "first_name": f"Response bench {i}", "lead_owner": USERS[i % 4]}
		)
		doc.insert()
		leads.append(doc)
	timings = {(kind, on): [] for kind in ("band", "same") for on in (True, False)}
	try:
		for i in range(warmup + rounds):
			for on in (i % 2 == 0, i % 2 != 0):
				set_features(on)
				for kind in ("band", "same"):
					doc = leads[i % len(leads)]
					doc.reload()
					if kind == "band":  # in and out of Hot on alternate saves
						doc.bant_budget_amount = 10000 if (doc.bant_budget_amount or 0) > 50000 else 90000
					else:  # a scored field, the band stays
						doc.bant_budget_status = (
							"Estimated" if doc.bant_budget_status != "Estimated" else "Unknown"
						)
					start = time.perf_counter()
					doc.save()
					if i >= warmup:
						timings[(kind, on)].append(time.perf_counter() - start)
	finally:
		frappe.db.rollback()
		scoring.clear_rules_cache()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	out = {}
	for kind, label in (("band", "saves in/out of Hot"), ("same", "saves, band unchanged")):
		on, off = statistics.median(timings[(kind, True)]), statistics.median(timings[(kind, False)])
		out[kind] = {"on_ms": on * 1000, "off_ms": off * 1000, "ratio": on / off}
		_print(f"{label}: measured per variant", len(timings[(kind, True)]))
		_print("  median save, alerts and routing on (ms)", f"{on * 1000:.2f}")
		_print("  median save, alerts and routing off (ms)", f"{off * 1000:.2f}")
		_print("  ratio on / off", f"{on / off:.3f}")
	return out


# --- (b) a bulk re-score ---------------------------------------------------------------------


def bulk_cost(count: int = 100_000):
	"""rescore_all over the site's leads (topped up to `count` synthetic ones, owned by four
	sellers), after a rule edit that sends about a quarter of them into Hot and back, with
	alerts and routing off, then on."""
	frappe.set_user("Administrator")
	ensure_users()
	scoring_benchmarks.make_synthetic_leads(count)
	frappe.db.sql(
		"update `tabLead` set lead_owner = elt(1 + crc32(name) %% 4, %s, %s, %s, %s) where name like %s",
		(*USERS, f"{scoring_benchmarks.PREFIX}%"),
	)
	ensure_rule(1)
	frappe.db.commit()
	scoring.rescore_all(reason="benchmark: baseline")
	total = frappe.db.count("Lead")
	results = {}
	try:
		for on in (False, True):
			set_features(on)
			frappe.db.commit()
			for points, direction in ((200, "into Hot"), (1, "out of Hot")):
				ensure_rule(points)
				frappe.db.commit()
				logs = frappe.db.count("Notification Log")
				start = time.perf_counter()
				scoring.rescore_all(reason=f"benchmark: {direction}")
				seconds = time.perf_counter() - start
				results[f"{direction}, {'on' if on else 'off'}"] = seconds
				_print(
					f"rescore_all {total} leads, {direction}, features {'on' if on else 'off'} (s)",
					f"{seconds:.1f}",
				)
				if on:
					_print("  notifications written", frappe.db.count("Notification Log") - logs)
		changed = frappe.db.count("Lead", {"bant_budget_amount": (">", 50000)})
		_print("leads moved by the rule edit (each way)", changed)
		for direction in ("into Hot", "out of Hot"):
			on, off = results[f"{direction}, on"], results[f"{direction}, off"]
			_print(f"ratio on / off, {direction}", f"{on / off:.2f}")
			_print(
				f"  added cost per moved lead, {direction} (ms)", f"{(on - off) * 1000 / max(changed, 1):.2f}"
			)
	finally:
		cleanup()
	return results


def cleanup():
	"""What alerts and routing wrote for the synthetic leads; the routing rules disabled."""
	like = f"{scoring_benchmarks.PREFIX}%"
	frappe.db.sql("delete from `tabLead Alert` where lead like %s", like)
	frappe.db.sql("delete from `tabToDo` where reference_type = 'Lead' and reference_name like %s", like)
	frappe.db.sql(
		"delete from `tabComment` where reference_doctype = 'Lead' and reference_name like %s", like
	)
	frappe.db.sql("delete from `tabNotification Log` where for_user in %s", (USERS,))
	frappe.db.sql("update `tabLead` set _assign = null where name like %s", like)
	frappe.db.sql("delete from `tabLead Scoring Rule` where name = %s", RULE)
	frappe.db.commit()
	set_features(False)
	frappe.db.commit()
	scoring.clear_rules_cache()
