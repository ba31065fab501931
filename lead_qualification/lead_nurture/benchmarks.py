"""Nurture benchmarks and the crash test, on a real site. They print figures.

	bench --site SITE execute lead_qualification.lead_nurture.benchmarks.worker_run --kwargs "{'count': 10000, 'workers': 2}"
	bench --site SITE execute lead_qualification.lead_nurture.benchmarks.growth
	bench --site SITE execute lead_qualification.lead_nurture.benchmarks.scheduler_run --kwargs "{'count': 10000}"

`worker_run` is a scheduler run as it happens on a bench: the scheduler's entry
(worker.enqueue_due) queues the run's jobs on the long queue and real long-queue workers
(`bench worker --queue long`, started by the benchmark) process them; the time runs from
the scheduler's call until every due enrollment is done. `scheduler_run` does the same work
in this one process, without the queue.
	bin/nurture-crash-test SITE          (kills the worker 20 times, then checks)

They need leads to enroll: the scoring benchmarks' synthetic leads (LQBENCH-…), made by
lead_qualification.lead_scoring.benchmarks.make_synthetic_leads. Their enrollments,
touches, Email Queue rows and ToDos are removed by `cleanup`. Not for a production site.
"""

import subprocess
import time
from datetime import timedelta

import frappe
from frappe.utils import add_days, get_bench_path, getdate, now_datetime
from frappe.utils.background_jobs import get_queue, get_workers

from lead_qualification.lead_nurture import worker
from lead_qualification.lead_scoring.scoring import insert_rows

PREFIX = "LQBENCH-"
SEQUENCE = "Bench nurture sequence"


def _print(label, value):
	print(f"{label:<58} {value}")


def ensure_outgoing_account():
	# the tests' loopback account: nothing is sent, the queue is never flushed here
	from lead_qualification.tests.utils import ensure_outgoing_email_account

	ensure_outgoing_email_account()


def ensure_sequence():
	if not frappe.db.exists("Nurture Sequence", SEQUENCE):
		frappe.get_doc(
			{
				"doctype": "Nurture Sequence",
				"sequence_name": SEQUENCE,
				"enabled": 1,
				"steps": [
					{
						"channel": "Email",
						"email_template": "Nurture - Useful advice",
						"email_template_fr": "Nurture - Conseils utiles",
					},
					{"channel": "To Do", "task": "Review", "wait_days": 1},
				],
			}
		).insert(ignore_permissions=True)


def prepare_due_run(count: int, ensure_sequences) -> list[str]:
	"""A clean slate for a run: earlier benchmark rows removed, the outgoing account and the
	run's sequences there, no quiet hours nor holidays; returns up to `count` synthetic leads
	that are not prospects."""
	cleanup(quiet=True)
	ensure_outgoing_account()
	ensure_sequences()
	frappe.db.set_single_value(
		"Lead Nurture Settings",
		{"enabled": 1, "quiet_hours_start": "00:00:00", "quiet_hours_end": "00:00:00", "use_holiday_list": 0},
	)
	return frappe.get_all(
		"Lead",
		filters={"name": ("like", f"{PREFIX}%"), "qualification_status": ("!=", "Qualified")},
		pluck="name",
		limit_page_length=count,
		order_by="name",
	)


def make_due_enrollments(count: int) -> int:
	"""`count` Active enrollments in the bench sequence, all due now (raw INSERTs)."""
	leads = prepare_due_run(count, ensure_sequence)
	now = now_datetime()
	due = now - timedelta(minutes=5)
	rows = [
		(f"lqbench-{lead}", lead, SEQUENCE, "Active", 1, due, now, "Administrator", "Administrator", now, now)
		for lead in leads
	]
	insert_rows(
		"tabNurture Enrollment",
		(
			"name",
			"lead",
			"sequence",
			"status",
			"next_step",
			"next_due",
			"enrolled_on",
			"owner",
			"modified_by",
			"creation",
			"modified",
		),
		rows,
	)
	frappe.db.commit()
	frappe.clear_cache(doctype="Lead Nurture Settings")
	return len(rows)


