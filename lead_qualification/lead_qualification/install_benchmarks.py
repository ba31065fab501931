"""Install on a site in use, at scale. Prints figures; asserts nothing; leaves nothing behind.

	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.make_synthetic_leads --kwargs "{'count': 100000}"
	bench --site SITE execute lead_qualification.lead_qualification.install_benchmarks.takeover
	bench --site SITE execute lead_qualification.lead_scoring.benchmarks.remove_synthetic_leads

`takeover` gives a share of the synthetic leads (LQBENCH-…) a quotation, an opportunity or a
customer (raw rows: only what the takeover reads), times the takeover of the whole site as
the install runs it, then rolls everything back (the takeover does not commit).
"""

import random
import time

import frappe
from frappe.utils import now_datetime

from lead_qualification.lead_qualification import existing_leads
from lead_qualification.lead_scoring.benchmarks import PREFIX
from lead_qualification.lead_scoring.scoring import insert_rows

COLUMNS = ("name", "creation", "modified", "owner", "modified_by", "docstatus")


def takeover(quoted: float = 0.12, opportunity: float = 0.05, customer: float = 0.02, seed: int = 11):
	rng = random.Random(seed)
	leads = frappe.db.sql_list(
		"select name from `tabLead` where name like %s and ifnull(qualification_status, '') != 'Qualified'",
		f"{PREFIX}%",
	)
	if not leads:
		print("no synthetic leads: run lead_scoring.benchmarks.make_synthetic_leads first")
		return
	now = now_datetime()
	picks = {
		kind: rng.sample(leads, int(len(leads) * share))
		for kind, share in (("quotation", quoted), ("opportunity", opportunity), ("customer", customer))
	}
	try:
		insert_rows(
			"tabQuotation",
			(*COLUMNS, "quotation_to", "party_name"),
			[
				(
					f"LQB-QTN-{i:07d}",
					now,
					now,
					"Administrator",
					"Administrator",
					rng.choice((0, 1, 1, 1, 2)),
					"Lead",
					lead,
				)
				for i, lead in enumerate(picks["quotation"])
			],
		)
		insert_rows(
			"tabOpportunity",
			(*COLUMNS, "opportunity_from", "party_name"),
			[
				(f"LQB-OPP-{i:07d}", now, now, "Administrator", "Administrator", 0, "Lead", lead)
				for i, lead in enumerate(picks["opportunity"])
			],
		)
		insert_rows(
			"tabCustomer",
			(*COLUMNS, "customer_name", "lead_name"),
			[
				(f"LQB-CUST-{i:07d}", now, now, "Administrator", "Administrator", 0, f"LQB {i}", lead)
				for i, lead in enumerate(picks["customer"])
			],
		)
		expected = len(set().union(*picks.values()))
		total = frappe.db.count("Lead")
		started = time.monotonic()
		taken = existing_leads.take_over()
		elapsed = time.monotonic() - started
		started = time.monotonic()
		existing_leads.fill_missing_status()
		fill = time.monotonic() - started
		print(f"{'leads on the site':<52} {total}")
		print(f"{'synthetic leads with a document (expected)':<52} {expected}")
		print(f"{'taken over as prospects':<52} {taken}")
		print(f"{'takeover time':<52} {elapsed:.1f} s ({taken / elapsed:.0f} leads taken over/s)")
		print(f"{'empty statuses filled':<52} {fill:.2f} s")
	finally:
		frappe.db.rollback()
