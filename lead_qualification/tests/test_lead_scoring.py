"""Integration tests on a real ERPNext site: scores on the Lead, activities, bands,
the list sort, promotion threshold, bulk re-scoring, permissions."""

import inspect
from unittest.mock import patch

import frappe
from frappe.utils import add_days, now_datetime

from lead_qualification.lead_qualification import api as qualification_api
from lead_qualification.lead_qualification.qualification import PromotionRefusedError
from lead_qualification.lead_scoring import activities, api, scoring
from lead_qualification.tests.utils import (
	COMPLETE_BANT,
	LeadQualificationTestCase,
	make_lead,
	make_user,
	reset_settings,
	set_scoring_settings,
	use_rules,
)

FIELD_RULES = (
	{
		"rule_name": "T budget",
		"field_name": "bant_budget_status",
		"operator": "in list",
		"value": "Confirmed\nFinanced",
		"points": 20,
	},
	{
		"rule_name": "T freemail",
		"field_name": "email_id",
		"operator": "contains",
		"value": "@gmail.",
		"points": -5,
	},
	{
		"rule_name": "T big",
		"field_name": "bant_budget_amount",
		"operator": "greater than",
		"value": "10000",
		"points": 10,
	},
)
EMAIL_RULE = {
	"rule_name": "T replied",
	"dimension": "Engagement",
	"category": "Engagement",
	"condition_type": "Activity",
	"activity_type": "Email Received",
	"points": 7,
	"cap": 14,
	"half_life_days": 30,
}
DEMO_RULE = {
	"rule_name": "T demo",
	"dimension": "Engagement",
	"category": "Buying Signal",
	"condition_type": "Activity",
	"activity_type": "Demo Requested",
	"points": 15,
}


def ledger_total(lead_name) -> float:
	return round(sum(r.points for r in scoring.ledger(lead_name)), 2)


class ScoringTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		use_rules(*[dict(r) for r in FIELD_RULES], dict(EMAIL_RULE), dict(DEMO_RULE))

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		scoring.clear_rules_cache()


class TestScoreOnSave(ScoringTestCase):
	def test_score_band_and_ledger_on_insert(self):
		lead = make_lead(bant_budget_status="Confirmed", bant_budget_amount=15000, email_id="x-lq@gmail.com")
		self.assertEqual(lead.lq_score, 25)
		self.assertEqual((lead.lq_fit_score, lead.lq_engagement_score), (25, 0))
		self.assertEqual(lead.lq_score_band, "Warm")
		rows = scoring.ledger(lead.name)
		self.assertEqual(
			sorted((r.rule, r.points) for r in rows), [("T big", 10), ("T budget", 20), ("T freemail", -5)]
		)
		self.assertEqual(ledger_total(lead.name), lead.lq_score)

	def test_score_follows_a_relevant_field_change(self):
		lead = make_lead()
		self.assertEqual(lead.lq_score, 0)
		self.assertEqual(lead.lq_score_band, "Cold")
		lead.bant_budget_status = "Financed"
		lead.save()
		self.assertEqual(lead.lq_score, 20)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 20)
		self.assertEqual(ledger_total(lead.name), 20)

	def test_irrelevant_change_does_not_rescore(self):
		lead = make_lead(bant_budget_status="Confirmed")
		scored_on = lead.lq_scored_on
		lead.bant_decision_maker_role = "Owner"
		lead.save()
		self.assertEqual(lead.lq_scored_on, scored_on)
		self.assertEqual(lead.lq_score, 20)

	def test_band_thresholds_come_from_settings(self):
		set_scoring_settings(hot_threshold=20, warm_threshold=10)
		lead = make_lead(bant_budget_status="Confirmed")
		self.assertEqual(lead.lq_score_band, "Hot")
		set_scoring_settings(hot_threshold=40, warm_threshold=20)
		scoring.rescore_leads([lead.name])
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score_band"), "Warm")

	def test_band_settings_are_validated(self):
		with self.assertRaises(frappe.ValidationError):
			set_scoring_settings(hot_threshold=10, warm_threshold=20)