def scheduler_run(
	count: int = 10_000, batch_size: int = 200, kind: str = "nurture", quotation_email: int = 1
) -> dict:
	"""One scheduler run over `count` due enrollments, in this process: time, Email Queue
	rows, touches. kind="follow-up": prospect and quotation follow-ups, half each."""
	made = make_due_follow_ups(count, quotation_email) if kind == "follow-up" else make_due_enrollments(count)
	queue_before = frappe.db.count("Email Queue")
	start = time.perf_counter()
	counts = worker.process_due(batch_size=batch_size)
	seconds = time.perf_counter() - start
	queue_rows = frappe.db.count("Email Queue") - queue_before
	_print("due enrollments", made)
	_print("processed in one run (s) (target <= 60 for 10,000)", f"{seconds:.1f}")
	_print("per enrollment (ms)", f"{1000 * seconds / max(made, 1):.2f}")
	_print("Email Queue rows created", queue_rows)
	_print("outcomes", counts)
	return {"count": made, "seconds": seconds, "email_queue_rows": queue_rows, **counts}


def still_due() -> int:
	frappe.db.commit()  # a new snapshot: see what the workers committed
	return frappe.db.count(
		"Nurture Enrollment", {"name": ("like", "lqbench-%"), "status": "Active", "next_step": 1}
	)


def worker_run(
	count: int = 10_000, workers: int = 2, timeout: int = 900, kind: str = "nurture", quotation_email: int = 1
) -> dict:
	"""One scheduler run on the bench's queue with `workers` long-queue workers (and as many
	Parallel Jobs): time from worker.enqueue_due() until no bench enrollment is due.
	kind="follow-up": prospect and quotation follow-ups, half each (make_due_follow_ups)."""
	made = make_due_follow_ups(count, quotation_email) if kind == "follow-up" else make_due_enrollments(count)
	frappe.db.set_single_value("Lead Nurture Settings", "parallel_jobs", workers)
	frappe.db.commit()
	queue = get_queue("long")
	waiting = queue.count  # other jobs already queued run first and count in the time
	started_before = len(get_workers(queue))
	logs = [open(f"{get_bench_path()}/logs/lq-benchmark-worker-{i}.log", "w") for i in range(workers)]
	procs = [
		subprocess.Popen(
			["bench", "worker", "--queue", "long"],
			cwd=get_bench_path(),
			stdout=log,
			stderr=subprocess.STDOUT,
			start_new_session=True,
		)
		for log in logs
	]
	try:
		deadline = time.monotonic() + 60
		while len(get_workers(queue)) < started_before + workers and time.monotonic() < deadline:
			time.sleep(0.2)
		queue_before = frappe.db.count("Email Queue")
		started_on = now_datetime()
		start = time.perf_counter()
		worker.enqueue_due()
		left = made
		while time.perf_counter() - start < timeout:
			time.sleep(0.25)
			left = still_due()
			if not left:
				break
		seconds = time.perf_counter() - start
	finally:
		for proc in procs:
			proc.terminate()
		for proc in procs:
			proc.wait(timeout=30)
		for log in logs:
			log.close()
	queue_rows = frappe.db.count("Email Queue") - queue_before
	_print("due enrollments" if kind != "follow-up" else "due follow-ups (prospect + quotation)", made)
	if kind == "follow-up":
		_print("ToDos created (reminders)", bench_todos())
	_print("long-queue workers (= Parallel Jobs)", workers)
	_print("other jobs waiting in the long queue before the run", waiting)
	_print("scheduler run, enqueue_due to all done (s) (target <= 60)", f"{seconds:.1f}")
	_print("per enrollment (ms)", f"{1000 * seconds / max(made, 1):.2f}")
	_print("Email Queue rows created", queue_rows)
	retried = frappe.db.count(
		"Error Log", {"method": "Nurture batch could not be written", "creation": (">=", started_on)}
	)
	_print("left undone", left)
	_print("batches taken again (deadlock or other write failure)", retried)
	return {
		"count": made,
		"workers": workers,
		"seconds": seconds,
		"email_queue_rows": queue_rows,
		"left": left,
		"batches_retried": retried,
		"jobs_waiting_before": waiting,
	}


