"""Retention of prospects' data (CNIL: three years after the last contact from the person).

`daily` is the scheduler's thin entry: when retention is on (Lead Privacy Settings), it
queues `run` on the long queue. `run` takes the leads past the limit in batches, anonymises
(or deletes) each with its app records, commits per batch, and logs the run on a *Lead
Retention Run* and each lead on the *Personal Data Erasure Log*. The *Leads Past Retention*
report lists what the next run would do (a dry run) with the same query.
"""

from __future__ import annotations

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import cint, now_datetime

from lead_qualification.privacy import lead_privacy, personal_data, retention_rules

RUN = "Lead Retention Run"
JOB_ID = "lead_qualification:retention"


def daily():
	"""Scheduler (daily)."""
	if not cint(lead_privacy.get_settings().retention_enabled):
		return
	frappe.enqueue(
		"lead_qualification.privacy.retention.run",
		queue="long",
		timeout=3600,
		job_id=JOB_ID,
		deduplicate=True,
	)


def policy(settings=None) -> tuple[int, str]:
	settings = settings or lead_privacy.get_settings()
	months = cint(settings.retention_months) or retention_rules.DEFAULT_MONTHS
	action = settings.retention_action or retention_rules.ANONYMISE
	return months, action


def candidates(now: datetime, months: int, limit: int = 500, exclude: set[str] | None = None) -> list[dict]:
	"""Leads past the limit, oldest contact first: not yet erased, never converted into a
	customer, whose last contact from the person (their creation, or the last activity that
	came from them) is older than `months` months."""
	cutoff = retention_rules.months_before(now, months)
	exclude_sql = "and l.name not in %(exclude)s" if exclude else ""
	rows = frappe.db.sql(
		f"""select l.name, l.lead_name, l.status, l.creation,
			max(a.occurred_on) as last_activity
		from `tabLead` l
		left join `tabLead Activity` a on a.lead = l.name and a.activity_type in %(types)s
		where l.lqp_anonymised_on is null and l.status != 'Converted' and l.creation < %(cutoff)s
			and not exists (select 1 from `tabCustomer` c where c.lead_name = l.name)
			{exclude_sql}
		group by l.name
		having coalesce(max(a.occurred_on), l.creation) < %(cutoff)s
		order by greatest(l.creation, coalesce(max(a.occurred_on), l.creation)), l.name
		limit %(limit)s""",
		{
			"types": retention_rules.FROM_PERSON,
			"cutoff": cutoff,
			"limit": limit,
			"exclude": tuple(exclude or ()) or ("",),
		},
		as_dict=True,
	)
	found = []
	for row in rows:
		facts = retention_rules.LeadRetentionFacts(
			created=row.creation, last_contact_from_person=row.last_activity
		)
		if retention_rules.is_past_retention(facts, now, months):  # the rule decides; SQL only narrows
			row.last_contact = retention_rules.last_contact(facts)
			found.append(row)
	return found


def run(commit: bool = True, now: datetime | None = None) -> str:
	"""Apply retention now; returns the Lead Retention Run. Commits after each batch (tests
	pass commit=False)."""
	settings = lead_privacy.get_settings()
	months, action = policy(settings)
	size = cint(settings.retention_batch_size) or 200
	now = now or now_datetime()
	log = frappe.get_doc(
		{
			"doctype": RUN,
			"started_on": now_datetime(),
			"status": "Running",
			"action": action,
			"months": months,
			"cutoff": retention_rules.months_before(now, months),
		}
	).insert(ignore_permissions=True)
	counts = {"found": 0, "Anonymised": 0, "Deleted": 0, "failed": 0}
	failed: set[str] = set()
	try:
		while True:
			batch = candidates(now, months, size, exclude=failed)
			if not batch:
				break
			for row in batch:
				counts["found"] += 1
				savepoint = f"lq_retention_{frappe.generate_hash(length=8)}"
				frappe.db.savepoint(savepoint)
				try:
					logs = personal_data.erase_leads(
						[row.name],
						trigger="Retention",
						reference=str(log.name),
						delete=action == retention_rules.DELETE,
					)
					done = frappe.db.get_value(personal_data.LOG, logs[0], "action") if logs else None
					counts[done or "failed"] += 1
					if not done:
						failed.add(row.name)
				except Exception:
					frappe.db.rollback(save_point=savepoint)
					failed.add(row.name)
					counts["failed"] += 1
					frappe.log_error(title=_("Retention failed for {0}").format(row.name))
			if commit:
				frappe.db.commit()  # per batch, on purpose: a long run keeps what it did
		status = "Completed"
	except Exception:
		frappe.log_error(title=_("Retention run failed"))
		status = "Failed"
	log.db_set(
		{
			"status": status,
			"finished_on": now_datetime(),
			"leads_found": counts["found"],
			"leads_anonymised": counts["Anonymised"],
			"leads_deleted": counts["Deleted"],
			"leads_failed": counts["failed"],
		}
	)
	if commit:
		frappe.db.commit()
	return log.name
