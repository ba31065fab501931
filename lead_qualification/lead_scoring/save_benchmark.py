"""Lead saves with the app against a site without it, side by side in one process.

	cd ~/frappe-bench/sites
	../env/bin/python -m lead_qualification.lead_scoring.save_benchmark APP_SITE BASELINE_SITE

APP_SITE has ERPNext and this app, BASELINE_SITE ERPNext alone (same bench, so the same
Frappe and ERPNext code, database server and Redis). The baseline is first topped up with
plain leads to as many as APP_SITE holds (same data size). The two sites take turns, in blocks:
each block inserts leads, then changes on each a field that no scoring rule reads, and rolls
everything back, so both sites keep the data they had. The first block of each site and the
first saves of every block (caches filling after the switch) are not counted.

ERPNext's Lead validation (and the Contact's, for the contact made from a lead) looks the
e-mail address up on Gravatar over the network, with a 5-second timeout that every lookup
hits on a machine without internet: the lookup is left out on both sides (it is the same code
on both, and is not the app's).

It prints the medians and their ratios (targets: insert <= 1.2x, update <= 1.1x); it asserts
nothing. A third arm runs on APP_SITE with the app's document hooks left out (its fields on
the Lead kept): it splits what the app adds to a save into what Frappe and ERPNext spend on
the app's Lead columns (loading, validating, versioning and writing them) and what the app's
own code spends. Don't run it on a production site: it writes leads, then rolls them back.
"""

from __future__ import annotations

import statistics
import sys
import time

import frappe

from lead_qualification.lead_scoring.benchmarks import PLAIN_LEAD_COLUMNS, _print, insert_leads, plain_lead

# fields of a Lead that an update may change; the first that no enabled rule reads is used
UPDATE_CANDIDATES = ("website", "fax", "job_title", "whatsapp_no", "city")


def connect(site: str) -> None:
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	no_gravatar()


def no_gravatar() -> None:
	"""Lead (validate) and Contact (made from the lead, validate) look the address up."""
	import erpnext.crm.doctype.lead.lead as lead_controller
	import frappe.contacts.doctype.contact.contact as contact_controller

	for module in (lead_controller, contact_controller, frappe.utils):
		module.has_gravatar = lambda email: ""


def without_app_hooks() -> None:
	"""This process's document hooks without the app's: a save then runs Frappe's and ERPNext's
	code only, on the same Lead columns (for the benchmark's third arm)."""
	frappe.local.doc_events_hooks = {
		doctype: {
			event: [m for m in methods if not m.startswith("lead_qualification.")]
			for event, methods in events.items()
		}
		for doctype, events in frappe.get_doc_hooks().items()
	}


def disconnect() -> None:
	frappe.db.rollback()
	frappe.destroy()


def field_no_rule_reads(app_site: str) -> str:
	connect(app_site)
	try:
		from lead_qualification.lead_scoring import engine, scoring

		used = engine.fields_used(scoring.load_rules())
		return next(f for f in UPDATE_CANDIDATES if f not in used)
	finally:
		disconnect()


def block(
	site: str, size: int, fieldname: str, skip: int, app_code: bool = True
) -> tuple[list[float], list[float], int]:
	"""Insert `size` leads, then update each; times in seconds (the first `skip` of each
	left out), and the number of leads the site holds. Everything is rolled back.
	`app_code` False: without the app's document hooks (see without_app_hooks)."""
	connect(site)
	if not app_code:
		without_app_hooks()
	inserts, updates = [], []
	try:
		leads = frappe.db.count("Lead")
		names = []
		for i in range(size):
			tag = frappe.generate_hash(length=8)
			doc = frappe.get_doc(
				{
					"doctype": "Lead",
					"first_name": f"Save {tag}",
					"last_name": "Benchmark",
					"email_id": f"save-{tag}@example.com",
					"mobile_no": f"+33 6 12 34 {i % 100:02d} {i % 97:02d}",
					"company_name": f"Atelier {tag}",
					"source": "Advertisement" if frappe.db.exists("Lead Source", "Advertisement") else None,
				}
			)
			start = time.perf_counter()
			doc.insert(ignore_permissions=True)
			elapsed = time.perf_counter() - start
			if i >= skip:
				inserts.append(elapsed)
			names.append(doc.name)
		for i, name in enumerate(names):
			doc = frappe.get_doc("Lead", name)
			doc.set(fieldname, f"changed {i}" if fieldname != "website" else f"https://example.com/{i}")
			start = time.perf_counter()
			doc.save(ignore_permissions=True)
			elapsed = time.perf_counter() - start
			if i >= skip:
				updates.append(elapsed)
	finally:
		disconnect()
	return inserts, updates, leads


