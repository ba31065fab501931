"""Alerts when a lead turns Hot, becomes a prospect or replies while Hot (Lead Response):
the owner (or the fallback role) is told once per transition, in their language, through
Frappe's Notification Log and notification e-mail; a bulk run sends one digest per owner."""

from urllib.parse import quote

import frappe

from lead_qualification.lead_response import alerts, rules
from lead_qualification.lead_scoring import scoring
from lead_qualification.tests.response_utils import (
	TEST_ROLE,
	announce,
	ensure_test_role,
	forget_cached_rules,
	make_sales_user,
	notifications,
	reset_routing_settings,
	set_routing_settings,
)
from lead_qualification.tests.utils import (
	LeadQualificationTestCase,
	ensure_outgoing_email_account,
	make_lead,
	reset_settings,
	use_rules,
)

OWNER = "lq-alert-owner@example.com"
OTHER_OWNER = "lq-alert-owner2@example.com"
MANAGER_EN = "lq-alert-mgr-en@example.com"
MANAGER_FR = "lq-alert-mgr-fr@example.com"


def emails_to(address: str) -> int:
	return frappe.db.sql(
		"""select count(*) from `tabEmail Queue` q join `tabEmail Queue Recipient` r on r.parent = q.name
		where r.recipient = %s""",
		address,
	)[0][0]


