"""Install, migrate and uninstall steps (wired in hooks.py)."""

import json

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from lead_qualification.setup.custom_fields import (
	get_custom_fields,
	get_list_view_settings,
	get_property_setters,
)

SETTINGS_DOCTYPES = (
	"Lead Qualification Settings",
	"Lead Scoring Settings",
	"Lead Nurture Settings",
	"Lead Privacy Settings",
	"Lead Response Settings",
)


def after_install():
	make_custom_fields()
	make_property_setters()
	make_list_view_settings()
	make_default_settings()
	make_default_rules()
	make_default_gates()
	mark_documents_made_before_gates()
	sync_override_permissions()
	make_default_nurture()
	take_over_existing_leads()
	queue_first_scoring()


def after_migrate():
	# Idempotent: creates missing fields and updates changed ones in place.
	make_custom_fields()
	make_property_setters()
	make_default_settings()
	sync_override_permissions()
	flag_leads_with_activity()
	# parsed rules are cached; a new version of the app may parse them differently
	from lead_qualification.lead_scoring.scoring import clear_rules_cache

	clear_rules_cache()


def flag_leads_with_activity():
	"""lq_has_activity tells a Lead save to read the lead's activities; leads that had
	activities before the field existed get it here (idempotent)."""
	frappe.db.sql(
		"""update `tabLead` set lq_has_activity = 1
		where lq_has_activity = 0 and name in (select lead from `tabLead Activity`)"""
	)


def before_uninstall():
	from lead_qualification.integrations.erpnext import permissions

	permissions.remove()
	delete_list_view_settings()
	delete_property_setters()
	delete_custom_fields()


def make_custom_fields():
	create_custom_fields(get_custom_fields(), update=True)


def make_property_setters():
	for ps in get_property_setters():
		args = {k: v for k, v in ps.items() if k != "module"}
		frappe.make_property_setter(args, module=ps["module"])


def delete_property_setters():
	for ps in get_property_setters():
		frappe.db.delete(
			"Property Setter",
			{
				"doc_type": ps["doctype"],
				"doctype_or_field": "DocType",
				"property": ps["property"],
				"module": ps["module"],
			},
		)
	frappe.clear_cache(doctype="Lead")


def _our_list_columns() -> str:
	return json.dumps(get_list_view_settings()["fields"])


def make_list_view_settings():
	"""Show band, score and BANT completeness in the Lead list, unless the site already
	has its own Lead list settings."""
	if frappe.db.exists("List View Settings", "Lead"):
		return
	values = get_list_view_settings()
	doc = frappe.new_doc("List View Settings")
	doc.name = values["name"]
	doc.total_fields = values["total_fields"]
	doc.fields = _our_list_columns()
	doc.insert(ignore_permissions=True)


def delete_list_view_settings():
	"""Remove the Lead list settings the app installed, if nobody changed them since."""
	if frappe.db.get_value("List View Settings", "Lead", "fields") == _our_list_columns():
		frappe.delete_doc("List View Settings", "Lead", ignore_permissions=True, force=True)


def make_default_rules():
	"""Install the default scoring rules once; existing rules are left as they are."""
	from lead_qualification.lead_scoring.defaults import default_rules

	frappe.flags.lq_skip_rescore = True
	try:
		for rule in default_rules():
			if not frappe.db.exists("Lead Scoring Rule", rule["rule_name"]):
				frappe.get_doc({"doctype": "Lead Scoring Rule", **rule}).insert(ignore_permissions=True)
	finally:
		frappe.flags.lq_skip_rescore = False


def delete_custom_fields():
	"""Remove the app's Custom Fields (and their Property Setters) from the meta.

	Lead rows are untouched. As with any deleted Custom Field, Frappe keeps the
	database columns until `bench trim-tables` is run, so a reinstall finds the
	BANT values again.
	"""
	for doctype, fields in get_custom_fields().items():
		fieldnames = [df["fieldname"] for df in fields]
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", fieldnames)})
		frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": ("in", fieldnames)})
		frappe.clear_cache(doctype=doctype)


def make_default_settings():
	"""Store the settings' defaults once, so that the app is on from the start
	(an unsaved Single reads as all zeros through frappe.db.get_single_value)."""
	for doctype in SETTINGS_DOCTYPES:
		if frappe.db.exists("Singles", {"doctype": doctype}):
			continue
		settings = frappe.get_single(doctype)
		# Frappe v15 fills every Time field of a new document with the current time, whatever
		# its default (frappe.model.create_new.set_dynamic_default_values): set the defaults.
		for df in settings.meta.get("fields", {"fieldtype": "Time"}):
			if df.default:
				settings.set(df.fieldname, df.default)
		settings.flags.ignore_permissions = True
		settings.save()


def make_default_gates():
	"""Quotations for a lead are refused until it is a prospect."""
	from frappe.utils import now_datetime

	settings = frappe.get_single("Lead Qualification Settings")
	if not settings.gates_active_since:
		settings.gates_active_since = now_datetime()
	if not settings.get("gates"):
		settings.append(
			"gates",
			{
				"document_type": "Quotation",
				"enabled": 1,
				"require_qualified": 1,
				"min_score": 0,
				"mode": "Refuse",
			},
		)
	settings.override_role = settings.override_role or "Sales Manager"
	settings.flags.ignore_permissions = True
	settings.save()


