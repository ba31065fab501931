"""Test helpers for the integration tier (run by `bench run-tests` on a real site)."""

import frappe

SETTINGS = "Lead Qualification Settings"

try:  # Frappe v16
	from frappe.tests import IntegrationTestCase as LeadQualificationTestCase
except ImportError:  # Frappe v15
	from frappe.tests.utils import FrappeTestCase as LeadQualificationTestCase  # noqa: F401

COMPLETE_BANT = {
	"bant_need": "Renovate the workshop roof",
	"bant_urgency": "Leaks since the last storm",
	"bant_budget_status": "Confirmed",
	"bant_budget_amount": 12000,
	"bant_authority": "Talking to the Decision Maker",
	"bant_decision_maker": "Claire Martin",
	"bant_decision_maker_role": "Owner",
	"bant_horizon": "Under a Month",
}


def before_tests():
	"""ERPNext's own test preparation: completes the setup wizard with a test company
	when the site has none (bin/run-tests runs `run_setup_wizard` first, so it finds one),
	and sets the defaults ERPNext's tests expect."""
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()


def run_setup_wizard(
	timezone: str = "Europe/Paris",
	country: str = "France",
	currency: str = "EUR",
	language: str = "English",
	company_name: str = "LQ Test SARL",
	company_abbr: str = "LQT",
	chart_of_accounts: str = "Standard",
	full_name: str = "LQ Test Manager",
	email: str = "lq-setup@example.com",
	if_needed: bool = False,
) -> dict:
	"""Complete the setup wizard the ordinary way, through Frappe's `setup_complete` (the
	call the wizard page makes, running every installed app's setup stages), then check that
	the site's time zone is the one asked for.

	bin/run-tests calls it on its fresh site, before the tests, so that ERPNext's
	`before_tests` finds a company and leaves the wizard alone:
	`bench --site SITE execute lead_qualification.tests.utils.run_setup_wizard --kwargs "{...}"`.
	With `if_needed`, a site whose setup is already complete is only reported, not checked."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete
	from frappe.utils import getdate

	already = bool(frappe.is_setup_complete())
	if already and not if_needed:
		raise RuntimeError(f"setup wizard already completed on {frappe.local.site}: not a fresh site")
	if not already:
		year = getdate().year
		setup_complete(
			{
				"language": language,
				"country": country,
				"timezone": timezone,
				"currency": currency,
				"full_name": full_name,
				"email": email,
				"company_name": company_name,
				"company_abbr": company_abbr,
				"chart_of_accounts": chart_of_accounts,
				"fy_start_date": f"{year}-01-01",
				"fy_end_date": f"{year}-12-31",
			}
		)
		frappe.db.commit()
		frappe.clear_cache()
	state = setup_state()
	if not already:
		wrong = {
			key: (state[key], expected)
			for key, expected in (("time_zone", timezone), ("setup_complete", 1), ("company", company_name))
			if state[key] != expected
		}
		if wrong:
			raise RuntimeError(
				f"setup wizard left the site in an unexpected state (found, expected): {wrong}"
			)
	state["wizard_ran"] = not already
	return state


def setup_state() -> dict:
	"""What the setup wizard decides and the tests depend on, read from the database."""
	return {
		"site": frappe.local.site,
		"setup_complete": frappe.db.get_single_value("System Settings", "setup_complete"),
		"time_zone": frappe.db.get_single_value("System Settings", "time_zone"),
		"country": frappe.db.get_single_value("System Settings", "country"),
		"company": frappe.db.get_single_value("Global Defaults", "default_company"),
		"currency": frappe.db.get_single_value("Global Defaults", "default_currency"),
	}


def update_single(doctype: str, **values):
	"""Set values on a settings (Single) DocType for a test, through its controller."""
	settings = frappe.get_single(doctype)
	settings.update(values)
	settings.save()


def set_settings(**values):
	update_single(SETTINGS, **values)


def reset_settings():
	reset_scoring_settings()
	reset_nurture_settings()
	quiet_lead_response()
	set_settings(
		enabled=1,
		auto_promote=1,
		link_prospect=1,
		require_need=1,
		require_budget=1,
		require_authority=1,
		require_timing=1,
	)


def quiet_lead_response():
	"""Alerts and routing off (they are on by default on a site): the tests of other
	features neither notify nor assign; test_lead_alerts and test_lead_routing turn them on."""
	update_single("Lead Routing Settings", enable_alerts=0, enable_routing=0)


def make_lead(**values):
	"""Insert a Lead with a unique name; extra values are set before insert."""
	suffix = frappe.generate_hash(length=8)
	doc = frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": values.pop("first_name", f"Test {suffix}"),
			"email_id": values.pop("email_id", f"lead-{suffix}@example.com"),
			# test leads agree to marketing e-mails (an individual needs consent: privacy.consent)
			"lqp_consent_given": values.pop("lqp_consent_given", 1),
			**values,
		}
	)
	doc.insert()
	return doc


def http(client, verb: str, path: str, headers: dict | None = None, **kwargs):
	"""A request through Frappe's WSGI application (frappe.utils.get_test_client), run in
	another thread with its own database connection, as frappe's own API tests do: what the
	request reads must be committed, and what it writes is seen here after a rollback."""
	try:  # Frappe v15
		from frappe.tests.test_api import make_request
	except ImportError:  # Frappe v16
		from frappe.tests.classes.integration_test_case import make_request  # type: ignore

	return make_request(
		target=getattr(client, verb), args=(path,), kwargs={"headers": headers or {}, **kwargs}
	)


def api_token(user: str) -> str:
	"""An Authorization header value for REST calls as this user (a new key and secret)."""
	doc = frappe.get_doc("User", user)
	doc.api_key = frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	doc.api_secret = secret
	doc.save(ignore_permissions=True)
	return f"token {doc.api_key}:{secret}"


def make_user(email: str, roles: list[str], user_type: str = "System User"):
	if frappe.db.exists("User", email):
		user = frappe.get_doc("User", email)
	else:
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"user_type": user_type,
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
	user.set("roles", [])
	for role in roles:
		user.append("roles", {"role": role})
	user.save(ignore_permissions=True)
	return user


SCORING_SETTINGS = "Lead Scoring Settings"


def set_scoring_settings(**values):
	update_single(SCORING_SETTINGS, **values)


def reset_scoring_settings():
	set_scoring_settings(enabled=1, hot_threshold=60, warm_threshold=25, promotion_min_score=0)


def use_rules(*rules: dict):
	"""Score with exactly these rules for the test (the transaction is rolled back after
	it; the rules cache is cleared now and must be cleared again in tearDown)."""
	from lead_qualification.lead_scoring import scoring

	frappe.db.sql("update `tabLead Scoring Rule` set enabled = 0")
	frappe.flags.lq_skip_rescore = True
	try:
		for i, values in enumerate(rules):
			frappe.get_doc(
				{
					"doctype": "Lead Scoring Rule",
					"rule_name": values.pop("rule_name", f"Test rule {i} {frappe.generate_hash(length=6)}"),
					"dimension": "Fit",
					"category": "Demographic",
					"condition_type": "Lead Field",
					**values,
				}
			).insert()
	finally:
		frappe.flags.lq_skip_rescore = False
	scoring.clear_rules_cache()


NURTURE_SETTINGS = "Lead Nurture Settings"


def set_nurture_settings(**values):
	update_single(NURTURE_SETTINGS, **values)


def reset_nurture_settings():
	"""No quiet hours, no holidays, a loose cap: tests that need them set them."""
	set_nurture_settings(
		enabled=1,
		hot_cadence_days=2,
		warm_cadence_days=7,
		cold_cadence_days=30,
		max_touches_per_week=10,
		use_holiday_list=0,
		quiet_hours_start="00:00:00",
		quiet_hours_end="00:00:00",
		batch_size=200,
		parallel_jobs=2,
	)


def ensure_outgoing_email_account():
	"""Frappe queues e-mail only with an outgoing account; this one points at loopback and
	nothing flushes the queue during tests."""
	name = "LQ Test Outgoing"
	if not frappe.db.exists("Email Account", name):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": "lq-outgoing@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"no_smtp_authentication": 1,
				"awaiting_password": 1,
			}
		).insert(ignore_permissions=True)
	return name
