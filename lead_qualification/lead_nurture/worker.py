"""The nurture worker: sends what is due, at most once, never silently skipping a step.

- `enqueue_due` is the scheduler's thin entry: it hands the work to `process_due` on the
  long queue, in as many parallel jobs as Lead Nurture Settings say (a lead's enrollments
  all go to one of them), each queued at most once at a time.
- `process_due` takes due enrollments in batches, locking them (FOR UPDATE SKIP LOCKED,
  so two workers never take the same one). Each enrollment's touch — the Nurture Touch
  row (unique per enrollment and step), its Email Queue row or ToDo, and the enrollment's
  advance to the next step — is written inside one transaction, committed per batch (the
  rows themselves together at the batch's end, `BatchWrites`): a worker killed mid-batch
  loses the whole uncommitted batch, which is simply done again on the next run; a
  committed step is never done twice. A failing enrollment is rolled back to its savepoint,
  logged with frappe.log_error, retried an hour later, and the batch goes on; a batch that
  fails as a whole (a deadlock) is rolled back and taken again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime, nowdate

from lead_qualification.lead_nurture import cadence, enrollment
from lead_qualification.lead_nurture.doctype.lead_nurture_settings.lead_nurture_settings import (
	DEFAULT_PARALLEL_JOBS,
	MAX_PARALLEL_JOBS,
)
from lead_qualification.lead_nurture.mailer import RunMailer, bulk_insert_dicts, reuse_email_work
from lead_qualification.privacy import lead_privacy

JOB_ID = "lead_qualification:nurture"
RETRY_AFTER = timedelta(hours=1)
TOUCH = "Nurture Touch"
OUTCOMES = ("touched", "stopped", "completed", "postponed", "passed_over", "failed")
MAX_BATCH_RETRIES = 3


def enqueue_due():
	"""Scheduler entry (every 15 minutes): one job per part (Lead Nurture Settings' Parallel
	Jobs), each on the long queue, so that as many long-queue workers as the bench runs share
	the work. A part whose job from an earlier run is still queued or running is not queued
	again."""
	if not enrollment.is_enabled():
		return
	if not frappe.db.exists(enrollment.ENROLLMENT, {"status": "Active", "next_due": ("<=", now_datetime())}):
		return
	parts = parallel_jobs()
	for part in range(parts):
		frappe.enqueue(
			"lead_qualification.lead_nurture.worker.process_due",
			queue="long",
			timeout=3600,
			job_id=f"{JOB_ID}:{part}" if parts > 1 else JOB_ID,
			deduplicate=True,
			part=part,
			parts=parts,
		)


def parallel_jobs() -> int:
	jobs = cint(enrollment.get_settings().parallel_jobs) or DEFAULT_PARALLEL_JOBS  # unset: sites from before
	return min(max(jobs, 1), MAX_PARALLEL_JOBS)


def due_batch(now: datetime, size: int, part: int = 0, parts: int = 1) -> list[dict]:
	"""The next due enrollments of this part, locked for this transaction.

	Enrollments are shared between parts by their lead (CRC32 of the lead's name), so all of a
	lead's enrollments are in one part and the per-lead weekly cap is counted by one job.
	Candidates are read first without locks, then locked by primary key with SKIP LOCKED: a
	locking scan would also lock the other parts' rows it passes over."""
	part_filter = "and crc32(lead) %% %(parts)s = %(part)s" if parts > 1 else ""
	offset = 0
	while True:
		candidates = frappe.db.sql_list(
			f"""select name from `tabNurture Enrollment`
			where status = 'Active' and next_due <= %(now)s {part_filter}
			order by next_due
			limit %(size)s offset %(offset)s""",
			{"now": now, "size": size, "offset": offset, "part": part, "parts": parts},
		)
		if not candidates:
			return []
		# by primary key only: through another index InnoDB would lock every row it reads
		rows = frappe.db.sql(
			"""select name, lead, sequence, next_step, enrolled_on, last_touch_on, next_due
			from `tabNurture Enrollment` force index (primary)
			where name in %(names)s and status = 'Active' and next_due <= %(now)s
			for update skip locked""",
			{"names": tuple(candidates), "now": now},
			as_dict=True,
		)
		if rows:
			return sorted(rows, key=lambda row: (row.next_due, row.name))
		offset += size  # all of these are another job's, for now: look further


def process_due(
	max_batches: int | None = None,
	batch_size: int | None = None,
	commit: bool = True,
	part: int = 0,
	parts: int = 1,
) -> dict:
	"""Process every due enrollment of part `part` of `parts`; returns counts. Commits after
	each batch (tests pass commit=False to keep their transaction)."""
	with reuse_email_work():
		return _process_due(max_batches, batch_size, commit, part, parts)


def _process_due(
	max_batches: int | None, batch_size: int | None, commit: bool, part: int, parts: int
) -> dict:
	settings = enrollment.get_settings()
	size = batch_size or cint(settings.batch_size) or 200
	counts = dict.fromkeys(OUTCOMES, 0)
	counts["batches_retried"] = 0
	batches = retries = 0
	enrollment.clear_holiday_cache()
	mailer = RunMailer()
	while max_batches is None or batches < max_batches:
		now = now_datetime()
		rows = due_batch(now, size, part, parts)
		if not rows:
			break
		writes = BatchWrites(mailer)
		start = writes.mark()
		try:
			batch_counts = process_batch(rows, now, settings, writes)
			writes.flush()
		except Exception:
			# Nothing of this batch is kept (a deadlock, a lost connection...): its
			# enrollments are still due and are taken again; after three failures in a row,
			# the next run takes them.
			frappe.db.rollback()
			writes.discard(start)
			frappe.log_error(title=_("Nurture batch could not be written"))
			counts["batches_retried"] += 1
			retries += 1
			if retries >= MAX_BATCH_RETRIES:
				break
			continue
		if commit:
			frappe.db.commit()  # per batch, on purpose: see the module docstring
		retries = 0
		batches += 1
		for outcome, n in batch_counts.items():
			counts[outcome] += n
	return counts


def process_batch(rows, now: datetime, settings, writes: BatchWrites) -> dict:
	"""Each enrollment of the batch in its savepoint; returns the outcomes. A failing
	enrollment is rolled back, logged and retried an hour later; an error that has already
	undone the whole transaction (deadlock, lock wait) is raised for the batch to be retried."""
	counts = dict.fromkeys(OUTCOMES, 0)
	facts = enrollment.lead_facts(rows)
	leads = {
		r.name: r
		for r in frappe.get_all(
			"Lead", filters={"name": ("in", [r.lead for r in rows])}, fields=["*"], limit_page_length=0
		)
	}
	touches = enrollment.recent_touches_for([r.lead for r in rows], now)
	done = recorded_steps(rows)
	writes.mailer.load_unsubscribed({name: lead.email_id for name, lead in leads.items()})
	for row in rows:
		savepoint = f"lq_nurture_{frappe.generate_hash(length=8)}"
		frappe.db.savepoint(savepoint)
		mark = writes.mark()
		try:
			if touch_key(row) in done:  # the unique key would refuse it at the batch's end
				frappe.throw(
					_("Step {0} of nurture enrollment {1} is already recorded; it is not done twice.").format(
						row.next_step, row.name
					)
				)
			outcome = process_one(
				row,
				facts.get(row.lead),
				now,
				settings,
				leads.get(row.lead),
				touches.setdefault(row.lead, []),
				writes,
			)
			counts[outcome] += 1
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			raise
		except Exception:
			frappe.db.rollback(save_point=savepoint)
			writes.discard(mark)
			counts["failed"] += 1
			frappe.log_error(
				title=_("Nurture step failed for {0}").format(row.lead),
				reference_doctype=enrollment.ENROLLMENT,
				reference_name=row.name,
			)
			frappe.db.set_value(
				enrollment.ENROLLMENT, row.name, "next_due", now + RETRY_AFTER, update_modified=False
			)
	return counts


def touch_key(row) -> str:
	return f"{row.name}:{row.next_step}"


def recorded_steps(rows) -> set[str]:
	"""The touch keys of these enrollments' due steps that already have a touch (only after
	a manual change of an enrollment's step)."""
	return set(
		frappe.get_all(TOUCH, filters={"touch_key": ("in", [touch_key(r) for r in rows])}, pluck="touch_key")
	)


class BatchWrites:
	"""What a batch's steps write — their Nurture Touch rows, their enrollments' advance and
	their Email Queue rows — kept until the batch's end and then written together, in the
	batch's transaction (multi-row INSERTs, one UPDATE per distinct change). A failing
	enrollment's share is dropped with its savepoint (`mark` / `discard`)."""

	def __init__(self, mailer: RunMailer):
		self.mailer = mailer
		self.touches: list[dict] = []
		self.advances: list[tuple[str, dict]] = []

	def mark(self) -> tuple[int, int, int]:
		return len(self.touches), len(self.advances), self.mailer.mark()

	def discard(self, mark: tuple[int, int, int]) -> None:
		touches, advances, mails = mark
		del self.touches[touches:]
		del self.advances[advances:]
		self.mailer.discard(mails)

	def flush(self) -> None:
		self.mailer.flush()
		bulk_insert_dicts(TOUCH, self.touches)
		same_change: dict[tuple, list[str]] = {}
		for name, values in self.advances:
			same_change.setdefault(tuple(sorted(values.items())), []).append(name)
		for change, names in same_change.items():
			# by primary key only: on a small table a plain `name in (...)` may be read by a
			# full scan that locks every row, the other parts' too (a deadlock)
			values = dict(change)
			assignments = ", ".join(f"`{field}` = %({field})s" for field in values)
			frappe.db.sql(
				f"""update `tabNurture Enrollment` force index (primary)
				set {assignments} where name in %(names)s""",
				{**values, "names": tuple(names)},
			)
		self.touches, self.advances = [], []


def process_one(
	row, facts: cadence.LeadFacts | None, now: datetime, settings, lead, touches: list, writes: BatchWrites
) -> str:
	"""One enrollment's due step. `lead` is the Lead's row (a dict of its fields) and
	`touches` the list of its touches of the last 7 days, both loaded for the whole batch;
	a touch made here is added to that list, so that the lead's other enrollments in the
	same batch count it against the weekly cap. The touch and the advance go to `writes`."""
	if facts is None or lead is None:  # the lead is gone
		enrollment.stop(row.name, cadence.STOPPED_BY_USER, now)
		return "stopped"
	reason = cadence.stop_reason(facts)
	if reason:
		enrollment.stop(row.name, reason, now)
		frappe.get_doc("Lead", row.lead).add_comment("Info", _("Nurture stopped ({0}).").format(_(reason)))
		return "stopped"

	seq = frappe.get_cached_doc("Nurture Sequence", row.sequence)
	if row.next_step > len(seq.steps):
		complete(row.name, now)
		return "completed"
	step = seq.steps[row.next_step - 1]
	band = lead.get("lq_score_band") or cadence.COLD

	if not cadence.step_applies(step.band, band):
		record_touch(
			writes,
			row,
			step,
			"Passed Over",
			now,
			note=_("Step for {0} leads; this lead is {1}.").format(_(step.band), _(band)),
		)
		advance(writes, row, seq, lead, now, touched=False, settings=settings)
		return "passed_over"

	limits = enrollment.get_limits(lead.get("company"), settings)
	moment = cadence.allowed_moment(now, limits, touches)
	if moment > now:
		frappe.db.set_value(enrollment.ENROLLMENT, row.name, "next_due", moment, update_modified=False)
		return "postponed"

	if step.channel == "Email":
		refusal = lead_privacy.email_refusal(lead)  # GDPR: marketing e-mails need a lawful basis
		if not lead.email_id:
			record_touch(writes, row, step, "Passed Over", now, note=_("The lead has no e-mail address."))
		elif refusal:
			record_touch(writes, row, step, "Passed Over", now, note=_(refusal))
		else:
			queue = send_email(lead, step, writes.mailer)
			record_touch(writes, row, step, "Sent", now, email_queue=queue)
			touches.append(now)
	else:
		todo = make_todo(lead, step, row)
		record_touch(writes, row, step, "Task Created", now, todo=todo)
		touches.append(now)
	advance(writes, row, seq, lead, now, touched=True, settings=settings)
	return "touched"


def record_touch(
	writes: BatchWrites, row, step, outcome: str, now: datetime, email_queue=None, todo=None, note=None
):
	"""The step's record; its unique key (enrollment:step) makes a second one impossible.
	(Written as built here, in full: no validation or hooks to run.)"""
	writes.touches.append(
		{
			"name": frappe.generate_hash(length=10),
			"enrollment": row.name,
			"lead": row.lead,
			"step": row.next_step,
			"touch_key": touch_key(row),
			"channel": step.channel,
			"outcome": outcome,
			"done_on": now,
			"email_queue": email_queue,
			"todo": todo,
			"note": note,
			"owner": frappe.session.user,
			"modified_by": frappe.session.user,
			"creation": now,
			"modified": now,
			"docstatus": 0,
			"idx": 0,
		}
	)


def advance(writes: BatchWrites, row, seq, lead, now: datetime, touched: bool, settings) -> None:
	next_step = row.next_step + 1
	values = {"next_step": next_step}
	if touched:
		values["last_touch_on"] = now
	if next_step > len(seq.steps):
		values.update({"status": "Completed", "next_due": None})
	else:
		step = seq.steps[next_step - 1]
		since = now if touched else get_datetime(row.last_touch_on or row.enrolled_on)
		due = cadence.planned_due(
			since, step.wait_days, lead.get("lq_score_band"), enrollment.get_cadence(settings)
		)
		values["next_due"] = max(due, now)
	writes.advances.append((row.name, values))


def complete(name: str, now: datetime) -> None:
	frappe.db.set_value(enrollment.ENROLLMENT, name, {"status": "Completed", "next_due": None})


def template_for(lead, step) -> str:
	language = (lead.get("language") or frappe.db.get_default("lang") or "").lower()
	if language.startswith("fr") and step.email_template_fr:
		return step.email_template_fr
	return step.email_template


def send_email(lead, step, mailer: RunMailer) -> str | None:
	"""Render the Email Template with the lead and queue it through Frappe's Email Queue
	(QueueBuilder adds the unsubscribe link and drops unsubscribed addresses)."""
	template = frappe.get_cached_doc("Email Template", template_for(lead, step))
	return mailer.queue(template, lead)


def make_todo(lead, step, row) -> str:
	owner = (
		lead.get("lead_owner") or frappe.db.get_value(enrollment.ENROLLMENT, row.name, "owner") or lead.owner
	)
	prefix = _("Call") if step.channel == "Call Task" else _("To do")
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": owner,
			"reference_type": "Lead",
			"reference_name": lead.name,
			"description": f"{prefix}: {lead.lead_name or lead.name} — {step.task}",
			"date": nowdate(),
			"priority": "High" if lead.get("lq_score_band") == cadence.HOT else "Medium",
			"assigned_by": "Administrator",
		}
	)
	todo.insert(ignore_permissions=True)
	return todo.name