def mark_documents_made_before_gates(created_before=None):
	"""The gated documents that exist now are left as they were made (gates.made_before_gates),
	unless their party changes. Marked by name, once, at install: no clock is compared later,
	so a time zone set by the setup wizard after install cannot move the boundary."""
	from lead_qualification.setup.custom_fields import GATED_DOCTYPES

	for doctype in GATED_DOCTYPES:
		table = frappe.qb.DocType(doctype)
		query = frappe.qb.update(table).set(table.lq_before_gates, 1)
		if created_before:
			query = query.where(table.creation < created_before)
		query.run()


def sync_override_permissions():
	from lead_qualification.integrations.erpnext import permissions

	permissions.sync()


def make_default_nurture():
	"""The shipped sequence and its English and French e-mail templates."""
	from lead_qualification.lead_nurture.defaults import install

	install()


# --- a site already in use ----------------------------------------------------------------


def take_over_existing_leads(cutoff=None) -> int:
	"""Leads that already have an Opportunity, a Quotation or a Customer (or an ERPNext status
	saying so) become prospects, so that their work in progress is not gated; leads with no
	qualification status at all become Unqualified. Adds the count of prospects to the
	install summary in Lead Qualification Settings."""
	from lead_qualification.lead_qualification.existing_leads import fill_missing_status, take_over

	taken = take_over(cutoff=cutoff)
	fill_missing_status()
	settings = "Lead Qualification Settings"
	before = frappe.db.get_single_value(settings, "install_prospects") or 0
	frappe.db.set_single_value(settings, "install_prospects", before + taken)
	return taken


def queue_first_scoring() -> str | None:
	"""Score every lead the site already has, in a bulk run on the long queue (a *Lead
	Scoring Run* shows its progress); the install summary links to it."""
	from frappe import _
	from frappe.utils import now_datetime

	from lead_qualification.lead_scoring import scoring

	leads = frappe.db.count("Lead")
	values = {"installed_on": now_datetime(), "install_leads": leads}
	run = None
	if leads and scoring.is_enabled():
		run = enqueue_scoring(_("First scoring of the leads found at install"), notify=True)
		values["install_scoring_run"] = run
	frappe.db.set_single_value("Lead Qualification Settings", values)
	return run


def enqueue_scoring(reason: str, notify: bool = False) -> str:
	"""A bulk re-score on the long queue after the transaction commits; where no queue can be
	reached (a bench without Redis running), it runs here and now instead."""
	from redis.exceptions import ConnectionError as RedisConnectionError

	from lead_qualification.lead_scoring import scoring

	run = scoring.new_run(reason)
	kwargs = {"run": run, "reason": reason, "notify": notify}
	try:
		frappe.enqueue(
			"lead_qualification.setup.install.scoring_job",
			queue="long",
			timeout=3600,
			enqueue_after_commit=True,
			**kwargs,
		)
	except RedisConnectionError:
		scoring_job(**kwargs)
	return run


def scoring_job(run: str, reason: str = "", notify: bool = False):
	"""The long-queue job: the app's bulk re-score, then (after install) the managers are told."""
	from lead_qualification.lead_scoring import scoring

	scoring.rescore_all_job(run=run, reason=reason)
	if notify:
		notify_managers(run)


def install_summary(run: str | None = None) -> dict:
	"""Figures of the install, for the managers' notification."""
	settings = frappe.db.get_singles_dict("Lead Qualification Settings")
	bands = dict(
		frappe.db.sql(
			"select lq_score_band, count(*) from `tabLead` where ifnull(lq_score_band, '') != '' group by 1"
		)
	)
	return {
		"scored": frappe.db.get_value("Lead Scoring Run", run, "processed") if run else 0,
		"hot": bands.get("Hot", 0),
		"warm": bands.get("Warm", 0),
		"cold": bands.get("Cold", 0),
		"taken_over": settings.get("install_prospects") or 0,
	}


def manager_emails() -> list[str]:
	return frappe.db.sql_list(
		"""select distinct u.email from `tabUser` u join `tabHas Role` r
		on r.parent = u.name and r.parenttype = 'User'
		where r.role in ('System Manager', 'Sales Manager') and u.enabled = 1
		and u.user_type = 'System User' and ifnull(u.email, '') != ''"""
	)


def notify_managers(run: str) -> None:
	"""A notification (the bell) to System Managers and Sales Managers: what the install did."""
	from frappe import _
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	s = install_summary(run)
	subject = _(
		"Lead Qualification is installed: {0} leads scored ({1} hot, {2} warm, {3} cold); {4} leads that already had an opportunity, a quotation or a customer are now prospects."
	).format(s["scored"], s["hot"], s["warm"], s["cold"], s["taken_over"])
	make_notification_logs(
		{
			"type": "Alert",
			"subject": subject,
			"document_type": "Lead Scoring Run",
			"document_name": run,
		},
		manager_emails(),
	)
