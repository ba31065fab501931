"""Pipeline Forecast and Qualification Impact on a large history. They print figures; they
assert nothing. Run on a test site, never in production:

	bench --site SITE execute lead_qualification.lead_qualification.benchmarks.make_history --kwargs "{'leads': 100000, 'quotations': 20000}"
	bench --site SITE execute lead_qualification.lead_qualification.benchmarks.report_times
	bench --site SITE execute lead_qualification.lead_qualification.benchmarks.remove_history

make_history writes two years of leads, customers, quotations, sales orders and sales
invoices with multi-row INSERTs (no document events, as lead_scoring.benchmarks does for
leads); every row it writes is named LQFC-…, which remove_history deletes.
"""

import os
import random
import statistics
import time

import frappe
from frappe.utils import add_days, add_months, getdate, now_datetime, nowdate

PREFIX = "LQFC-"
STAGES = ("Unqualified", "In Process", "Qualified")
CONVERSION = {"Unqualified": 0.03, "In Process": 0.08, "Qualified": 0.16}
BAND_FACTOR = {"Hot": 1.5, "Warm": 1.0, "Cold": 0.5}
COMMON = ("creation", "modified", "owner", "modified_by", "docstatus", "idx")


def _print(label, value):
	print(f"{label:<62} {value}")


def insert_rows(doctype: str, rows: list[dict], batch: int = 2000):
	"""Multi-row INSERT of plain rows (the keys of the first row are the columns); owner,
	modified_by, creation, modified, docstatus and idx get defaults when missing."""
	if not rows:
		return
	now = now_datetime()
	defaults = {
		"owner": "Administrator",
		"modified_by": "Administrator",
		"creation": now,
		"modified": now,
		"docstatus": 0,
		"idx": 0,
	}
	columns = list(dict.fromkeys([*rows[0], *defaults]))
	for i in range(0, len(rows), batch):
		part = rows[i : i + batch]
		placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(part))
		values = [row.get(c, defaults.get(c)) for row in part for c in columns]
		frappe.db.sql(
			f"insert into `tab{doctype}` ({', '.join(f'`{c}`' for c in columns)}) values {placeholders}",
			values,
		)


def lead_row(name: str, created, **values) -> dict:
	return {
		"name": name,
		"creation": created,
		"modified": created,
		"naming_series": "CRM-LEAD-.YYYY.-",
		"first_name": name,
		"lead_name": name,
		"title": name,
		"status": "Lead",
		"qualification_status": "Unqualified",
		"lq_score_band": "Cold",
		"lq_score": 0,
		"company": None,
		"territory": None,
		"source": None,
		"lead_owner": None,
		"bant_budget_amount": 0,
		"bant_budget_currency": None,
		"bant_expected_start": None,
		"bant_horizon": "Unknown",
		**values,
	}


def customer_row(name: str, lead: str, created, territory=None) -> dict:
	return {
		"name": name,
		"creation": created,
		"modified": created,
		"customer_name": name,
		"customer_type": "Company",
		"customer_group": "Commercial",
		"territory": territory,
		"lead_name": lead,
	}


def quotation_row(name: str, lead: str, on, valid_till, amount: float, company: str, **values) -> dict:
	return {
		"name": name,
		"creation": on,
		"modified": on,
		"docstatus": 1,
		"naming_series": "SAL-QTN-.YYYY.-",
		"title": lead,
		"quotation_to": "Lead",
		"party_name": lead,
		"transaction_date": on,
		"valid_till": valid_till,
		"status": "Open",
		"order_type": "Sales",
		"company": company,
		"currency": "EUR",
		"conversion_rate": 1,
		"base_net_total": amount,
		"net_total": amount,
		"base_grand_total": amount,
		"grand_total": amount,
		"territory": None,
		"source": None,
		**values,
	}