class TestActivities(ScoringTestCase):
	def test_received_email_raises_the_engagement_score(self):
		lead = make_lead()
		for i in range(3):
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": "Email",
					"sent_or_received": "Received",
					"sender": lead.email_id,
					"subject": f"Re: votre devis {i}",
					"content": "Bonjour, c'est d'accord pour une visite.",
					"reference_doctype": "Lead",
					"reference_name": lead.name,
				}
			).insert(ignore_permissions=True)
		self.assertEqual(
			frappe.db.count("Lead Activity", {"lead": lead.name, "activity_type": "Email Received"}), 3
		)
		values = frappe.db.get_value("Lead", lead.name, ["lq_score", "lq_engagement_score"], as_dict=True)
		# 7 points per e-mail, capped at 14
		self.assertEqual((values.lq_score, values.lq_engagement_score), (14, 14))
		self.assertEqual(ledger_total(lead.name), 14)

	def test_email_from_the_leads_address_counts_without_a_link(self):
		lead = make_lead()
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Received",
				"sender": lead.email_id,
				"subject": "Question",
				"content": "?",
			}
		).insert(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 7)

	def test_sent_email_opened_counts_once(self):
		lead = make_lead()
		use_rules(
			{
				"rule_name": "T opened",
				"dimension": "Engagement",
				"category": "Engagement",
				"condition_type": "Activity",
				"activity_type": "Email Opened",
				"points": 3,
			}
		)
		comm = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"sent_or_received": "Sent",
				"recipients": lead.email_id,
				"subject": "Votre devis",
				"content": "Ci-joint",
				"reference_doctype": "Lead",
				"reference_name": lead.name,
			}
		).insert(ignore_permissions=True)
		from frappe.core.doctype.communication.email import update_communication_as_read

		update_communication_as_read(comm.name)
		activities.sweep_opened_emails()
		activities.sweep_opened_emails()
		self.assertEqual(
			frappe.db.count("Lead Activity", {"lead": lead.name, "activity_type": "Email Opened"}), 1
		)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 3)

	def test_opportunity_for_a_lead_is_a_quotation_request(self):
		lead = make_lead()
		opportunity = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": lead.name,
				"company": frappe.db.get_value("Company", {}, "name"),
			}
		)
		opportunity.insert(ignore_permissions=True)
		self.assertTrue(
			frappe.db.exists("Lead Activity", {"lead": lead.name, "activity_type": "Quotation Requested"})
		)

	def test_api_event_raises_the_score(self):
		lead = make_lead()
		make_user("lq-web@example.com", ["Sales User"])
		frappe.set_user("lq-web@example.com")
		result = api.push_event(
			"Demo Requested", email=lead.email_id, event_id="demo-1", details={"page": "/devis"}
		)
		self.assertEqual((result["lead"], result["score"]), (lead.name, 15))
		# the same event sent again counts once
		api.push_event("Demo Requested", lead=lead.name, event_id="demo-1")
		self.assertEqual(frappe.db.count("Lead Activity", {"lead": lead.name}), 1)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 15)

	def test_event_by_email_finds_the_lead_whatever_the_case(self):
		lead = make_lead()
		doc = activities.push("Page Viewed", email=f" {lead.email_id.upper()} ", event_id="case-1")
		self.assertEqual(doc.lead, lead.name)
		self.assertEqual(activities.lead_by_email(lead.email_id.title()), lead.name)

	def test_malformed_events_are_refused_and_nothing_is_written(self):
		lead = make_lead()
		before = frappe.db.count("Lead Activity")
		bad_calls = [
			({"event_type": "Teleported", "lead": lead.name}, "Unknown event type"),
			({"event_type": "Page Viewed"}, "Say which lead"),
			({"event_type": "Page Viewed", "lead": "CRM-LEAD-NOPE"}, "does not exist"),
			({"event_type": "Page Viewed", "email": "not-an-email"}, "not a valid e-mail"),
			({"event_type": "Page Viewed", "email": "nobody-lq@example.com"}, "No lead has"),
			({"event_type": "Page Viewed", "lead": lead.name, "occurred_at": "yesterday-ish"}, "occurred_at"),
			(
				{
					"event_type": "Page Viewed",
					"lead": lead.name,
					"occurred_at": str(add_days(now_datetime(), 3)),
				},
				"future",
			),
			({"event_type": "Page Viewed", "lead": lead.name, "details": "x" * 3000}, "too long"),
		]
		for kwargs, fragment in bad_calls:
			with self.assertRaises(activities.InvalidActivityError, msg=kwargs) as cm:
				api.push_event(**kwargs)
			self.assertIn(fragment, str(cm.exception))
		self.assertEqual(frappe.db.count("Lead Activity"), before)

	def test_user_without_permission_cannot_push(self):
		lead = make_lead()
		make_user("lq-nobody@example.com", [], user_type="Website User")
		frappe.set_user("lq-nobody@example.com")
		with self.assertRaises(frappe.PermissionError):
			api.push_event("Page Viewed", lead=lead.name)

	def test_decay_lowers_old_engagement(self):
		lead = make_lead()
		activities.record(
			lead.name, "Email Received", add_days(now_datetime(), -30), event_id=f"t-{lead.name}"
		)
		# 7 points, 30 days old, half-life 30 days
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 3.5)


