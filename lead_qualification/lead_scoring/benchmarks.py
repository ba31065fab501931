"""Scoring benchmarks on a real site. They print figures; they assert nothing.

	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.make_synthetic_leads --kwargs "{'count': 100000}"
	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.bulk_rescore
	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.list_query
	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.remove_synthetic_leads

Synthetic leads are named LQBENCH-…, their rules "Bench rule …": remove_synthetic_leads
deletes both. Don't run this on a production site.
"""

import random
import statistics
import time

import frappe
from frappe.utils import add_days, create_batch, now_datetime

from lead_qualification.lead_scoring import engine, scoring

PREFIX = "LQBENCH-"
RULE_PREFIX = "Bench rule "
TERRITORIES = ("Lyon", "Villeurbanne", "Vénissieux", "Bron", "Annecy", "Grenoble", "Paris")
SOURCES = ("Advertisement", "Campaign", "Cold Calling", "Existing Customer", "Reference", "Walk In")


def _print(label, value):
	print(f"{label:<58} {value}")


# --- (a) Lead save: see save_benchmark.py (against a site without the app) -----------


# --- synthetic data -----------------------------------------------------------------------


def make_bench_rules(total: int = 30):
	"""Top the enabled rules up to `total` with varied synthetic ones."""
	frappe.flags.lq_skip_rescore = True
	existing = frappe.db.count("Lead Scoring Rule", {"enabled": 1})
	templates = [
		{
			"dimension": "Fit",
			"category": "Demographic",
			"field_name": "territory",
			"operator": "in list",
			"value": "Lyon\nVilleurbanne\nBron",
			"points": 5,
		},
		{
			"dimension": "Fit",
			"category": "Ideal Customer Fit",
			"field_name": "bant_budget_amount",
			"operator": "between",
			"value": "5000",
			"value_to": "50000",
			"points": 8,
		},
		{
			"dimension": "Fit",
			"category": "Buying Signal",
			"field_name": "bant_budget_amount",
			"operator": "greater than",
			"value": "50000",
			"points": 12,
		},
		{
			"dimension": "Fit",
			"category": "Demographic",
			"field_name": "source",
			"operator": "equals",
			"value": "Reference",
			"points": 6,
		},
		{
			"dimension": "Fit",
			"category": "Demographic",
			"field_name": "source",
			"operator": "equals",
			"value": "Cold Calling",
			"points": -3,
		},
		{
			"dimension": "Fit",
			"category": "Ideal Customer Fit",
			"field_name": "no_of_employees",
			"operator": "in list",
			"value": "11-50\n51-200",
			"points": 4,
		},
		{
			"dimension": "Fit",
			"category": "Buying Signal",
			"field_name": "bant_horizon",
			"operator": "equals",
			"value": "Over 6 Months",
			"points": -4,
		},
		{
			"dimension": "Fit",
			"category": "Demographic",
			"field_name": "city",
			"operator": "contains",
			"value": "lyon",
			"points": 3,
		},
		{
			"dimension": "Fit",
			"category": "Buying Signal",
			"field_name": "bant_urgency",
			"operator": "is set",
			"points": 5,
		},
		{
			"dimension": "Fit",
			"category": "Demographic",
			"field_name": "mobile_no",
			"operator": "is not set",
			"points": -2,
		},
		{
			"dimension": "Engagement",
			"category": "Engagement",
			"condition_type": "Activity",
			"activity_type": "Page Viewed",
			"points": 1,
			"cap": 5,
			"half_life_days": 7,
		},
		{
			"dimension": "Engagement",
			"category": "Behavioural",
			"condition_type": "Activity",
			"activity_type": "Document Downloaded",
			"min_count": 2,
			"points": 3,
			"cap": 9,
			"half_life_days": 21,
		},
		{
			"dimension": "Engagement",
			"category": "Engagement",
			"condition_type": "Activity",
			"activity_type": "Email Received",
			"window_days": 90,
			"points": 2,
			"cap": 6,
			"half_life_days": 60,
		},
		{
			"dimension": "Engagement",
			"category": "Buying Signal",
			"condition_type": "Activity",
			"activity_type": "Demo Requested",
			"points": 10,
			"half_life_days": 15,
		},
	]
	made = 0
	i = 0
	while existing + made < total:
		values = dict(templates[i % len(templates)])
		name = f"{RULE_PREFIX}{i + 1:02d}"
		i += 1
		if frappe.db.exists("Lead Scoring Rule", name):
			continue
		frappe.get_doc(
			{"doctype": "Lead Scoring Rule", "rule_name": name, "condition_type": "Lead Field", **values}
		).insert()
		made += 1
	frappe.db.commit()
	frappe.flags.lq_skip_rescore = False
	scoring.clear_rules_cache()
	_print("enabled scoring rules", frappe.db.count("Lead Scoring Rule", {"enabled": 1}))


