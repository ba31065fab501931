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

import json
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, getdate, now_datetime

from lead_qualification.lead_nurture import cadence, enrollment, followup
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
			"""select name, lead, sequence, stage, quotation, next_step, enrolled_on, last_touch_on, next_due
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
	quotation_facts = enrollment.quotation_facts(rows, now)
	quotations = load_quotations(rows)
	leads = {
		r.name: r
		for r in frappe.get_all(
			"Lead", filters={"name": ("in", [r.lead for r in rows])}, fields=["*"], limit_page_length=0
		)
	}
	touches = enrollment.recent_touches_for([r.lead for r in rows], now)
	done = recorded_steps(rows)
	writes.mailer.load_unsubscribed({name: lead.email_id for name, lead in leads.items()})
	if quotations:
		writes.quotation_mailer.load_unsubscribed(
			{name: recipient_of(q, leads.get(q.lq_lead)) for name, q in quotations.items()}
		)
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
				quotation=quotations.get(row.quotation) if row.quotation else None,
				quotation_facts=quotation_facts.get(row.quotation) if row.quotation else None,
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


def load_quotations(rows) -> dict:
	"""The batch's quotations (the fields a reminder and an e-mail use), by name."""
	names = sorted({r.quotation for r in rows if r.get("quotation")})
	if not names:
		return {}
	lead_of = {r.quotation: r.lead for r in rows if r.get("quotation")}
	out = {}
	for q in frappe.get_all("Quotation", filters={"name": ("in", names)}, fields=["*"], limit_page_length=0):
		q.lq_lead = lead_of.get(q.name)
		out[q.name] = q
	return out


def recipient_of(quotation, lead) -> str | None:
	"""Who a quotation's courteous e-mail goes to: its contact, else the lead."""
	return quotation.get("contact_email") or (lead or {}).get("email_id")


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
		self.quotation_mailer = mailer.for_doctype("Quotation")
		self.touches: list[dict] = []
		self.advances: list[tuple[str, dict]] = []
		self.reminders = Reminders()

	def mark(self) -> tuple[int, int, int, int, int]:
		return (
			len(self.touches),
			len(self.advances),
			self.mailer.mark(),
			self.quotation_mailer.mark(),
			self.reminders.mark(),
		)

	def discard(self, mark: tuple[int, int, int, int, int]) -> None:
		touches, advances, mails, quotation_mails, reminders = mark
		del self.touches[touches:]
		del self.advances[advances:]
		self.mailer.discard(mails)
		self.quotation_mailer.discard(quotation_mails)
		self.reminders.discard(reminders)

	def flush(self) -> None:
		self.mailer.flush()
		self.quotation_mailer.flush()
		self.reminders.flush()
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


class Reminders:
	"""The batch's ToDos, written together at the batch's end as ToDo.insert would write each:
	the ToDo row (its validate has nothing to check for a new assignment), the "Assigned"
	comment on the referenced document (ToDo.on_update → add_assign_comment, the text ToDo's
	validate composes) and the reference's `_assign` list (update_in_reference), one
	statement per kind instead of a document load and four writes per ToDo. The desk's live
	update of an open form (Comment's realtime event) is not sent. test_follow_up compares a
	row with ToDo.insert's."""

	def __init__(self):
		self.todos: list = []

	def mark(self) -> int:
		return len(self.todos)

	def discard(self, mark: int) -> None:
		del self.todos[mark:]

	def add(self, values: dict) -> str:
		todo = frappe.new_doc("ToDo")  # with the DocType's defaults (status Open)
		todo.update(values)
		# what ToDo.insert fetches (fetch_from: assigned_by.full_name)
		todo.assigned_by_full_name = frappe.get_cached_value("User", todo.assigned_by, "full_name")
		todo.set_new_name()
		todo.set_user_and_timestamp()
		self.todos.append(todo)
		return todo.name

	def flush(self) -> int:
		todos, self.todos = self.todos, []
		if not todos:
			return 0
		bulk_insert_dicts(
			"ToDo", [t.get_valid_dict(convert_dates_to_str=True, ignore_virtual=True) for t in todos]
		)
		bulk_insert_dicts("Comment", [assignment_comment(t) for t in todos])
		update_assign_lists({(t.reference_type, t.reference_name) for t in todos})
		return len(todos)