class TestListAndPromotion(ScoringTestCase):
	def test_lead_list_is_sorted_by_score_by_default(self):
		meta = frappe.get_meta("Lead")
		self.assertEqual((meta.sort_field, meta.sort_order), ("lq_score", "DESC"))
		make_lead(bant_budget_status="Confirmed", bant_budget_amount=20000)
		make_lead()
		scores = [
			r.lq_score for r in frappe.get_list("Lead", fields=["name", "lq_score"], limit_page_length=50)
		]
		self.assertEqual(scores, sorted(scores, reverse=True))
		self.assertEqual(meta.get_field("lq_score_band").in_standard_filter, 1)
		self.assertEqual(meta.get_field("lq_score").in_standard_filter, 1)
		columns = frappe.parse_json(frappe.db.get_value("List View Settings", "Lead", "fields"))
		self.assertEqual(
			[c["fieldname"] for c in columns][:4],
			["status_field", "lq_score_band", "lq_score", "bant_completeness"],
		)

	def test_promotion_needs_the_minimum_score(self):
		set_scoring_settings(promotion_min_score=50)
		lead = make_lead(**COMPLETE_BANT)  # 20 (budget confirmed) + 10 (12,000 > 10,000) = 30
		self.assertEqual(lead.lq_score, 30)
		self.assertEqual(lead.qualification_status, "In Process")
		with self.assertRaises(PromotionRefusedError) as cm:
			qualification_api.promote(lead.name)
		self.assertIn("a score of 50", str(cm.exception))
		self.assertIn("20 points missing", str(cm.exception))

		# a demo request brings the score over the minimum: promoted by itself
		activities.record(lead.name, "Demo Requested", event_id=f"t-demo-{lead.name}")
		lead.reload()
		self.assertEqual(lead.lq_score, 45)
		activities.record(lead.name, "Email Received", event_id=f"t-mail-{lead.name}")
		lead.reload()
		self.assertEqual(lead.lq_score, 52)
		self.assertEqual(lead.qualification_status, "Qualified")


class TestBulkRescore(ScoringTestCase):
	def test_bulk_rescore_equals_per_lead_scoring(self):
		leads = [
			make_lead(bant_budget_status="Confirmed", bant_budget_amount=50000),
			make_lead(email_id=f"bulk-{frappe.generate_hash(length=5)}@gmail.com"),
			make_lead(),
		]
		activities.record(leads[2].name, "Email Received", event_id=f"t-bulk-{leads[2].name}")
		# change a rule without the queued job, then bulk re-score
		frappe.db.set_value("Lead Scoring Rule", "T budget", "points", 30)
		scoring.clear_rules_cache()
		names = [lead.name for lead in leads]
		bulk = scoring.rescore_leads(names)
		bulk_values = {n: (float(bulk[n].total), bulk[n].band) for n in names}
		stored = {n: tuple(frappe.db.get_value("Lead", n, ["lq_score", "lq_score_band"])) for n in names}
		self.assertEqual(stored, bulk_values)
		ledgers = {n: sorted((r.rule, r.points) for r in scoring.ledger(n)) for n in names}

		# per-lead: force every lead through a document save
		for n in names:
			doc = frappe.get_doc("Lead", n)
			doc.flags.lq_force_rescore = True
			doc.save()
			self.assertEqual((doc.lq_score, doc.lq_score_band), stored[n])
			self.assertEqual(sorted((r.rule, r.points) for r in scoring.ledger(n)), ledgers[n])
		self.assertEqual(stored[names[0]][0], 40)