def ensure_masters():
	"""The territories and lead sources the synthetic leads link to."""
	root = frappe.db.get_value(
		"Territory", {"is_group": 1, "parent_territory": ("in", ("", None))}
	) or frappe.db.get_value("Territory", {"is_group": 1})
	for territory in TERRITORIES:
		if not frappe.db.exists("Territory", territory):
			frappe.get_doc(
				{"doctype": "Territory", "territory_name": territory, "parent_territory": root, "is_group": 0}
			).insert(ignore_permissions=True)
	for source in SOURCES:
		if not frappe.db.exists("Lead Source", source):
			frappe.get_doc({"doctype": "Lead Source", "source_name": source}).insert(ignore_permissions=True)
	frappe.db.commit()


# the columns a Lead inserted raw needs (its naming series, titles, address and status),
# and their values (plain_lead); the benchmarks' leads add their own columns after these
PLAIN_LEAD_COLUMNS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"idx",
	"naming_series",
	"first_name",
	"lead_name",
	"title",
	"email_id",
	"status",
)


def plain_lead(name: str, now, label: str, email: str) -> tuple:
	"""The PLAIN_LEAD_COLUMNS of one lead inserted raw."""
	return (
		name,
		now,
		now,
		"Administrator",
		"Administrator",
		0,
		0,
		"CRM-LEAD-.YYYY.-",
		label,
		label,
		label,
		email,
		"Lead",
	)


def insert_leads(columns, rows, batch: int = 5000) -> None:
	"""Raw multi-row INSERTs into the Lead table, committed every `batch` rows."""
	for part in create_batch(rows, batch):
		scoring.insert_rows("tabLead", columns, part)
		frappe.db.commit()


def make_synthetic_leads(count: int = 100_000, activity_share: float = 0.2, seed: int = 7):
	"""Insert `count` synthetic leads with raw multi-row INSERTs (no document events), and
	three activity events for `activity_share` of them."""
	ensure_masters()
	rng = random.Random(seed)
	have = frappe.db.count("Lead", {"name": ("like", f"{PREFIX}%")})
	now = now_datetime()
	columns = (
		*PLAIN_LEAD_COLUMNS,
		"qualification_status",
		"territory",
		"source",
		"city",
		"no_of_employees",
		"company_name",
		"request_type",
		"bant_need",
		"bant_urgency",
		"bant_budget_amount",
		"bant_budget_status",
		"bant_authority",
		"bant_horizon",
	)
	rows = []
	for i in range(have, count):
		name = f"{PREFIX}{i:07d}"
		rows.append(
			(
				*plain_lead(
					name,
					now,
					f"Bench {i}",
					f"lqbench-{i}@{rng.choice(('gmail.com', 'example.com', 'free.fr'))}",
				),
				"Unqualified",
				rng.choice(TERRITORIES),
				rng.choice(SOURCES),
				rng.choice(("Lyon 3e", "Bron", "Paris")),
				rng.choice(("1-10", "11-50", "51-200")),
				rng.choice(("", "", f"Company {i}")),
				rng.choice(("", "Product Enquiry", "Request for Information")),
				rng.choice(("", "Roof", "Kitchen")),
				rng.choice(("", "Storm damage")),
				rng.choice((0, 4000, 15000, 80000)),
				rng.choice(("Unknown", "Estimated", "Confirmed", "Financed")),
				rng.choice(("Unknown", "Talking to an Influencer", "Talking to the Decision Maker")),
				rng.choice(("Unknown", "Immediate", "1-3 Months", "Over 6 Months")),
			)
		)
	start = time.perf_counter()
	insert_leads(columns, rows)
	_print("synthetic leads inserted", f"{len(rows)} in {time.perf_counter() - start:.1f} s")

	act_columns = (
		"lead",
		"activity_type",
		"occurred_on",
		"source",
		"event_id",
		"owner",
		"modified_by",
		"creation",
		"modified",
	)
	acts = []
	for i in range(have, count):
		if rng.random() < activity_share:
			for k in range(3):
				acts.append(
					(
						f"{PREFIX}{i:07d}",
						rng.choice(engine.ACTIVITY_TYPES),
						add_days(now, -rng.randint(0, 120)),
						"bench",
						f"bench:{i}:{k}",
						"Administrator",
						"Administrator",
						now,
						now,
					)
				)
	scoring.insert_rows("tabLead Activity", act_columns, acts, first="nextval(`lead_activity_id_seq`)")
	frappe.db.sql(
		"update `tabLead` set lq_has_activity = 1 where name in (select lead from `tabLead Activity`)"
	)
	frappe.db.commit()
	_print("synthetic activity events inserted", len(acts))
	_print("leads on the site", frappe.db.count("Lead"))


