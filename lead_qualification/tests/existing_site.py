"""A site already in use, for checking the install by hand (prints figures, asserts nothing).

On an ERPNext site whose setup wizard is complete and where the app is NOT installed yet
(`bench execute` refuses an app the site does not have, so seed from `bench --site SITE
console`: `from lead_qualification.tests.existing_site import seed; seed()`), then:

    bench --site SITE install-app lead_qualification
    bench --site SITE execute lead_qualification.tests.existing_site.pending_jobs
    bench worker --queue long --burst        # runs the queued job (and any other site's!)
    bench --site SITE execute lead_qualification.tests.existing_site.check

On a bench shared with other sites, `run_site_jobs` (from the sites folder, in `bench --site
SITE console`) runs only this site's queued jobs instead of the burst worker.

`seed` makes 300 leads as a sales team would have them: 40 with quotations (32 submitted,
5 drafts, 3 cancelled and not amended yet), 10 more with an opportunity, 3 converted to
customers. `check` prints what the install did and tries, then rolls back, a revised
quotation (cancel and amend) and a new quotation for leads that were quoted before.
"""

import random

import frappe
from frappe.utils import add_days, nowdate

from lead_qualification.tests import test_gates as gate_tests
from lead_qualification.tests.test_gates import company

TAG = "LQ existing site"
ITEM = "LQ-EXISTING-SITE-WORK"
FIRST_NAMES = ("Anne", "Bruno", "Chloé", "David", "Élise", "Fabien", "Gaëlle", "Hugo", "Inès", "Julien")
LAST_NAMES = ("Martin", "Bernard", "Roux", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent")
TRADES = ("Menuiserie", "Toitures", "Plomberie", "Électricité", "Maçonnerie", "Peinture")
TOWNS = ("Lyon", "Villeurbanne", "Vienne", "Bron", "Vénissieux", "Caluire")


def item_code() -> str:
	return gate_tests.item_code(ITEM, "Travaux de rénovation")


def quotation_doc(lead: str, rate: float):
	comp = company()
	return frappe.get_doc(
		{
			"doctype": "Quotation",
			"quotation_to": "Lead",
			"party_name": lead,
			"company": comp,
			"currency": frappe.db.get_value("Company", comp, "default_currency"),
			"conversion_rate": 1,
			"plc_conversion_rate": 1,
			"transaction_date": nowdate(),
			"valid_till": add_days(nowdate(), 30),
			"order_type": "Sales",
			"items": [{"item_code": item_code(), "qty": 1, "rate": rate}],
		}
	)


def seed(
	leads: int = 300,
	submitted: int = 32,
	drafts: int = 5,
	cancelled: int = 3,
	opportunities: int = 10,
	customers: int = 3,
):
	rng = random.Random(42)
	frappe.flags.in_import = True  # as a Data Import of leads: no Gravatar look-up
	names = []
	try:
		for i in range(leads):
			first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
			values = {
				"doctype": "Lead",
				"first_name": first,
				"last_name": f"{last} {i:03d}",
				"source": rng.choice(
					["Advertisement", "Campaign", "Cold Calling", "Existing Customer", None]
				),
				"city": rng.choice(TOWNS),
				"status": rng.choice(["Lead", "Lead", "Open", "Replied", "Interested"]),
			}
			if rng.random() < 0.6:
				values["company_name"] = f"{rng.choice(TRADES)} {last} {i:03d}"
			if rng.random() < 0.7:
				domain = rng.choice(["gmail.com", "orange.fr", "example.fr"])
				values["email_id"] = f"contact.{i:03d}@{domain}"
			names.append(frappe.get_doc(values).insert(ignore_permissions=True).name)
	finally:
		frappe.flags.in_import = False
	frappe.db.commit()

	pool = list(names)
	rng.shuffle(pool)
	quoted = pool[: submitted + drafts + cancelled]
	for i, lead in enumerate(quoted):
		q = quotation_doc(lead, rng.choice([800, 2400, 5600, 12000])).insert(ignore_permissions=True)
		if i < submitted:
			q.submit()
		elif i >= submitted + drafts:
			q.submit()
			q.cancel()
	rest = pool[len(quoted) :]
	for lead in rest[:opportunities]:
		frappe.get_doc(
			{"doctype": "Opportunity", "opportunity_from": "Lead", "party_name": lead, "company": company()}
		).insert(ignore_permissions=True)
	for lead in rest[opportunities : opportunities + customers]:
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": frappe.db.get_value("Lead", lead, "lead_name"),
				"customer_type": "Company",
				"lead_name": lead,
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	print(
		f"{len(names)} leads; quotations: {submitted} submitted, {drafts} drafts, {cancelled} cancelled only; "
		f"{opportunities} leads with an opportunity only, {customers} converted to customers"
	)


def pending_jobs():
	from frappe.utils.background_jobs import get_queue

	q = get_queue("long")
	print(f"long queue: {q.count} job(s):", [j.kwargs.get("job_name") for j in q.get_jobs()])


def run_site_jobs(queue: str = "long"):
	"""Run this site's queued jobs as a worker does (rq's perform: Frappe's execute_job, which
	connects to the site by itself), leaving other sites' jobs in the shared queue alone."""
	from frappe.utils.background_jobs import get_queue

	q = get_queue(queue)
	site = frappe.local.site
	mine = [j for j in q.get_jobs() if (j.kwargs or {}).get("site") == site]
	frappe.destroy()
	for job in mine:
		q.remove(job)
		print("running", job.kwargs.get("job_name"), job.kwargs.get("kwargs"))
		job.perform()
	frappe.init(site=site, sites_path=".")
	frappe.connect()


def quoted_leads(docstatus) -> set[str]:
	return set(
		frappe.db.sql_list(
			"select distinct party_name from `tabQuotation` where quotation_to = 'Lead' and docstatus in %(d)s",
			{"d": tuple(docstatus)},
		)
	)


def check():
	leads = frappe.db.count("Lead")
	scored = frappe.db.count("Lead", {"lq_scored_on": ("is", "set")})
	banded = frappe.db.count("Lead", {"lq_score_band": ("is", "set")})
	bands = dict(frappe.db.sql("select lq_score_band, count(*) from `tabLead` group by 1"))
	print(f"leads: {leads}; scored: {scored}; with a band: {banded}; bands: {bands}")
	print(
		"score range:",
		frappe.db.sql("select min(lq_score), max(lq_score), round(avg(lq_score), 1) from `tabLead`")[0],
	)

	live = quoted_leads((0, 1))
	quoted = quoted_leads((0, 1, 2))
	cancelled_only = quoted - live
	opportunity = set(
		frappe.db.sql_list("select party_name from `tabOpportunity` where opportunity_from = 'Lead'")
	)
	customer = set(
		frappe.db.sql_list("select lead_name from `tabCustomer` where ifnull(lead_name, '') != ''")
	)
	qualified = set(frappe.get_all("Lead", filters={"qualification_status": "Qualified"}, pluck="name"))
	print(f"leads with a quotation: {len(quoted)}, of which prospects: {len(quoted & qualified)}")
	print(
		f"  of which with a draft or submitted quotation: {len(live)}, prospects: {len(live & qualified)}; "
		f"whose only quotation is cancelled: {len(cancelled_only)}, prospects: {len(cancelled_only & qualified)}"
	)
	print(f"leads with an opportunity: {len(opportunity)}, prospects: {len(opportunity & qualified)}")
	print(f"leads with a customer: {len(customer)}, prospects: {len(customer & qualified)}")
	print(f"prospects in all: {len(qualified)}")
	logs = frappe.db.count("Lead Status Log", {"reason": "Taken Over at Install"})
	comments = frappe.db.count(
		"Comment",
		{"reference_doctype": "Lead", "comment_type": "Info", "content": ("like", "%Lead Qualification%")},
	)
	print(f"status log rows 'Taken Over at Install': {logs}; timeline comments: {comments}")
	print(
		"example comment:",
		frappe.db.get_value(
			"Comment", {"reference_doctype": "Lead", "content": ("like", "%Lead Qualification%")}, "content"
		),
	)
	settings = frappe.db.get_singles_dict("Lead Qualification Settings")
	print(
		"install summary:",
		{
			k: settings.get(k)
			for k in ("installed_on", "install_leads", "install_prospects", "install_scoring_run")
		},
	)
	for run in frappe.get_all(
		"Lead Scoring Run", fields=["name", "status", "reason", "total", "processed", "leads_per_second"]
	):
		print("run:", run)
	for n in frappe.get_all(
		"Notification Log", filters={"document_type": "Lead Scoring Run"}, fields=["for_user", "subject"]
	):
		print("notification:", n)

	# work in progress: a revision and a new quotation, then everything is rolled back
	from lead_qualification.lead_qualification.gates import GateRefusedError

	submitted = frappe.get_all(
		"Quotation", filters={"quotation_to": "Lead", "docstatus": 1}, fields=["name", "party_name"], limit=2
	)
	frappe.set_user("Administrator")
	try:
		original = frappe.get_doc("Quotation", submitted[0].name)
		original.cancel()
		amended = frappe.copy_doc(original)
		amended.docstatus = 0
		amended.amended_from = original.name
		amended.insert()
		amended.submit()
		print(f"revised quotation {amended.name} for {original.party_name} (amends {original.name}): allowed")
		new = quotation_doc(submitted[1].party_name, 3000).insert()
		new.submit()
		print(f"new quotation {new.name} for {submitted[1].party_name}: allowed")
	except GateRefusedError as e:
		print("REFUSED by the gate:", e)
	finally:
		frappe.db.rollback()
	untouched = sorted(set(frappe.get_all("Lead", pluck="name")) - qualified)
	try:
		quotation_doc(untouched[0], 1000).insert()
		print(f"quotation for unqualified lead {untouched[0]}: allowed (unexpected)")
	except GateRefusedError:
		print(f"quotation for unqualified lead {untouched[0]}: refused by the gate, as it should")
	finally:
		frappe.db.rollback()