def growth(workers: int = 2):
	"""How the run time grows from 1,000 to 10,000 due enrollments (a worker_run each)."""
	small = worker_run(1000, workers)
	large = worker_run(10_000, workers)
	_print("1,000 -> 10,000: time ratio (10 = linear)", f"{large['seconds'] / small['seconds']:.1f}")
	cleanup()
	return {"1000": small["seconds"], "10000": large["seconds"]}


# --- crash test ------------------------------------------------------------------------------


def crash_setup(count: int = 3000, kind: str = "nurture") -> int:
	made = make_due_follow_ups(count) if kind == "follow-up" else make_due_enrollments(count)
	_print("due enrollments for the crash test", made)
	return made


def crash_check() -> dict:
	"""After the kills and a final complete run: no step twice, none skipped."""
	enrollments = frappe.db.count("Nurture Enrollment", {"sequence": SEQUENCE})
	not_advanced = frappe.db.count(
		"Nurture Enrollment", {"sequence": SEQUENCE, "next_step": 1, "status": "Active"}
	)
	duplicate_emails = frappe.db.sql(
		"""select count(*) from (select q.reference_name from `tabEmail Queue` q
		where q.reference_doctype = 'Lead' and q.reference_name like %s
		group by q.reference_name having count(*) > 1) d""",
		f"{PREFIX}%",
	)[0][0]
	touches = frappe.db.count("Nurture Touch", {"enrollment": ("like", "lqbench-%"), "step": 1})
	emails = frappe.db.count(
		"Email Queue", {"reference_doctype": "Lead", "reference_name": ("like", f"{PREFIX}%")}
	)
	emails_without_touch = frappe.db.sql(
		"""select count(*) from `tabEmail Queue` q
		where q.reference_doctype = 'Lead' and q.reference_name like %s
		and not exists (select 1 from `tabNurture Touch` t where t.email_queue = q.name)""",
		f"{PREFIX}%",
	)[0][0]
	emails_without_recipient = frappe.db.sql(
		"""select count(*) from `tabEmail Queue` q
		where q.reference_doctype = 'Lead' and q.reference_name like %s
		and not exists (select 1 from `tabEmail Queue Recipient` r where r.parent = q.name)""",
		f"{PREFIX}%",
	)[0][0]
	skipped = frappe.db.sql(
		"""select count(*) from `tabNurture Enrollment` e
		where e.sequence = %s and e.next_step > 1
		and not exists (select 1 from `tabNurture Touch` t where t.enrollment = e.name and t.step = 1)""",
		SEQUENCE,
	)[0][0]
	result = {
		"enrollments": enrollments,
		"step 1 touches": touches,
		"Email Queue rows": emails,
		"duplicate Email Queue rows (leads with more than one)": duplicate_emails,
		"Email Queue rows without their touch": emails_without_touch,
		"Email Queue rows without their recipient": emails_without_recipient,
		"skipped steps (advanced without a touch)": skipped,
		"not yet processed": not_advanced,
	}
	for k, v in result.items():
		_print(k, v)
	ok = (
		duplicate_emails == 0
		and skipped == 0
		and emails_without_touch == 0
		and emails_without_recipient == 0
		and not_advanced == 0
		and touches == enrollments
	)
	_print("CRASH TEST", "PASSED" if ok else "FAILED")
	return result