# --- (b) bulk re-score vs per-document save -------------------------------------------------


def ledger_mismatches() -> int:
	"""Leads whose ledger rows do not add up to their stored score (should be 0)."""
	return frappe.db.sql(
		"""select count(*) from `tabLead` l
		left join (select lead, sum(points) total from `tabLead Score Entry` group by lead) e
			on e.lead = l.name
		where abs(coalesce(l.lq_score, 0) - coalesce(e.total, 0)) > 0.005"""
	)[0][0]


def _timed_run(label: str, parts: int = 1, **kwargs) -> tuple[float, float]:
	"""One rescore_all and its figures, read from its Lead Scoring Run; in parts, the parts run
	on the long queue's workers and the time is until the last one finishes. Returns (leads
	per second, seconds)."""
	start = time.perf_counter()
	run = _wait(scoring.rescore_all(parts=parts, **kwargs))
	seconds = time.perf_counter() - start
	doc = frappe.get_doc("Lead Scoring Run", run)
	rate = doc.processed / seconds if seconds else 0
	_print(f"{label}: leads read", f"{doc.processed:,} ({doc.status}, {run}, {doc.parts} part(s))")
	_print(f"{label}: leads changed and written", f"{doc.changed:,}")
	_print(f"{label}: ledger rows written / deleted", f"{doc.rows_written:,} / {doc.rows_deleted:,}")
	_print(f"{label}: time (s)", f"{seconds:.2f}")
	_print(f"{label}: leads per second (target >= 10,000)", f"{rate:,.0f}")
	_print(f"{label}: peak memory of a process that ran it (MB)", f"{doc.peak_memory_mb:,.0f}")
	return rate, seconds


def _wait(run: str) -> str:
	"""Until the run's parts (on the workers) have finished."""
	frappe.db.commit()
	while frappe.db.get_value("Lead Scoring Run", run, "status") in ("Queued", "Running"):
		time.sleep(0.02)
		frappe.db.rollback()  # a new snapshot: the workers' commits become visible
	return run


def warm_up(parts: int) -> None:
	"""What a worker that has run a job before has: the modules a re-score imports (this
	matters where Python writes no .pyc files) and the rules cache."""
	for paths in (frappe.get_hooks("lead_change_listeners") or {}).values():
		for path in paths:
			frappe.get_attr(path)
	names = frappe.get_all("Lead", pluck="name", limit=50)
	scoring.rescore_leads(names)
	frappe.db.rollback()
	if parts > 1:  # each worker once, on a few leads
		_wait(scoring.rescore_all(reason="benchmark warm-up", parts=parts, min_leads_per_part=1))