class AlertTestCase(LeadQualificationTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		# queue the notification e-mails without sending them: Frappe sends (and commits)
		# at once in tests otherwise
		frappe.flags.mute_emails = True
		reset_settings()
		ensure_outgoing_email_account()
		ensure_test_role()
		for user in (OWNER, OTHER_OWNER):
			make_sales_user(user, language="en")
		make_sales_user(MANAGER_EN, language="en", roles=("Sales Manager", TEST_ROLE))
		make_sales_user(MANAGER_FR, language="fr", roles=("Sales Manager", TEST_ROLE))
		reset_routing_settings()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.flags.mute_emails = False
		forget_cached_rules()

	def lead(self, owner=OWNER, **values):
		return make_lead(
			first_name=values.pop("first_name", "Alert Test"), email_id="", lead_owner=owner, **values
		)


class TestAlertOnEachTransition(AlertTestCase):
	def test_turned_hot_alerts_the_owner_once_in_the_bell_and_by_email(self):
		lead = self.lead(first_name="Roof Hot")
		before = emails_to(OWNER)
		announce((lead.name, "band", "Hot", "Warm"))
		logs = notifications(OWNER, document_name=lead.name)
		self.assertEqual(len(logs), 1)
		self.assertIn("turned Hot", logs[0].subject)
		self.assertIn("Roof Hot", logs[0].subject)
		self.assertEqual(logs[0].type, "")  # a plain notification: Frappe e-mails it
		self.assertEqual(emails_to(OWNER), before + 1)
		# nobody else is told
		self.assertFalse(notifications(MANAGER_EN, document_name=lead.name))

		# the same transition announced again (a save and a re-score in one request): no new alert
		announce((lead.name, "band", "Hot", "Warm"))
		announce((lead.name, "band", "Hot", "Cold"))
		self.assertEqual(len(notifications(OWNER, document_name=lead.name)), 1)
		self.assertEqual(emails_to(OWNER), before + 1)

	def test_a_lead_that_leaves_hot_and_comes_back_is_announced_again(self):
		lead = self.lead()
		announce((lead.name, "band", "Hot", "Warm"))
		announce((lead.name, "band", "Warm", "Hot"))
		announce((lead.name, "band", "Hot", "Warm"))
		self.assertEqual(len(notifications(OWNER, document_name=lead.name)), 2)
		self.assertEqual(frappe.db.count("Lead Alert", {"lead": lead.name, "alert": "Turned Hot"}), 2)

	def test_became_prospect_alerts_once(self):
		lead = self.lead(first_name="Prospect Soon")
		announce((lead.name, "qualification_status", "Qualified", "In Process"))
		announce((lead.name, "qualification_status", "Qualified", "In Process"))
		logs = notifications(OWNER, document_name=lead.name)
		self.assertEqual(len(logs), 1)
		self.assertIn("became a prospect", logs[0].subject)

	def test_a_hot_lead_replying_alerts_once_per_message_a_warm_one_does_not(self):
		hot = self.lead(first_name="Hot Replier")
		warm = self.lead(first_name="Warm Replier")
		frappe.db.set_value("Lead", hot.name, "lq_score_band", "Hot")
		frappe.db.set_value("Lead", warm.name, "lq_score_band", "Warm")
		announce((hot.name, "reply", "COMM-T-1"), (warm.name, "reply", "COMM-T-2"))
		announce((hot.name, "reply", "COMM-T-1"))
		logs = notifications(OWNER, document_name=hot.name)
		self.assertEqual([("replied" in log.subject) for log in logs], [True])
		self.assertFalse(notifications(OWNER, document_name=warm.name))
		announce((hot.name, "reply", "COMM-T-3"))
		self.assertEqual(len(notifications(OWNER, document_name=hot.name)), 2)

	def test_no_owner_alerts_the_fallback_role_each_in_their_language(self):
		lead = self.lead(owner=None, first_name="Orphan")
		# ERPNext makes the creator the owner; a lead from a web form or an import has none
		frappe.db.set_value("Lead", lead.name, "lead_owner", None)
		announce((lead.name, "band", "Hot", "Cold"))
		en = notifications(MANAGER_EN, document_name=lead.name)
		fr = notifications(MANAGER_FR, document_name=lead.name)
		self.assertEqual(len(en), 1)
		self.assertEqual(len(fr), 1)
		self.assertIn("turned Hot", en[0].subject)
		self.assertIn("est passée à Chaud", fr[0].subject)
		self.assertIn("Orphan", fr[0].subject)
		self.assertEqual(
			frappe.db.get_value("Lead Alert", {"lead": lead.name}, "recipients").split("\n"),
			[MANAGER_EN, MANAGER_FR],
		)

	def test_switches_email_off_and_alert_off(self):
		set_routing_settings(send_email=0, alert_became_prospect=0)
		lead = self.lead()
		before = emails_to(OWNER)
		announce((lead.name, "band", "Hot", "Warm"), (lead.name, "qualification_status", "Qualified", ""))
		logs = notifications(OWNER, document_name=lead.name)
		self.assertEqual([log.type for log in logs], ["Alert"])  # bell only, not the prospect
		self.assertEqual(emails_to(OWNER), before)

		set_routing_settings(enable_alerts=0)
		other = self.lead()
		announce((other.name, "band", "Hot", "Warm"))
		self.assertFalse(notifications(OWNER, document_name=other.name))

	def test_a_transition_recorded_meanwhile_by_another_request_is_not_claimed_twice(self):
		lead = self.lead()
		transition = rules.Transition(
			lead.name, rules.TURNED_HOT, rules.open_key(rules.TURNED_HOT, lead.name)
		)
		self.assertTrue(alerts.claim(transition, [OWNER]))
		frappe.clear_messages()
		self.assertFalse(alerts.claim(transition, [OWNER]))  # the unique key, not an error
		self.assertFalse(frappe.get_message_log())

	def test_the_user_who_made_the_change_is_not_alerted(self):
		lead = self.lead()
		frappe.set_user(OWNER)
		announce((lead.name, "band", "Hot", "Warm"))
		frappe.set_user("Administrator")
		self.assertFalse(notifications(OWNER, document_name=lead.name))


class TestBulkDigest(AlertTestCase):
	def test_bulk_announcement_of_1000_leads_sends_one_digest_per_owner(self):
		names = insert_leads(1000)
		changes = [(name, "band", "Hot", "Warm") for name in names]
		announce(*changes, bulk=True)
		assert_one_digest_each(self, names)
		# the same bulk announced again: nothing new
		before = frappe.db.count("Notification Log")
		announce(*changes, bulk=True)
		self.assertEqual(frappe.db.count("Notification Log"), before)


def insert_leads(count, budget=""):
	"""Leads with raw inserts (no document events): half owned by each owner, 10 with none."""
	now = frappe.utils.now_datetime()
	rows = []
	for i in range(count):
		owner = None if i < 10 else (OWNER if i % 2 else OTHER_OWNER)
		rows.append(
			(
				f"LQALERT-{i:05d}",
				now,
				now,
				"Administrator",
				"Administrator",
				f"Bulk {i}",
				f"Bulk {i}",
				"Lead",
				"Unqualified",
				owner,
				"Warm",
				budget,
			)
		)
	frappe.db.bulk_insert(
		"Lead",
		(
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"lead_name",
			"title",
			"status",
			"qualification_status",
			"lead_owner",
			"lq_score_band",
			"bant_budget_status",
		),
		rows,
	)
	return [r[0] for r in rows]


def assert_one_digest_each(test, names):
	test.assertEqual(frappe.db.count("Lead Alert", {"lead": ("like", "LQALERT-%"), "digest": 1}), len(names))
	test.assertEqual(frappe.db.count("Lead Alert", {"lead": ("like", "LQALERT-%"), "digest_sent": 0}), 0)
	# no alert per lead
	test.assertEqual(frappe.db.count("Notification Log", {"document_name": ("like", "LQALERT-%")}), 0)
	for user, expected in ((OWNER, 495), (OTHER_OWNER, 495)):
		logs = notifications(user)
		test.assertEqual(len(logs), 1, user)
		test.assertEqual(logs[0].subject, f"{expected} leads turned Hot")
		test.assertIn("lead_owner=" + quote(user), logs[0].link)
		test.assertIn("and 475 more", logs[0].email_content)
	# the leads without an owner: the fallback role, in French for the French manager
	test.assertEqual(notifications(MANAGER_FR)[0].subject, "10 pistes sont passées à Chaud")
	test.assertEqual(len(notifications(MANAGER_EN)), 1)


HOT_RULE = {
	"rule_name": "T alert budget",
	"field_name": "bant_budget_status",
	"operator": "in list",
	"value": "Confirmed\nFinanced",
	"points": 70,
}


class TestThroughTheApp(AlertTestCase):
	"""The announcements come from the app's own writers: a Lead save, a reply received."""

	def setUp(self):
		super().setUp()
		use_rules(dict(HOT_RULE))  # 70 points: Hot (from 60)

	def tearDown(self):
		super().tearDown()
		scoring.clear_rules_cache()

	def test_a_lead_saved_into_hot_alerts_its_owner_once(self):
		lead = self.lead(first_name="Saved Hot")
		self.assertEqual(lead.lq_score_band, "Cold")
		lead.bant_budget_status = "Confirmed"
		lead.save()
		self.assertEqual(lead.lq_score_band, "Hot")
		logs = notifications(OWNER, document_name=lead.name)
		self.assertEqual(len(logs), 1)
		self.assertIn("Saved Hot", logs[0].subject)
		lead.bant_budget_status = "Financed"  # still Hot
		lead.save()
		lead.bant_need = "A roof"
		lead.save()
		self.assertEqual(len(notifications(OWNER, document_name=lead.name)), 1)

	def test_a_hot_lead_replying_by_email_alerts_its_owner(self):
		lead = make_lead(
			first_name="Mail Replier",
			email_id=f"replier-{frappe.generate_hash(length=6)}@example.com",
			lead_owner=OWNER,
			bant_budget_status="Confirmed",
		)
		self.assertEqual(lead.lq_score_band, "Hot")
		self.assertEqual(len(notifications(OWNER, document_name=lead.name)), 1)  # turned Hot
		comm = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"sender": lead.email_id,
				"subject": "Re: devis",
				"content": "D'accord pour jeudi.",
				"reference_doctype": "Lead",
				"reference_name": lead.name,
			}
		).insert(ignore_permissions=True)
		logs = notifications(OWNER, document_name=lead.name)
		self.assertEqual(len(logs), 2)
		self.assertIn("replied", logs[-1].subject)
		self.assertEqual(
			frappe.db.get_value("Lead Alert", {"reference": comm.name}, "alert"), "Hot Lead Replied"
		)