class TestBulkRun(LeadQualificationTestCase):
	"""rescore_all commits per batch, as the background job does; its leads are removed after."""

	def test_rescore_all_records_progress_and_results(self):
		frappe.set_user("Administrator")
		reset_settings()
		names = [make_lead(bant_budget_status="Financed").name for _ in range(5)]
		frappe.db.commit()
		try:
			frappe.db.sql(
				"update `tabLead` set lq_score = -1, lq_score_band = 'Cold' where name in %(n)s",
				{"n": tuple(names)},
			)
			frappe.db.commit()
			run = scoring.rescore_all(reason="test", batch_size=3)
			run_doc = frappe.get_doc("Lead Scoring Run", run)
			self.assertEqual(run_doc.status, "Completed")
			self.assertEqual(run_doc.processed, run_doc.total)
			self.assertEqual(run_doc.total, frappe.db.count("Lead"))
			self.assertGreater(run_doc.leads_per_second, 0)
			for n in names:
				self.assertGreaterEqual(frappe.db.get_value("Lead", n, "lq_score"), 0)
				self.assertEqual(frappe.db.get_value("Lead", n, "lq_score"), ledger_total(n))
		finally:
			for n in names:
				frappe.db.delete("Lead Score Entry", {"lead": n})
				frappe.delete_doc("Lead", n, force=True)
			frappe.db.commit()


def assert_ledger_matches_keys(case, lead_name):
	"""The stored keys name exactly the stored rows, and the rows add up to the score."""
	keys = scoring.stored_keys(frappe.db.get_value("Lead", lead_name, "lq_ledger_keys"))
	case.assertIsNotNone(keys)
	rows = set(frappe.get_all("Lead Score Entry", filters={"lead": lead_name}, pluck="name"))
	case.assertEqual(rows, {scoring.entry_name(lead_name, k) for k in keys})
	case.assertEqual(frappe.db.get_value("Lead", lead_name, "lq_score"), ledger_total(lead_name))


def entries(lead_name) -> dict:
	return {
		r.rule: (r.name, r.points, r.modified)
		for r in frappe.get_all(
			"Lead Score Entry", filters={"lead": lead_name}, fields=["name", "rule", "points", "modified"]
		)
	}


def run_parts_here(method, **kwargs):
	"""frappe.enqueue for the tests: the part runs at once, as a worker would run it. The job's
	own arguments must not be taken by frappe.enqueue's (`now`, `event`, `job_id`...)."""
	from frappe.utils.background_jobs import enqueue

	own = set(inspect.signature(enqueue).parameters) - {"kwargs"}
	job = {k: v for k, v in kwargs.items() if k not in ("queue", "timeout", "enqueue_after_commit")}
	assert not own & set(job), f"job arguments taken by frappe.enqueue: {own & set(job)}"
	frappe.get_attr(method)(**job)