def bulk_rescore(sample: int = 300, rules: int = 30, parts: int = 1):
	"""In one run: a full bulk re-score after a rule edit, the daily decay a day later, the
	same decay again (nothing moved), per-document saves, whether every ledger adds up, and
	the peak memory of the processes that ran the re-scores. With `parts` > 1 the re-scores
	run in that many parts on the long queue: start that many workers first
	(`bench worker --queue long`; bin/scoring-benchmarks does)."""
	frappe.set_user("Administrator")
	ensure_masters()
	make_bench_rules(rules)
	total = frappe.db.count("Lead")
	active = frappe.db.count("Lead", {"lq_has_activity": 1})
	_print("leads on the site / with activities", f"{total:,} / {active:,}")
	_print("enabled rules", len(scoring.load_rules()))
	_print("parts (long-queue workers)", parts)
	if frappe.db.count("Lead", {"lq_ledger_keys": ("is", "not set")}):
		# leads never scored (just made by make_synthetic_leads): every row is written
		_timed_run("first scoring (no ledger yet)", parts=parts, reason="benchmark first scoring")
	warm_up(parts)

	# a rule change, as when a manager edits a rule: the points of a rule that about two
	# thirds of the synthetic leads hit move by one, so their scores really change
	rule = frappe.get_all(
		"Lead Scoring Rule", filters={"enabled": 1, "field_name": "bant_need"}, pluck="name"
	)[0]
	points = frappe.db.get_value("Lead Scoring Rule", rule, "points")
	frappe.db.set_value("Lead Scoring Rule", rule, "points", points + (1 if points % 2 == 0 else -1))
	frappe.db.commit()
	scoring.clear_rules_cache()
	full_rate, _seconds = _timed_run(f"full re-score (rule '{rule}' edited)", parts=parts, reason="benchmark")

	# the daily decay, as the scheduler runs it tomorrow, then the same day once more
	tomorrow = add_days(now_datetime(), 1)
	decay_rate, decay_seconds = _timed_run(
		"daily decay, a day later",
		parts=parts,
		reason="benchmark decay",
		only_with_activity=True,
		now=tomorrow,
	)
	_print(
		"daily decay over the whole site: leads per second",
		f"{total / decay_seconds:,.0f}" if decay_seconds else "-",
	)
	_timed_run(
		"same decay again (nothing moved)",
		parts=parts,
		reason="benchmark decay",
		only_with_activity=True,
		now=tomorrow,
	)
	_print("leads whose ledger does not add up to the score", ledger_mismatches())

	names = frappe.get_all(
		"Lead", filters={"name": ("like", f"{PREFIX}%")}, pluck="name", limit_page_length=sample
	)
	start = time.perf_counter()
	for name in names:
		doc = frappe.get_doc("Lead", name)
		doc.flags.lq_force_rescore = True  # the score is recomputed on save
		doc.flags.ignore_permissions = True
		doc.save()
	per_doc_seconds = time.perf_counter() - start
	frappe.db.rollback()
	per_doc_rate = len(names) / per_doc_seconds
	_print("per-document save sample (leads)", len(names))
	_print("per-document leads per second", f"{per_doc_rate:,.1f}")
	_print("full bulk / per-document", f"{full_rate / per_doc_rate:,.1f}x")
	return {"full_rate": full_rate, "decay_rate": decay_rate, "per_doc_rate": per_doc_rate}


# --- (c) the score-sorted list --------------------------------------------------------------


def list_query(runs: int = 30):
	"""The Lead list's query, sorted by score, 20 rows (target <= 50 ms), as the desk runs it
	(frappe.desk.reportview.execute, behind /api/method/frappe.desk.reportview.get, with the
	list's columns), for Administrator and a Sales User (whose permission conditions apply)."""
	from frappe.desk.reportview import execute

	fields = [
		"`tabLead`.`name`",
		"`tabLead`.`title`",
		"`tabLead`.`status`",
		"`tabLead`.`lq_score_band`",
		"`tabLead`.`lq_score`",
		"`tabLead`.`bant_completeness`",
		"`tabLead`.`company_name`",
		"`tabLead`.`modified`",
		"`tabLead`.`_comment_count`",
		"`tabLead`.`_assign`",
		"`tabLead`.`_liked_by`",
	]
	results = {}
	sales_user = "lq-bench-sales@example.com"
	if not frappe.db.exists("User", sales_user):
		user = frappe.get_doc(
			{"doctype": "User", "email": sales_user, "first_name": "Bench Sales", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		user.add_roles("Sales User")
		frappe.db.commit()
	for user in ("Administrator", sales_user):
		frappe.set_user(user)
		timings = []
		for _ in range(runs):
			start = time.perf_counter()
			rows = execute(
				"Lead",
				fields=fields,
				order_by="`tabLead`.`lq_score` desc",
				start=0,
				page_length=20,
				with_comment_count=True,
			)
			timings.append(time.perf_counter() - start)
		results[user] = statistics.median(timings) * 1000
		_print(f"score-sorted list, 20 rows, median of {runs} ({user}) ms", f"{results[user]:.1f}")
		assert len(rows) == 20
		start = time.perf_counter()
		frappe.db.count("Lead")
		_print(f"  and the list's total count ({user}) ms", f"{(time.perf_counter() - start) * 1000:.1f}")
	frappe.set_user("Administrator")
	explain = frappe.db.sql(
		"explain select name from `tabLead` order by lq_score desc limit 20", as_dict=True
	)
	_print(
		"plan for ORDER BY lq_score DESC LIMIT 20",
		f"key={explain[0].get('key')} type={explain[0].get('type')}",
	)
	_print("leads on the site", frappe.db.count("Lead"))
	return results


def remove_synthetic_leads():
	frappe.db.sql("delete from `tabLead Score Entry` where lead like %s", f"{PREFIX}%")
	frappe.db.sql("delete from `tabLead Activity` where lead like %s", f"{PREFIX}%")
	frappe.db.sql("delete from `tabLead` where name like %s", f"{PREFIX}%")
	frappe.db.sql("delete from `tabLead Scoring Rule` where name like %s", f"{RULE_PREFIX}%")
	frappe.db.commit()
	scoring.clear_rules_cache()
	_print("leads on the site", frappe.db.count("Lead"))