def cleanup(quiet: bool = False):
	cleanup_follow_ups()
	frappe.db.sql(
		"delete from `tabEmail Queue Recipient` where parent in (select name from `tabEmail Queue` where reference_doctype = 'Lead' and reference_name like %s)",
		f"{PREFIX}%",
	)
	frappe.db.sql(
		"delete from `tabEmail Queue` where reference_doctype = 'Lead' and reference_name like %s",
		f"{PREFIX}%",
	)
	frappe.db.sql(
		"delete from `tabToDo` where reference_type = 'Lead' and reference_name like %s", f"{PREFIX}%"
	)
	frappe.db.sql("delete from `tabNurture Touch` where enrollment like 'lqbench-%%'")
	frappe.db.sql("delete from `tabNurture Enrollment` where name like 'lqbench-%%'")
	frappe.db.sql(
		"delete from `tabComment` where reference_doctype = 'Lead' and reference_name like %s and content like %s",
		(f"{PREFIX}%", "%Nurture%"),
	)
	frappe.db.commit()
	if not quiet:
		_print("bench enrollments removed", "yes")


# --- prospect and quotation follow-ups -----------------------------------------------------------

PROSPECT_SEQUENCE = "Bench prospect cadence"
QUOTATION_SEQUENCE = "Bench quotation follow-up"
QUOTATION_REMINDERS = "Bench quotation reminders"
QUOTATION_PREFIX = "LQBENCH-QTN-"


def ensure_follow_up_sequences():
	"""A prospect cadence whose step is a call task for the owner (a ToDo), and a quotation
	follow-up whose first step is the courteous e-mail with the quotation attached and whose
	second is a reminder (a ToDo linked to the quotation)."""
	from lead_qualification.lead_nurture.defaults import install_follow_ups

	install_follow_ups()  # the e-mail templates
	sequences = {
		PROSPECT_SEQUENCE: {
			"stage": "Prospect",
			"repeat_steps": 1,
			"steps": [{"channel": "Call Task", "task": "Agree on the next step"}],
		},
		QUOTATION_SEQUENCE: {
			"stage": "Quotation",
			"steps": [
				{
					"channel": "Email",
					"timing": "Working Days After Start",
					"offset_days": 2,
					"email_template": "Quotation follow-up",
					"email_template_fr": "Relance de devis",
				},
				{"channel": "To Do", "timing": "Working Days After Start", "offset_days": 7, "task": "Call"},
			],
		},
		QUOTATION_REMINDERS: {  # the shipped default: reminders only
			"stage": "Quotation",
			"steps": [
				{"channel": "To Do", "timing": "Working Days After Start", "offset_days": 2, "task": "Check"},
				{"channel": "To Do", "timing": "Working Days After Start", "offset_days": 7, "task": "Call"},
			],
		},
	}
	for name, values in sequences.items():
		if not frappe.db.exists("Nurture Sequence", name):
			frappe.get_doc(
				{"doctype": "Nurture Sequence", "sequence_name": name, "enabled": 1, **values}
			).insert(ignore_permissions=True)