def assignment_comment(todo) -> dict:
	"""The comment ToDo.on_update adds to the referenced document for a new assignment."""
	from frappe.utils import get_fullname

	if todo.assigned_by == todo.allocated_to:
		text = _("{0} self assigned this task: {1}").format(get_fullname(todo.assigned_by), todo.description)
	else:
		text = _("{0} assigned {1}: {2}").format(
			get_fullname(todo.assigned_by), get_fullname(todo.allocated_to), todo.description
		)
	comment = frappe.new_doc("Comment")
	comment.update(
		{
			"comment_type": "Assigned",
			"comment_email": frappe.session.user,
			"reference_doctype": todo.reference_type,
			"reference_name": todo.reference_name,
			"content": frappe.utils.sanitize_html(
				text, always_sanitize=True, disallowed_tags=["form", "input", "button"]
			),
		}
	)
	comment.set_new_name()
	comment.set_user_and_timestamp()
	return comment.get_valid_dict(convert_dates_to_str=True, ignore_virtual=True)


def update_assign_lists(references: set[tuple[str, str]]) -> None:
	"""The references' `_assign` (the users of their open ToDos, oldest first), as
	ToDo.update_in_reference sets it, for many references at once."""
	by_doctype: dict[str, list[str]] = {}
	for doctype, name in references:
		by_doctype.setdefault(doctype, []).append(name)
	for doctype, names in by_doctype.items():
		assigned: dict[str, list[str]] = {name: [] for name in names}
		for name, user in frappe.db.sql(
			"""select reference_name, allocated_to from `tabToDo`
			where reference_type = %(doctype)s and reference_name in %(names)s
			and status not in ('Cancelled', 'Closed') and ifnull(allocated_to, '') != ''
			order by creation asc, name asc""",
			{"doctype": doctype, "names": tuple(names)},
		):
			assigned[name].append(user)
		same: dict[str, list[str]] = {}
		for name, users in assigned.items():
			same.setdefault(json.dumps(users) if users else "", []).append(name)
		for value, refs in same.items():
			frappe.db.sql(
				f"update `tab{doctype}` set `_assign` = %(value)s where name in %(names)s",
				{"value": value, "names": tuple(refs)},
			)


def process_one(
	row,
	facts: cadence.LeadFacts | None,
	now: datetime,
	settings,
	lead,
	touches: list,
	writes: BatchWrites,
	quotation=None,
	quotation_facts: followup.QuotationFacts | None = None,
) -> str:
	"""One enrollment's due step. `lead` is the Lead's row (a dict of its fields) and
	`touches` the list of its touches of the last 7 days, both loaded for the whole batch;
	a touch made here is added to that list, so that the lead's other enrollments in the
	same batch count it against the weekly cap. The touch and the advance go to `writes`.
	A Quotation-stage enrollment also gets its quotation's row and facts."""
	stage = row.get("stage") or followup.LEAD
	if lead is None or (stage != followup.QUOTATION and facts is None):  # the lead is gone
		enrollment.stop(row.name, cadence.STOPPED_BY_USER, now)
		return "stopped"
	reason = followup.stop_reason(stage, facts, quotation_facts, getdate(now))
	if reason:
		enrollment.stop(row.name, reason, now, stage)
		if stage == followup.QUOTATION and quotation:
			frappe.get_doc("Quotation", row.quotation).add_comment(
				"Info", _("Follow-ups stopped ({0}).").format(_(reason))
			)
		else:
			message = (
				_("Nurture stopped ({0}).") if stage == followup.LEAD else _("Follow-ups stopped ({0}).")
			)
			frappe.get_doc("Lead", row.lead).add_comment("Info", message.format(_(reason)))
		return "stopped"

	seq = frappe.get_cached_doc("Nurture Sequence", row.sequence)
	index = followup.step_index(row.next_step, len(seq.steps), bool(seq.get("repeat_steps")))
	if index is None:
		complete(row.name, now)
		return "completed"
	step = seq.steps[index - 1]
	band = lead.get("lq_score_band") or cadence.COLD

	if stage != followup.QUOTATION and not cadence.step_applies(step.band, band):
		record_touch(
			writes,
			row,
			step,
			"Passed Over",
			now,
			note=_("Step for {0} leads; this lead is {1}.").format(_(step.band), _(band)),
		)
		advance(writes, row, seq, lead, now, touched=False, settings=settings, quotation=quotation)
		return "passed_over"

	limits = enrollment.get_limits(lead.get("company"), settings)
	moment = cadence.allowed_moment(now, limits, touches)
	if moment > now:
		frappe.db.set_value(enrollment.ENROLLMENT, row.name, "next_due", moment, update_modified=False)
		return "postponed"

	if step.channel == "Email":
		recipient = recipient_of(quotation, lead) if quotation else lead.email_id
		queue = None
		# GDPR: marketing e-mails need a lawful basis; a quotation's follow-up answers the
		# contact's own request for a quote (pre-contractual), so it is not held to it
		refusal = None if quotation else lead_privacy.email_refusal(lead)
		if not recipient:
			note = _("The lead has no e-mail address.")
		elif refusal:
			note = _(refusal)
		elif not followup.emails_allowed(stage, facts):
			note = _("The contact does not want e-mails (unsubscribed, bounced or Do Not Contact).")
		elif quotation:
			queue = send_quotation_email(lead, quotation, step, writes.quotation_mailer)
			note = None if queue else _("The contact unsubscribed from these e-mails.")
		else:
			queue = send_email(lead, step, writes.mailer)
			note = None
		if queue:
			record_touch(writes, row, step, "Sent", now, email_queue=queue)
			touches.append(now)
		else:
			record_touch(writes, row, step, "Passed Over", now, note=note)
	else:
		todo = make_todo(lead, step, row, quotation, writes.reminders)
		record_touch(writes, row, step, "Task Created", now, todo=todo)
		touches.append(now)
	advance(writes, row, seq, lead, now, touched=True, settings=settings, quotation=quotation)
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