def order_rows(name: str, customer: str, on, amount: float, company: str, quotation: str | None = None):
	"""A submitted Sales Order and its one item (made from `quotation` when given)."""
	order = {
		"name": name,
		"creation": on,
		"modified": on,
		"docstatus": 1,
		"naming_series": "SAL-ORD-.YYYY.-",
		"title": customer,
		"customer": customer,
		"transaction_date": on,
		"delivery_date": on,
		"status": "To Deliver and Bill",
		"order_type": "Sales",
		"company": company,
		"currency": "EUR",
		"conversion_rate": 1,
		"base_net_total": amount,
		"net_total": amount,
		"base_grand_total": amount,
		"grand_total": amount,
	}
	item = {
		"name": f"{name}-1",
		"creation": on,
		"modified": on,
		"docstatus": 1,
		"parent": name,
		"parenttype": "Sales Order",
		"parentfield": "items",
		"idx": 1,
		"item_code": None,
		"item_name": "Work",
		"description": "Work",
		"qty": 1,
		"rate": amount,
		"amount": amount,
		"base_net_amount": amount,
		"prevdoc_docname": quotation,
	}
	return order, item


def invoice_row(name: str, customer: str, on, amount: float, company: str) -> dict:
	return {
		"name": name,
		"creation": on,
		"modified": on,
		"docstatus": 1,
		"naming_series": "ACC-SINV-.YYYY.-",
		"title": customer,
		"customer": customer,
		"posting_date": on,
		"due_date": on,
		"status": "Paid",
		"company": company,
		"currency": "EUR",
		"conversion_rate": 1,
		"base_net_total": amount,
		"net_total": amount,
		"base_grand_total": amount,
		"grand_total": amount,
	}


def make_history(leads: int = 100_000, quotations: int = 20_000, seed: int = 11, switch_months: int = 12):
	"""Two years of synthetic history for the default company: `leads` leads (bands,
	budgets, timings, sources, territories spread at random; more of them qualified after
	the app's switch-on, `switch_months` ago, which is written to Gates Active Since),
	customers (3 % of unqualified leads, 8 % in process, 16 % qualified; more for hot, fewer
	for cold) with one or two orders and their invoices, and `quotations` quotations (40 %
	of those of qualified leads ordered, 18 % of the others)."""
	rng = random.Random(seed)
	company = frappe.defaults.get_global_default("company")
	today = getdate(nowdate())
	switch = getdate(add_months(today, -switch_months))
	frappe.db.set_single_value("Lead Qualification Settings", "gates_active_since", str(switch))
	territories = frappe.get_all("Territory", {"is_group": 0}, pluck="name") or [None]
	sources = frappe.get_all("Lead Source", pluck="name") or [None]
	owners = frappe.get_all("User", {"user_type": "System User", "enabled": 1}, pluck="name")[:5]
	start = time.perf_counter()
	lead_rows, customers, orders, items, invoices = [], [], [], [], []
	for i in range(leads):
		name = f"{PREFIX}L{i:07d}"
		created = add_days(today, -rng.randint(0, 730))
		after = getdate(created) >= switch
		stage = rng.choices(STAGES, (3, 3, 4) if after else (6, 3, 1))[0]
		band = rng.choice(("Hot", "Warm", "Cold"))
		lead_rows.append(
			lead_row(
				name,
				created,
				qualification_status=stage,
				lq_score_band=band,
				company=company,
				territory=rng.choice(territories),
				source=rng.choice(sources),
				lead_owner=rng.choice(owners) if owners else None,
				bant_budget_amount=rng.choice((0, 0, 5000, 12000, 40000)),
				bant_expected_start=add_days(created, rng.randint(10, 300)) if rng.random() < 0.3 else None,
				bant_horizon=rng.choice(
					("Unknown", "Immediate", "1-3 Months", "3-6 Months", "Over 6 Months")
				),
			)
		)
		if rng.random() < CONVERSION[stage] * BAND_FACTOR[band]:
			customer = f"{PREFIX}C{i:07d}"
			became = add_days(created, rng.randint(5, 90))
			if getdate(became) > today:
				continue
			customers.append(customer_row(customer, name, became))
			for k in range(rng.choice((1, 1, 2))):
				on = add_days(became, rng.randint(0, 60))
				if getdate(on) > today:
					break
				amount = rng.choice((800, 2500, 6000, 15000))
				order, item = order_rows(f"{PREFIX}SO{i:07d}{k}", customer, on, amount, company)
				orders.append(order)
				items.append(item)
				invoices.append(
					invoice_row(f"{PREFIX}SI{i:07d}{k}", customer, add_days(on, 20), amount, company)
				)
	quotes = []
	for j in range(quotations):
		lead = lead_rows[rng.randrange(len(lead_rows))]
		on = add_days(lead["creation"], rng.randint(0, 40))
		if getdate(on) > today:
			on = today
		amount = rng.choice((900, 3000, 7000, 20000))
		name = f"{PREFIX}Q{j:07d}"
		quotes.append(
			quotation_row(name, lead["name"], on, add_days(on, rng.choice((30, 60, 90))), amount, company)
		)
		if rng.random() < (0.40 if lead["qualification_status"] == "Qualified" else 0.18):
			customer = f"{PREFIX}QC{j:07d}"
			customers.append(customer_row(customer, lead["name"], on))
			ordered_on = add_days(on, rng.choice((2, 10, 25, 45, 75)))
			if getdate(ordered_on) > today:
				ordered_on = today
			order, item = order_rows(f"{PREFIX}QSO{j:07d}", customer, ordered_on, amount, company, name)
			orders.append(order)
			items.append(item)
	_print("rows built", f"{time.perf_counter() - start:.1f} s")
	start = time.perf_counter()
	for doctype, rows in (
		("Lead", lead_rows),
		("Customer", customers),
		("Quotation", quotes),
		("Sales Order", orders),
		("Sales Order Item", items),
		("Sales Invoice", invoices),
	):
		insert_rows(doctype, rows)
		frappe.db.commit()  # a benchmark data set, written on purpose batch by batch
		_print(f"{doctype} rows inserted", len(rows))
	_print("inserted in", f"{time.perf_counter() - start:.1f} s")