def make_due_follow_ups(count: int, quotation_email: int = 1) -> int:
	"""`count` Active enrollments, all due now: half a prospect's cadence (their leads marked
	Qualified), half a submitted quotation's follow-up (quotations to the other leads, raw
	INSERTs, in the site's default company and currency). With `quotation_email`, the
	quotations' due step is the e-mail to the contact (the costlier case); without, a
	reminder to the owner (the shipped sequence)."""
	quotation_sequence = QUOTATION_SEQUENCE if quotation_email else QUOTATION_REMINDERS
	leads = prepare_due_run(count, ensure_follow_up_sequences)
	prospects, quoted = leads[: len(leads) // 2], leads[len(leads) // 2 :]
	now = now_datetime()
	due = now - timedelta(minutes=5)
	for i in range(0, len(prospects), 1000):
		frappe.db.sql(
			"update `tabLead` set qualification_status = 'Qualified' where name in %(names)s",
			{"names": tuple(prospects[i : i + 1000])},
		)
	company = frappe.defaults.get_global_default("company")
	currency = frappe.get_cached_value("Company", company, "default_currency")
	today = getdate(now)
	insert_rows(
		"tabQuotation",
		(
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"docstatus",
			"idx",
			"naming_series",
			"title",
			"quotation_to",
			"party_name",
			"customer_name",
			"transaction_date",
			"valid_till",
			"company",
			"currency",
			"conversion_rate",
			"price_list_currency",
			"plc_conversion_rate",
			"order_type",
			"status",
			"total",
			"grand_total",
			"base_grand_total",
			"rounded_total",
			"base_rounded_total",
		),
		[
			(
				f"{QUOTATION_PREFIX}{lead}",
				now,
				now,
				"Administrator",
				"Administrator",
				1,
				0,
				"SAL-QTN-.YYYY.-",
				f"Quotation {lead}",
				"Lead",
				lead,
				f"Customer {lead}",
				str(today),
				str(add_days(today, 30)),
				company,
				currency,
				1,
				currency,
				1,
				"Sales",
				"Open",
				1000 + i,
				1000 + i,
				1000 + i,
				1000 + i,
				1000 + i,
			)
			for i, lead in enumerate(quoted)
		],
	)
	columns = (
		"name",
		"lead",
		"sequence",
		"stage",
		"quotation",
		"status",
		"next_step",
		"next_due",
		"enrolled_on",
		"owner",
		"modified_by",
		"creation",
		"modified",
	)
	before = now - timedelta(days=3)  # the quotations' D+2 is due now
	rows = [
		(f"lqbench-p-{lead}", lead, PROSPECT_SEQUENCE, "Prospect", None, "Active", 1, due, before)
		for lead in prospects
	] + [
		(
			f"lqbench-q-{lead}",
			lead,
			quotation_sequence,
			"Quotation",
			f"{QUOTATION_PREFIX}{lead}",
			"Active",
			1,
			due,
			before,
		)
		for lead in quoted
	]
	insert_rows(
		"tabNurture Enrollment",
		columns,
		[(*row, "Administrator", "Administrator", now, now) for row in rows],
	)
	frappe.db.commit()
	frappe.clear_cache(doctype="Lead Nurture Settings")
	return len(rows)


def bench_todos() -> int:
	return frappe.db.sql(
		"""select count(*) from `tabToDo` where (reference_type = 'Lead' and reference_name like %(p)s)
		or (reference_type = 'Quotation' and reference_name like %(q)s)""",
		{"p": f"{PREFIX}%", "q": f"{QUOTATION_PREFIX}%"},
	)[0][0]


def follow_up_growth(workers: int = 2, quotation_email: int = 1):
	"""How a follow-up run's time grows from 1,000 to 10,000 due follow-ups (a worker_run each)."""
	small = worker_run(1000, workers, kind="follow-up", quotation_email=quotation_email)
	large = worker_run(10_000, workers, kind="follow-up", quotation_email=quotation_email)
	_print("1,000 -> 10,000: time ratio (10 = linear)", f"{large['seconds'] / small['seconds']:.1f}")
	cleanup()
	return {"1000": small["seconds"], "10000": large["seconds"]}


def follow_up_crash_check() -> dict:
	"""After the kills and a final complete run: every follow-up's first step done exactly
	once (one touch, one ToDo per prospect, one Email Queue row per quotation), none skipped."""
	enrollments = frappe.db.count("Nurture Enrollment", {"name": ("like", "lqbench-%")})
	not_advanced = frappe.db.count(
		"Nurture Enrollment", {"name": ("like", "lqbench-%"), "next_step": 1, "status": "Active"}
	)
	touches = frappe.db.count("Nurture Touch", {"enrollment": ("like", "lqbench-%"), "step": 1})
	todos = frappe.db.count("ToDo", {"reference_type": "Lead", "reference_name": ("like", f"{PREFIX}%")})
	duplicate_todos = frappe.db.sql(
		"""select count(*) from (select reference_name from `tabToDo` where reference_type = 'Lead'
		and reference_name like %s group by reference_name having count(*) > 1) d""",
		f"{PREFIX}%",
	)[0][0]
	todos_without_touch = frappe.db.sql(
		"""select count(*) from `tabToDo` d where d.reference_type = 'Lead' and d.reference_name like %s
		and not exists (select 1 from `tabNurture Touch` t where t.todo = d.name)""",
		f"{PREFIX}%",
	)[0][0]
	emails = frappe.db.count(
		"Email Queue", {"reference_doctype": "Quotation", "reference_name": ("like", f"{QUOTATION_PREFIX}%")}
	)
	duplicate_emails = frappe.db.sql(
		"""select count(*) from (select reference_name from `tabEmail Queue` where reference_doctype = 'Quotation'
		and reference_name like %s group by reference_name having count(*) > 1) d""",
		f"{QUOTATION_PREFIX}%",
	)[0][0]
	emails_without_touch = frappe.db.sql(
		"""select count(*) from `tabEmail Queue` q where q.reference_doctype = 'Quotation'
		and q.reference_name like %s
		and not exists (select 1 from `tabNurture Touch` t where t.email_queue = q.name)""",
		f"{QUOTATION_PREFIX}%",
	)[0][0]
	skipped = frappe.db.sql(
		"""select count(*) from `tabNurture Enrollment` e where e.name like 'lqbench-%%' and e.next_step > 1
		and not exists (select 1 from `tabNurture Touch` t where t.enrollment = e.name and t.step = 1)"""
	)[0][0]
	prospects = frappe.db.count("Nurture Enrollment", {"name": ("like", "lqbench-p-%")})
	quotations = frappe.db.count("Nurture Enrollment", {"name": ("like", "lqbench-q-%")})
	result = {
		"follow-ups (prospect + quotation)": f"{enrollments} ({prospects} + {quotations})",
		"step 1 touches": touches,
		"prospect ToDos": todos,
		"leads with more than one ToDo": duplicate_todos,
		"ToDos without their touch": todos_without_touch,
		"quotation Email Queue rows": emails,
		"quotations with more than one Email Queue row": duplicate_emails,
		"Email Queue rows without their touch": emails_without_touch,
		"skipped steps (advanced without a touch)": skipped,
		"not yet processed": not_advanced,
	}
	for k, v in result.items():
		_print(k, v)
	ok = (
		touches == enrollments
		and todos == prospects
		and emails == quotations
		and not (duplicate_todos or todos_without_touch or duplicate_emails or emails_without_touch)
		and not (skipped or not_advanced)
	)
	_print("CRASH TEST", "PASSED" if ok else "FAILED")
	return result


def cleanup_follow_ups():
	"""The bench follow-ups: their ToDos (and assignment comments), e-mails, touches,
	enrollments and quotations; their prospects back to Unqualified."""
	frappe.db.sql(
		"""update `tabLead` set qualification_status = 'Unqualified'
		where name in (select lead from `tabNurture Enrollment` where name like 'lqbench-p-%%')"""
	)
	q = f"{QUOTATION_PREFIX}%"
	frappe.db.sql(
		"""delete from `tabEmail Queue Recipient` where parent in (select name from `tabEmail Queue`
		where reference_doctype = 'Quotation' and reference_name like %s)""",
		q,
	)
	frappe.db.sql(
		"delete from `tabEmail Queue` where reference_doctype = 'Quotation' and reference_name like %s", q
	)
	frappe.db.sql("delete from `tabToDo` where reference_type = 'Quotation' and reference_name like %s", q)
	frappe.db.sql(
		"delete from `tabComment` where reference_doctype = 'Quotation' and reference_name like %s", q
	)
	frappe.db.sql(
		"delete from `tabComment` where reference_doctype = 'Lead' and reference_name like %s and comment_type = 'Assigned'",
		f"{PREFIX}%",
	)
	frappe.db.sql("delete from `tabQuotation` where name like %s", q)
	frappe.db.commit()
