"""Benchmarks of the first-response clock: they print figures and assert nothing. Run them on
a test site, never in production; everything they write is rolled back.

	bench --site SITE execute lead_qualification.lead_response.benchmarks.save_ratio
	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.make_synthetic_leads \\
		--kwargs "{'count': 100000}"
	bench --site SITE execute lead_qualification.lead_response.benchmarks.bulk_band_change
"""

import statistics
import time
from unittest.mock import patch

import frappe
from frappe.utils import add_days, now_datetime

from lead_qualification import lead_events
from lead_qualification.lead_response import response


def _print(label, value):
	print(f"{label:<58} {value}")


def save_ratio(rounds: int = 200, warmup: int = 30):
	"""Median Lead insert and save with the clock on vs off, alternating in the same run
	(the rest of the app runs in both). Leads without an e-mail address: ERPNext's Gravatar
	lookup would dominate."""
	frappe.set_user("Administrator")
	timings = {(kind, on): [] for kind in ("insert", "save") for on in (True, False)}
	try:
		for i in range(warmup + rounds):
			for on in (i % 2 == 0, i % 2 != 0):
				with patch.object(response, "is_enabled", return_value=on):
					doc = frappe.get_doc({"doctype": "Lead", "first_name": f"Clock bench {i} {on}"})
					start = time.perf_counter()
					doc.insert()
					inserted = time.perf_counter() - start
					doc.bant_need = f"Project {i}"
					start = time.perf_counter()
					doc.save()
					saved = time.perf_counter() - start
				if i >= warmup:
					timings[("insert", on)].append(inserted)
					timings[("save", on)].append(saved)
	finally:
		frappe.db.rollback()
	result = {}
	for kind in ("insert", "save"):
		on, off = (statistics.median(timings[(kind, v)]) for v in (True, False))
		_print(f"median Lead {kind}, clock on / off (ms)", f"{on * 1000:.2f} / {off * 1000:.2f}")
		_print(f"ratio, Lead {kind}", f"{on / off:.3f}")
		result[kind] = {"on_ms": on * 1000, "off_ms": off * 1000, "ratio": on / off}
	return result


def bulk_band_change(prefix: str = "LQBENCH-"):
	"""Every synthetic lead turns Hot in one bulk announcement (as a bulk re-score announces
	it) to the clock's listener, then the overdue job flags them all; both timed. Needs the synthetic leads of
	lead_scoring.benchmarks.make_synthetic_leads."""
	frappe.set_user("Administrator")
	names = frappe.get_all("Lead", filters={"name": ("like", f"{prefix}%")}, pluck="name")
	if not names:
		print("no synthetic leads: run lead_scoring.benchmarks.make_synthetic_leads first")
		return None
	lead = frappe.qb.DocType("Lead")
	try:
		# a cold deadline far ahead, nobody answered yet
		(
			frappe.qb.update(lead)
			.set(lead.lr_respond_by, add_days(now_datetime(), 30))
			.set(lead.lr_first_responded_on, None)
			.set(lead.lr_response_overdue, 0)
			.where(lead.name.like(f"{prefix}%"))
		).run()
		changes = [lead_events.LeadChange(name, lead_events.BAND, "Hot", "Cold") for name in names]
		start = time.perf_counter()
		response.on_band_changes(changes, bulk=True)
		announced = time.perf_counter() - start
		tightened = frappe.db.count(
			"Lead", {"name": ("like", f"{prefix}%"), "lr_respond_by": ("<", add_days(now_datetime(), 1))}
		)
		start = time.perf_counter()
		flagged = response.flag_overdue(now=add_days(now_datetime(), 40))
		flag_time = time.perf_counter() - start
	finally:
		frappe.db.rollback()
	_print("leads turned Hot in one bulk announcement", len(names))
	_print("the clock's band listener, one bulk announcement (s)", f"{announced:.2f}")
	_print("deadlines tightened", tightened)
	_print("overdue job, flag step (s)", f"{flag_time:.2f}")
	_print("leads flagged", flagged)
	return {"leads": len(names), "announce_s": announced, "flag_s": flag_time, "flagged": flagged}