def advance(
	writes: BatchWrites, row, seq, lead, now: datetime, touched: bool, settings, quotation=None
) -> None:
	next_step = row.next_step + 1
	values = {"next_step": next_step}
	if touched:
		values["last_touch_on"] = now
	index = followup.step_index(next_step, len(seq.steps), bool(seq.get("repeat_steps")))
	if index is None:
		values.update({"status": "Completed", "next_due": None})
	else:
		step = seq.steps[index - 1]
		since = now if touched else get_datetime(row.last_touch_on or row.enrolled_on)
		due = enrollment.step_due(
			step,
			stage=row.get("stage") or followup.LEAD,
			band=lead.get("lq_score_band"),
			since=since,
			start=row.enrolled_on,
			valid_till=quotation.valid_till if quotation else None,
			company=lead.get("company"),
			settings=settings,
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


def send_quotation_email(lead, quotation, step, mailer: RunMailer) -> str | None:
	"""The courteous e-mail about a quotation, to its contact, with the quotation attached as
	the host's print format PDF (made by Frappe's Email Queue when it sends the e-mail)."""
	template = frappe.get_cached_doc("Email Template", template_for(lead, step))
	context = frappe._dict(
		{**lead, **quotation, "lead_name": lead.get("lead_name"), "quotation": quotation.name}
	)
	return mailer.queue(
		template,
		context,
		recipient=recipient_of(quotation, lead),
		reference_name=quotation.name,
		attachments=[quotation_print_attachment(quotation, lead)],
	)


def quotation_print_attachment(quotation, lead) -> dict:
	"""Frappe's deferred print attachment (as the desk's e-mail dialog sends it): the Email
	Queue renders the quotation with its print format, as a PDF, when it sends the e-mail."""
	language = lead.get("language") or quotation.get("language") or frappe.db.get_default("lang")
	return {
		"print_format_attachment": 1,
		"doctype": "Quotation",
		"name": quotation.name,
		"print_format": frappe.get_meta("Quotation").default_print_format or "Standard",
		"lang": language,
	}


def make_todo(lead, step, row, quotation=None, reminders: Reminders | None = None) -> str:
	"""The step's task for the owner (of the lead, or of the quotation), linked to the lead or
	the quotation; written with the batch (`reminders`), or at once."""
	prefix = _("Call") if step.channel == "Call Task" else _("To do")
	if quotation:
		owner = quotation.owner
		reference = ("Quotation", quotation.name)
		description = _("Follow up quotation {0} ({1}, {2}): {3}").format(
			quotation.name,
			quotation.customer_name or lead.lead_name or lead.name,
			frappe.format_value(
				quotation.grand_total, {"fieldtype": "Currency", "options": "currency"}, quotation
			),
			step.task,
		)
	else:
		owner = (
			lead.get("lead_owner")
			or frappe.db.get_value(enrollment.ENROLLMENT, row.name, "owner")
			or lead.owner
		)
		reference = ("Lead", lead.name)
		description = f"{prefix}: {lead.lead_name or lead.name} — {step.task}"
	values = {
		"allocated_to": owner,
		"reference_type": reference[0],
		"reference_name": reference[1],
		"description": description,
		"date": getdate(),
		"priority": "High" if lead.get("lq_score_band") == cadence.HOT else "Medium",
		"assigned_by": "Administrator",
	}
	if reminders is not None:
		return reminders.add(values)
	todo = frappe.get_doc({"doctype": "ToDo", **values})
	todo.insert(ignore_permissions=True)
	return todo.name