class TestBulkRunInParts(LeadQualificationTestCase):
	"""A re-score split by lead name into parts, one job each (the long queue's workers)."""

	def setUp(self):
		frappe.set_user("Administrator")
		reset_settings()
		self.names = [make_lead(bant_budget_status="Financed").name for _ in range(6)]
		frappe.db.sql(
			"update `tabLead` set lq_score = -1, lq_score_band = 'Cold', lq_ledger_keys = null "
			"where name in %(n)s",
			{"n": tuple(self.names)},
		)
		frappe.db.commit()

	def tearDown(self):
		for n in self.names:
			frappe.db.delete("Lead Score Entry", {"lead": n})
			frappe.delete_doc("Lead", n, force=True)
		frappe.db.commit()

	def test_parts_share_one_run_and_score_every_lead(self):
		total = frappe.db.count("Lead")
		with patch.object(frappe, "enqueue", side_effect=run_parts_here) as enqueue:
			run = scoring.rescore_all(reason="test parts", parts=3, min_leads_per_part=1, batch_size=2)
		self.assertEqual(enqueue.call_count, 3)
		ranges = [(c.kwargs["after"], c.kwargs["upto"]) for c in enqueue.call_args_list]
		self.assertEqual(ranges[0][0], "")
		self.assertIsNone(ranges[-1][1])
		self.assertEqual([r[1] for r in ranges[:-1]], [r[0] for r in ranges[1:]])  # adjoining
		run_doc = frappe.get_doc("Lead Scoring Run", run)
		self.assertEqual((run_doc.status, run_doc.parts, run_doc.parts_done), ("Completed", 3, 3))
		self.assertEqual((run_doc.total, run_doc.processed), (total, total))
		self.assertEqual(run_doc.progress, 100)
		self.assertGreater(run_doc.peak_memory_mb, 0)
		for n in self.names:
			self.assertGreaterEqual(frappe.db.get_value("Lead", n, "lq_score"), 0)  # was -1
			assert_ledger_matches_keys(self, n)

	def test_decay_in_parts_scores_the_leads_with_activities_only(self):
		"""The daily decay's batches are read by name among the leads with activities, then
		locked by range of name: every such lead once, no other."""
		active = self.names[1], self.names[3], self.names[4]
		frappe.db.sql("update `tabLead` set lq_has_activity = 1 where name in %(n)s", {"n": active})
		frappe.db.commit()
		# a batch: the next two leads with activities, not the lead without between them
		rules = scoring.load_rules()
		batch = scoring.read_leads(rules, after=self.names[0], limit=2, only_with_activity=True)
		self.assertEqual([r["name"] for r in batch], [self.names[1], self.names[3]])
		frappe.db.rollback()
		total = frappe.db.count("Lead", {"lq_has_activity": 1})
		with patch.object(frappe, "enqueue", side_effect=run_parts_here):
			run = scoring.rescore_all(
				reason="test decay parts",
				only_with_activity=True,
				parts=2,
				min_leads_per_part=1,
				batch_size=1,
			)
		run_doc = frappe.get_doc("Lead Scoring Run", run)
		self.assertEqual((run_doc.status, run_doc.total, run_doc.processed), ("Completed", total, total))
		for n in self.names:
			score = frappe.db.get_value("Lead", n, "lq_score")
			if n in active:
				self.assertGreaterEqual(score, 0)
				assert_ledger_matches_keys(self, n)
			else:
				self.assertEqual(score, -1)  # left alone

	def test_a_batch_whose_leads_vanish_between_its_two_reads_goes_on(self):
		"""A batch of leads with activities is read as names, then locked as rows: if every
		lead of the batch is deleted in between, the next ones come (an empty batch would end
		the part)."""
		frappe.db.sql(
			"update `tabLead` set lq_has_activity = 1 where name in %(n)s",
			{"n": (self.names[1], self.names[3])},
		)
		real, emptied = frappe.db.sql, []

		def sql(query, *args, **kwargs):
			if "force index (primary)" in str(query) and not emptied:
				emptied.append(query)
				return []  # as if the batch's one lead had just been deleted
			return real(query, *args, **kwargs)

		with patch.object(frappe.db, "sql", side_effect=sql):
			batch = scoring.read_leads(
				scoring.load_rules(), after=self.names[0], limit=1, only_with_activity=True
			)
		self.assertTrue(emptied)
		self.assertEqual([r["name"] for r in batch], [self.names[3]])
		frappe.db.rollback()

	def test_a_batch_that_meets_a_deadlock_is_done_again(self):
		real = scoring.write_scores
		calls = []

		def deadlock_once(*args, **kwargs):
			calls.append(1)
			if len(calls) == 1:
				real(*args, **kwargs)  # written, then rolled back with the batch
				raise frappe.QueryDeadlockError("Deadlock found when trying to get lock")
			return real(*args, **kwargs)

		with (
			patch.object(scoring, "write_scores", side_effect=deadlock_once),
			patch.object(scoring.time, "sleep"),
		):
			run = scoring.rescore_all(reason="test deadlock")
		run_doc = frappe.get_doc("Lead Scoring Run", run)
		self.assertEqual(run_doc.status, "Completed")
		self.assertEqual(run_doc.processed, run_doc.total)  # the retried batch counted once
		self.assertGreater(len(calls), 1)
		for n in self.names:
			self.assertGreaterEqual(frappe.db.get_value("Lead", n, "lq_score"), 0)
			assert_ledger_matches_keys(self, n)

	def test_a_failing_part_fails_the_run_and_keeps_what_the_others_did(self):
		parts = min(frappe.db.count("Lead"), scoring.MAX_PARTS)  # about one lead a part
		calls = []

		def last_part_fails(method, **kwargs):
			calls.append(kwargs)
			if len(calls) == parts:
				with patch.object(scoring, "score_rows", side_effect=RuntimeError("last part broke")):
					self.assertRaises(RuntimeError, run_parts_here, method, **kwargs)
			else:
				run_parts_here(method, **kwargs)

		with patch.object(frappe, "enqueue", side_effect=last_part_fails):
			run = scoring.rescore_all(reason="test parts", parts=parts, min_leads_per_part=1)
		run_doc = frappe.get_doc("Lead Scoring Run", run)
		self.assertEqual(run_doc.status, "Failed")
		self.assertIn("last part broke", run_doc.error)
		self.assertEqual(run_doc.parts_done, parts - 1)
		# the other parts' leads (by the database's order of names) were scored and committed
		done = set(
			frappe.db.sql_list(
				"select name from `tabLead` where name <= %(upto)s and name in %(names)s",
				{"upto": calls[-1]["after"], "names": tuple(self.names)},
			)
		)
		self.assertTrue(done)
		for n in self.names:
			if n in done:
				self.assertGreaterEqual(frappe.db.get_value("Lead", n, "lq_score"), 0)
				assert_ledger_matches_keys(self, n)
			else:
				self.assertEqual(frappe.db.get_value("Lead", n, "lq_score"), -1)  # left as it was