def _time(fn, rounds: int) -> tuple[list[float], list[float]]:
	"""Wall-clock seconds and this process's CPU seconds (Python's share; the database's
	work shows in the wall clock only) of each round."""
	wall, cpu = [], []
	for _ in range(rounds):
		frappe.clear_cache()  # not the database's own caches: those stay warm, as on a live site
		start, start_cpu = time.perf_counter(), time.process_time()
		fn()
		wall.append(time.perf_counter() - start)
		cpu.append(time.process_time() - start_cpu)
	return wall, cpu


def report_times(rounds: int = 5, user: str | None = None):
	"""Median and worst time of each report's execute() (target 2 s), as Administrator, and
	as `user` when given (a Sales User: permission conditions in every query)."""
	from lead_qualification.lead_qualification.report.pipeline_forecast import pipeline_forecast
	from lead_qualification.lead_qualification.report.qualification_impact import qualification_impact

	counts = {
		d: frappe.db.count(d) for d in ("Lead", "Customer", "Quotation", "Sales Order", "Sales Invoice")
	}
	_print("data set", ", ".join(f"{v:,} {k}" for k, v in counts.items()))
	_print("load average (1, 5, 15 min) before the runs", "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
	for who in [u for u in ("Administrator", user) if u]:
		frappe.set_user(who)
		for label, fn in (
			("Pipeline Forecast (12 months, back-test 6)", lambda: pipeline_forecast.execute({})),
			(
				"Qualification Impact (before / after)",
				lambda: qualification_impact.execute({"compare": "Before and After the App"}),
			),
			(
				"Qualification Impact (qualified / unqualified)",
				lambda: qualification_impact.execute({"compare": "Qualified vs Unqualified Leads"}),
			),
		):
			wall, cpu = _time(fn, rounds)
			_print(
				f"{label}, {who}",
				f"median {statistics.median(wall):.2f} s, worst {max(wall):.2f} s"
				f" (Python CPU median {statistics.median(cpu):.2f} s)",
			)
	_print("load average (1, 5, 15 min) after the runs", "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
	frappe.set_user("Administrator")


def remove_history():
	for doctype in ("Sales Invoice", "Sales Order Item", "Sales Order", "Quotation", "Customer", "Lead"):
		frappe.db.sql(f"delete from `tab{doctype}` where name like %s", f"{PREFIX}%")
		frappe.db.commit()
	_print("synthetic history removed", PREFIX)