class TestBulkRescore(LeadQualificationTestCase):
	"""A rule edit and the bulk re-score of 1,000 leads (rescore_all commits per batch, as
	its background job does): one digest per owner, no alert per lead. Cleaned up after."""

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.flags.mute_emails = True
		ensure_test_role()
		for user in (OWNER, OTHER_OWNER):
			make_sales_user(user, language="en")
		make_sales_user(MANAGER_EN, language="en", roles=("Sales Manager", TEST_ROLE))
		make_sales_user(MANAGER_FR, language="fr", roles=("Sales Manager", TEST_ROLE))
		reset_settings()
		reset_routing_settings()
		self.enabled_rules = frappe.get_all("Lead Scoring Rule", filters={"enabled": 1}, pluck="name")
		frappe.db.delete("Lead", {"name": ("like", "LQALERT-%")})
		frappe.db.commit()

	def tearDown(self):
		frappe.db.rollback()
		names = frappe.get_all("Lead", filters={"name": ("like", "LQALERT-%")}, pluck="name")
		for doctype, field in (
			("Lead Score Entry", "lead"),
			("Lead Status Log", "lead"),
			("Lead Alert", "lead"),
		):
			frappe.db.delete(doctype, {field: ("like", "LQALERT-%")})
		frappe.db.delete(
			"Notification Log", {"for_user": ("in", (OWNER, OTHER_OWNER, MANAGER_EN, MANAGER_FR))}
		)
		frappe.db.delete("Lead", {"name": ("in", names or [""])})
		frappe.db.delete("Lead Scoring Rule", {"name": HOT_RULE["rule_name"]})
		frappe.db.sql("update `tabLead Scoring Rule` set enabled = 0")
		if self.enabled_rules:
			frappe.db.sql(
				"update `tabLead Scoring Rule` set enabled = 1 where name in %(n)s",
				{"n": tuple(self.enabled_rules)},
			)
		frappe.db.commit()
		frappe.flags.mute_emails = False
		scoring.clear_rules_cache()
		forget_cached_rules()

	def test_rule_edit_and_bulk_rescore_of_1000_leads_send_one_digest_per_owner(self):
		use_rules(dict(HOT_RULE, points=30))  # Warm
		names = insert_leads(1000, budget="Confirmed")
		scoring.rescore_all(reason="test: 30 points")
		self.assertEqual(
			frappe.db.count("Lead", {"name": ("like", "LQALERT-%"), "lq_score_band": "Warm"}), 1000
		)
		logs_before = frappe.db.count("Notification Log")

		frappe.db.set_value("Lead Scoring Rule", HOT_RULE["rule_name"], "points", 70)
		frappe.db.commit()
		scoring.clear_rules_cache()
		scoring.rescore_all(reason="test: 70 points")

		self.assertEqual(
			frappe.db.count("Lead", {"name": ("like", "LQALERT-%"), "lq_score_band": "Hot"}), 1000
		)
		# 4 recipients: the two owners and the two managers of the fallback role
		self.assertEqual(frappe.db.count("Notification Log") - logs_before, 4)
		assert_one_digest_each(self, names)