class TestLedgerChanges(ScoringTestCase):
	"""A re-score writes the ledger rows that changed, and only those."""

	def test_a_rule_edit_rewrites_that_rule_s_rows_only(self):
		lead = make_lead(bant_budget_status="Confirmed", bant_budget_amount=15000)
		assert_ledger_matches_keys(self, lead.name)
		before = entries(lead.name)
		self.assertEqual(set(before), {"T budget", "T big"})
		frappe.db.set_value("Lead Scoring Rule", "T big", "points", 12)
		scoring.clear_rules_cache()
		scoring.rescore_leads([lead.name])
		after = entries(lead.name)
		self.assertEqual(after["T budget"], before["T budget"])  # same row: name, points, modified
		# the edited rule's row is rewritten in place: same name (what it counts), new points
		self.assertEqual(after["T big"][0], before["T big"][0])
		self.assertEqual(after["T big"][1], 12)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 32)
		assert_ledger_matches_keys(self, lead.name)

	def test_a_rescore_that_changes_nothing_writes_nothing(self):
		lead = make_lead(bant_budget_status="Confirmed")
		activities.record(lead.name, "Email Received", event_id=f"t-same-{lead.name}")
		stamp = frappe.db.get_value("Lead", lead.name, "lq_scored_on")
		before = entries(lead.name)
		now = add_days(now_datetime(), 0)
		scoring.rescore_leads([lead.name], now=now)
		self.assertEqual(entries(lead.name), before)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_scored_on"), stamp)

	def test_decay_moves_the_decaying_rows_only(self):
		lead = make_lead(bant_budget_status="Confirmed")
		activities.record(
			lead.name, "Email Received", add_days(now_datetime(), -10), event_id=f"t-decay-{lead.name}"
		)
		before = entries(lead.name)
		scoring.rescore_leads([lead.name], now=add_days(now_datetime(), 1))
		after = entries(lead.name)
		self.assertEqual(after["T budget"], before["T budget"])
		self.assertLess(after["T replied"][1], before["T replied"][1])
		self.assertEqual(after["T replied"][0], before["T replied"][0])
		assert_ledger_matches_keys(self, lead.name)

	def test_a_ledger_written_before_keys_is_replaced_whole(self):
		"""Leads scored by an earlier version have rows named <lead>-000 and no keys."""
		lead = make_lead(bant_budget_status="Confirmed", bant_budget_amount=15000)
		frappe.db.sql("delete from `tabLead Score Entry` where lead = %s", lead.name)
		for i, (rule, points) in enumerate((("T budget", 20), ("T big", 10), ("T gone", 3))):
			frappe.get_doc(
				{
					"doctype": "Lead Score Entry",
					"name": f"{lead.name}-{i:03d}",
					"lead": lead.name,
					"rule": rule,
					"dimension": "Fit",
					"category": "Demographic",
					"points": points,
					"base_points": points,
				}
			).db_insert()
		frappe.db.set_value(
			"Lead", lead.name, {"lq_ledger_keys": None, "lq_score": 33}, update_modified=False
		)
		scoring.rescore_leads([lead.name])
		self.assertEqual(set(entries(lead.name)), {"T budget", "T big"})
		assert_ledger_matches_keys(self, lead.name)

	def test_a_save_of_a_document_opened_before_a_rescore_keeps_the_new_score(self):
		lead = make_lead(bant_budget_status="Confirmed")
		opened = frappe.get_doc("Lead", lead.name)
		activities.record(lead.name, "Demo Requested", event_id=f"t-open-{lead.name}")
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 35)
		opened.website = "https://example.com/atelier"  # a field no rule reads: no re-score
		opened.save()
		self.assertEqual(frappe.db.get_value("Lead", lead.name, ["lq_score", "lq_has_activity"]), (35, 1))
		assert_ledger_matches_keys(self, lead.name)
		# and one that re-scores counts the activity too
		opened.bant_budget_amount = 20000
		opened.save()
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "lq_score"), 45)
		assert_ledger_matches_keys(self, lead.name)

	def test_a_save_replaces_rows_whatever_was_stored(self):
		"""A Lead save does not trust the stored keys: it deletes the rows it does not have."""
		lead = make_lead(bant_budget_status="Confirmed")
		frappe.get_doc(
			{
				"doctype": "Lead Score Entry",
				"lead": lead.name,
				"rule": "T stray",
				"dimension": "Fit",
				"category": "Demographic",
				"points": 4,
				"base_points": 4,
			}
		).db_insert()
		lead.reload()
		lead.bant_budget_amount = 20000
		lead.save()
		self.assertEqual(set(entries(lead.name)), {"T budget", "T big"})
		assert_ledger_matches_keys(self, lead.name)


