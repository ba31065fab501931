"""The nurture worker: sends what is due, at most once, never silently skipping a step.

- `enqueue_due` is the scheduler's thin entry: it hands the work to `process_due` on the
  long queue (one job at a time).
- `process_due` takes due enrollments in batches, locking them (FOR UPDATE SKIP LOCKED,
  so two workers never take the same one). Each enrollment's touch — the Nurture Touch
  row (unique per enrollment and step), its Email Queue row or ToDo, and the enrollment's
  advance to the next step — is written inside one transaction, committed per batch: a
  worker killed mid-batch loses the whole uncommitted batch, which is simply done again on
  the next run; a committed step is never done twice. A failing enrollment is rolled back
  to its savepoint, logged with frappe.log_error, retried an hour later, and the batch goes on.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime, nowdate

from lead_qualification.lead_nurture import cadence, enrollment

JOB_ID = "lead_qualification:nurture"
RETRY_AFTER = timedelta(hours=1)


def enqueue_due():
	"""Scheduler entry (every 15 minutes)."""
	if not enrollment.is_enabled():
		return
	if not frappe.db.exists(enrollment.ENROLLMENT, {"status": "Active", "next_due": ("<=", now_datetime())}):
		return
	frappe.enqueue(
		"lead_qualification.lead_nurture.worker.process_due",
		queue="long",
		timeout=3600,
		job_id=JOB_ID,
		deduplicate=True,
	)


def due_batch(now: datetime, size: int) -> list[dict]:
	return frappe.db.sql(
		"""select name, lead, sequence, next_step, enrolled_on, last_touch_on
		from `tabNurture Enrollment`
		where status = 'Active' and next_due <= %(now)s
		order by next_due
		limit %(size)s
		for update skip locked""",
		{"now": now, "size": size},
		as_dict=True,
	)


@contextmanager
def reuse_email_css_rules():
	"""Frappe inlines its e-mail CSS into every message with premailer, which re-derives
	the same style rules from the same stylesheet for each e-mail (about 30 ms each here).
	The derivation is a pure function of the stylesheet text, so during a run we keep its
	result; the e-mails come out the same."""
	try:
		from premailer import Premailer
	except ImportError:
		yield
		return
	original = Premailer._parse_style_rules
	cache: dict = {}

	def parse_style_rules(self, css_body, ruleset_index):
		key = (css_body, ruleset_index, self.strip_important, self.disable_validation)
		if key not in cache:
			cache[key] = original(self, css_body, ruleset_index)
		rules, leftover = cache[key]
		return list(rules), list(leftover)

	Premailer._parse_style_rules = parse_style_rules
	try:
		yield
	finally:
		Premailer._parse_style_rules = original


def process_due(max_batches: int | None = None, batch_size: int | None = None, commit: bool = True) -> dict:
	"""Process every due enrollment; returns counts. Commits after each batch (tests pass
	commit=False to keep their transaction)."""
	with reuse_email_css_rules():
		return _process_due(max_batches, batch_size, commit)


def _process_due(max_batches: int | None, batch_size: int | None, commit: bool) -> dict:
	settings = enrollment.get_settings()
	size = batch_size or cint(settings.batch_size) or 200
	counts = {"touched": 0, "stopped": 0, "completed": 0, "postponed": 0, "passed_over": 0, "failed": 0}
	batches = 0
	enrollment.clear_holiday_cache()
	while max_batches is None or batches < max_batches:
		now = now_datetime()
		rows = due_batch(now, size)
		if not rows:
			break
		facts = enrollment.lead_facts(rows)
		leads = {
			r.name: r
			for r in frappe.get_all(
				"Lead", filters={"name": ("in", [r.lead for r in rows])}, fields=["*"], limit_page_length=0
			)
		}
		touches = enrollment.recent_touches_for([r.lead for r in rows], now)
		for row in rows:
			savepoint = f"lq_nurture_{frappe.generate_hash(length=8)}"
			frappe.db.savepoint(savepoint)
			try:
				outcome = process_one(
					row, facts.get(row.lead), now, settings, leads.get(row.lead), touches.get(row.lead, [])
				)
				counts[outcome] += 1
			except Exception:
				frappe.db.rollback(save_point=savepoint)
				counts["failed"] += 1
				frappe.log_error(
					title=_("Nurture step failed for {0}").format(row.lead),
					reference_doctype=enrollment.ENROLLMENT,
					reference_name=row.name,
				)
				frappe.db.set_value(
					enrollment.ENROLLMENT, row.name, "next_due", now + RETRY_AFTER, update_modified=False
				)
		if commit:
			frappe.db.commit()  # per batch, on purpose: see the module docstring
		batches += 1
	return counts


def process_one(row, facts: cadence.LeadFacts | None, now: datetime, settings, lead=None, touches=()) -> str:
	"""One enrollment's due step. `lead` is the Lead's row (a dict of its fields) and
	`touches` its touches of the last 7 days, both loaded for the whole batch."""
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
			row,
			step,
			"Passed Over",
			now,
			note=_("Step for {0} leads; this lead is {1}.").format(_(step.band), _(band)),
		)
		advance(row, seq, lead, now, touched=False, settings=settings)
		return "passed_over"

	limits = enrollment.get_limits(lead.get("company"), settings)
	moment = cadence.allowed_moment(now, limits, touches)
	if moment > now:
		frappe.db.set_value(enrollment.ENROLLMENT, row.name, "next_due", moment, update_modified=False)
		return "postponed"

	if step.channel == "Email":
		if not lead.email_id:
			record_touch(row, step, "Passed Over", now, note=_("The lead has no e-mail address."))
		else:
			queue = send_email(lead, step)
			record_touch(row, step, "Sent", now, email_queue=queue)
	else:
		todo = make_todo(lead, step, row)
		record_touch(row, step, "Task Created", now, todo=todo)
	advance(row, seq, lead, now, touched=True, settings=settings)
	return "touched"


def record_touch(row, step, outcome: str, now: datetime, email_queue=None, todo=None, note=None):
	"""The step's record; its unique key (enrollment:step) makes a second one impossible.
	(db_insert: the row is built here in full; no validation or hooks to run.)"""
	frappe.get_doc(
		{
			"doctype": "Nurture Touch",
			"enrollment": row.name,
			"lead": row.lead,
			"step": row.next_step,
			"touch_key": f"{row.name}:{row.next_step}",
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
		}
	).db_insert()


def advance(row, seq, lead, now: datetime, touched: bool, settings) -> None:
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
	frappe.db.set_value(enrollment.ENROLLMENT, row.name, values, update_modified=False)


def complete(name: str, now: datetime) -> None:
	frappe.db.set_value(enrollment.ENROLLMENT, name, {"status": "Completed", "next_due": None})


def template_for(lead, step) -> str:
	language = (lead.get("language") or frappe.db.get_default("lang") or "").lower()
	if language.startswith("fr") and step.email_template_fr:
		return step.email_template_fr
	return step.email_template


def send_email(lead, step) -> str | None:
	"""Render the Email Template with the lead and queue it through Frappe's Email Queue
	(which adds the unsubscribe link and drops unsubscribed addresses)."""
	template = frappe.get_cached_doc("Email Template", template_for(lead, step))
	context = lead
	queue = frappe.sendmail(
		recipients=[lead.email_id],
		subject=template.get_formatted_subject(context),
		message=template.get_formatted_response(context),
		reference_doctype="Lead",
		reference_name=lead.name,
		now=False,
		delayed=True,
		add_unsubscribe_link=1,
		unsubscribe_message=_("Don't want these e-mails?"),
	)
	return queue.name if queue else None


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