BASELINE_PREFIX = "LQBASE-"


def match_lead_count(app_site: str, baseline_site: str) -> None:
	"""Top the baseline site up with plain leads (ERPNext's own fields, raw multi-row INSERTs,
	named LQBASE-…) to as many leads as the app's site holds: both tables the same size."""
	connect(app_site)
	try:
		wanted = frappe.db.count("Lead")
	finally:
		disconnect()
	connect(baseline_site)
	try:
		have = frappe.db.count("Lead")
		if have >= wanted:
			return
		now = frappe.utils.now_datetime()
		start = frappe.db.count("Lead", {"name": ("like", f"{BASELINE_PREFIX}%")})
		rows = [
			(
				*plain_lead(f"{BASELINE_PREFIX}{i:07d}", now, f"Base {i}", f"lqbase-{i}@example.com"),
				f"Company {i}" if i % 3 else "",
			)
			for i in range(start, start + wanted - have)
		]
		insert_leads((*PLAIN_LEAD_COLUMNS, "company_name"), rows)
	finally:
		disconnect()


def run(app_site: str, baseline_site: str, blocks: int = 16, size: int = 15, skip: int = 3) -> dict:
	match_lead_count(app_site, baseline_site)
	fieldname = field_no_rule_reads(app_site)
	# the arms: (site, with the app's code); their order turns every block, so that none
	# always follows the same one
	app, fields_only, baseline = (app_site, True), (app_site, False), (baseline_site, True)
	arms = (app, fields_only, baseline)
	times = {arm: ([], []) for arm in arms}
	rounds: list[dict] = []  # each round's medians by arm: how much the ratio moves between rounds
	counts = {}
	for b in range(blocks + 1):
		for arm in arms[b % 3 :] + arms[: b % 3]:
			site, app_code = arm
			inserts, updates, counts[site] = block(site, size, fieldname, skip, app_code)
			if b:  # the first block of each arm warms it up
				times[arm][0].extend(inserts)
				times[arm][1].extend(updates)
				if len(rounds) < b:
					rounds.append({})
				rounds[-1][arm] = (statistics.median(inserts), statistics.median(updates))
	medians = {arm: (statistics.median(ins), statistics.median(upd)) for arm, (ins, upd) in times.items()}
	(app_insert, app_update), (base_insert, base_update) = medians[app], medians[baseline]
	fields_insert, fields_update = medians[fields_only]
	_print(
		"sites (leads held)", f"{app_site} ({counts[app_site]}), {baseline_site} ({counts[baseline_site]})"
	)
	_print("saves measured per site and kind", len(times[app][0]))
	_print("field changed by the update (no rule reads it)", fieldname)
	_print(
		"Lead insert, median ms: with the app / without",
		f"{app_insert * 1000:.2f} / {base_insert * 1000:.2f}",
	)
	_print("Lead insert ratio (target <= 1.2)", f"{app_insert / base_insert:.3f}")
	_print(
		"Lead update, median ms: with the app / without",
		f"{app_update * 1000:.2f} / {base_update * 1000:.2f}",
	)
	_print("Lead update ratio (target <= 1.1)", f"{app_update / base_update:.3f}")
	for kind, k in (("insert", 0), ("update", 1)):
		ratios = sorted(r[app][k] / r[baseline][k] for r in rounds)
		_print(
			f"  {kind} ratio round by round: median (lowest - highest)",
			f"{statistics.median(ratios):.3f} ({ratios[0]:.3f} - {ratios[-1]:.3f}), {len(ratios)} rounds",
		)
	_print(
		"  the app's fields alone (its hooks off), insert / update ms",
		f"{fields_insert * 1000:.2f} / {fields_update * 1000:.2f}",
	)
	_print(
		"  ratios of the fields alone, insert / update",
		f"{fields_insert / base_insert:.3f} / {fields_update / base_update:.3f}",
	)
	return {
		"insert_ratio": app_insert / base_insert,
		"update_ratio": app_update / base_update,
		"fields_only_ratios": (fields_insert / base_insert, fields_update / base_update),
		"medians_ms": {
			f"{site}{'' if code else ' (hooks off)'}": (i * 1000, u * 1000)
			for (site, code), (i, u) in medians.items()
		},
	}


if __name__ == "__main__":
	if len(sys.argv) < 3:
		sys.exit(__doc__)
	run(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:]))