class TestEventsRead(ScoringTestCase):
	"""events_for reads each lead's events as one text: what it gives must be the rows as
	stored, in the order they were recorded, whatever a source holds."""

	def record_odd_events(self):
		lead = make_lead()
		when = add_days(now_datetime(), -2)
		sources = ("a\x1eb\x1fc", "Élan — ü, 'quoted'", "", "x" * 140)
		for i, source in enumerate(sources):
			activities.record(
				lead.name, "Email Received", when, event_id=f"t-odd-{i}-{lead.name}", source=source
			)
		activities.record(lead.name, "Demo Requested", event_id=f"t-odd-demo-{lead.name}")
		stored = frappe.db.sql(
			"""select activity_type, occurred_on, coalesce(source, '') from `tabLead Activity`
			where lead = %s order by name""",
			lead.name,
		)
		return lead, [scoring.engine.Event(*row) for row in stored]

	def test_events_come_as_stored_in_recorded_order(self):
		lead, stored = self.record_odd_events()
		types = ("Email Received", "Demo Requested")
		self.assertEqual(len(stored), 5)
		self.assertEqual(scoring.events_for([lead.name], types)[lead.name], stored)
		by_range = scoring.events_for([lead.name], types, first=lead.name, last=lead.name)
		self.assertEqual(by_range[lead.name], stored)
		# only the asked types
		self.assertEqual(
			scoring.events_for([lead.name], ("Demo Requested",))[lead.name],
			[e for e in stored if e.activity_type == "Demo Requested"],
		)

	def test_a_lead_whose_text_is_cut_is_read_row_by_row(self):
		lead, stored = self.record_odd_events()
		frappe.db.sql("set session group_concat_max_len = 64")
		try:
			events = scoring.events_for([lead.name], ("Email Received", "Demo Requested"))
		finally:
			frappe.db.sql("set session group_concat_max_len = 1048576")
		self.assertEqual(events[lead.name], stored)
