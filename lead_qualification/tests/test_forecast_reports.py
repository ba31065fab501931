"""Pipeline Forecast and Qualification Impact on a seeded two-year history, with the figures
worked out by hand below. T is today, S the first day of this month, D0 = T - 15 months.
Every lead, quotation and customer has the test's own Lead Source (the reports are filtered
on it) and the territory France; amounts are in the default company's currency.

Past leads (created D0 - 10 days: learned from by both forecasts)
	H1..H4  Hot, Qualified      H1, H2 customers with invoices at D0 + 45   -> 2 won of 4
	W1..W5  Warm, In Process    W1 customer with an invoice                   -> 1 won of 5
	U1, U2  Cold, Unqualified   none                                          -> 0 of 2
Orders of the past customers (their lead's source and territory): 1,000 (H1, D0+10, from QP1),
4,000 (H1, D0+30), 3,000 (H2, D0+40, from QP2), 2,000 and 5,000 (W1, D0+30): median 3,000.
Past quotations (dated D0, decided long ago): QP1 (H1) ordered at 10 days, QP2 (H2) ordered
at 40 days, QP3 (H3) expired at 20 days, QP4 (H4) expired at 70 days, all for qualified
leads; QP5 (U1, unqualified) expired at 15 days.

Back-test leads: B1 Hot Qualified created S-5m, budget 6,000, expected start S-2m+10d,
customer since S-2m+1d, invoiced 2,500 at S-2m+15d; B2 Warm In Process created S-4m,
horizon Immediate, no budget; B3 Hot Qualified created S-4m with QB1: 4,000 dated S-3m-20d,
valid till S-1m+5d, never ordered. H1 is invoiced 1,000 more at S-1m+5d. C (Warm In
Process, created S-1m) became a customer invoiced 700 at S-1m+10d.

Today's leads (created S-2m, O2 at S): O1 Hot Qualified budget 10,000 starting S+1m+14d;
O2 Warm In Process horizon 1-3 Months, no budget; O3 Cold Unqualified budget 2,000, no
timing; O4 Hot Qualified with QO1: 8,000 dated T-10d valid till S+2m+5d; O5 Do Not Contact;
O6 Cold Unqualified with QO2: 1,000 dated T-45d valid till S+1m+3d.

Forecast today (minimum 4 cases)
	Hot Qualified 2/4 = 50 %; Warm In Process 1/5 = 20 %; Cold Unqualified 0/2: prior 1 %.
	Quotations, qualified, 0-30 days: QP1..QP4 and QB1 were all open at day 0, QP1 and QP2
	ordered: 2/5 = 40 %; 31-60 days: QP2, QP4, QB1 = 3 cases: prior 20 %; unqualified 0-30:
	QP5 alone: prior 15 %; 31-60: no case, prior 10 %.
	Open leads: O1, O2, O3 and B2 (B1 and C are customers, B3, O4, O6 are quoted, O5 is
	Do Not Contact; the past leads are older than 6 months).
	S    B2 3,000 x 20 % = 600 (Immediate, clamped to this month)               ->   600
	S+1  O1 10,000 x 50 % = 5,000; QO2 1,000 x 10 % (45 days, unqualified) = 100 -> 5,100
	S+2  O2 3,000 x 20 % = 600 (created S + 2 months); QO1 8,000 x 40 % = 3,200  -> 3,800
	no timing: O3 2,000 x 1 % = 20
Back-test over 3 months, the forecast made on S-3m-1d (the same lead probabilities; the
quotations decided by then are QP1..QP5: qualified 0-30 = 2/4 = 50 %)
	S-3m  B2 3,000 x 20 % = 600                        booked 0
	S-2m  B1 6,000 x 50 % = 3,000                      booked 2,500 (B1)
	S-1m  QB1 4,000 x 50 % = 2,000                     booked 1,000 (H1); C's 700 is left out:
	                                                   its lead did not exist yet
	forecast 5,600, booked 3,500: error +2,100 (+60 %), absolute monthly errors 2,100 (60 %).
"""

import frappe
from frappe.utils import add_days, add_months, getdate, nowdate

from lead_qualification.lead_qualification import benchmarks as seed
from lead_qualification.lead_qualification.report.pipeline_forecast import pipeline_forecast
from lead_qualification.lead_qualification.report.qualification_impact import qualification_impact
from lead_qualification.tests.utils import LeadQualificationTestCase, make_user


def _id(prefix: str) -> str:
	return f"LQFT-{prefix}-{frappe.generate_hash(length=6)}"


class ForecastHistory(LeadQualificationTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = frappe.defaults.get_global_default("company")
		cls.source = frappe.get_doc({"doctype": "Lead Source", "source_name": _id("src")}).insert().name
		cls.territory = "France" if frappe.db.exists("Territory", "France") else None
		if not cls.territory:
			cls.territory = frappe.get_doc({"doctype": "Territory", "territory_name": "France"}).insert().name
		cls.other_territory = frappe.db.get_value(
			"Territory", {"is_group": 0, "name": ("!=", cls.territory)}
		) or (frappe.get_doc({"doctype": "Territory", "territory_name": _id("terr")}).insert().name)
		cls.T = getdate(nowdate())
		cls.S = cls.T.replace(day=1)
		cls.seed()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		super().tearDownClass()

	@classmethod
	def m(cls, months: int, days: int = 0):
		"""S moved by months, then days."""
		return add_days(add_months(cls.S, months), days)

	@classmethod
	def seed(cls):
		T, company = cls.T, cls.company
		D0 = add_months(T, -15)
		common = {"company": company, "source": cls.source, "territory": cls.territory}
		names = {}

		def lead(key, created, band, stage, **values):
			names[key] = _id(key)
			return seed.lead_row(
				names[key], created, lq_score_band=band, qualification_status=stage, **common, **values
			)

		past = add_days(D0, -10)
		leads = [lead(f"H{i}", past, "Hot", "Qualified") for i in range(1, 5)]
		leads += [lead(f"W{i}", past, "Warm", "In Process") for i in range(1, 6)]
		leads += [lead(f"U{i}", past, "Cold", "Unqualified") for i in range(1, 3)]
		leads += [
			lead(
				"B1",
				cls.m(-5),
				"Hot",
				"Qualified",
				bant_budget_amount=6000,
				bant_expected_start=cls.m(-2, 10),
			),
			lead("B2", cls.m(-4), "Warm", "In Process", bant_horizon="Immediate"),
			lead("B3", cls.m(-4), "Hot", "Qualified"),
			lead("C", cls.m(-1), "Warm", "In Process"),
			lead(
				"O1",
				cls.m(-2),
				"Hot",
				"Qualified",
				bant_budget_amount=10000,
				bant_expected_start=cls.m(1, 14),
			),
			lead("O2", cls.S, "Warm", "In Process", bant_horizon="1-3 Months"),
			lead("O3", cls.m(-2), "Cold", "Unqualified", bant_budget_amount=2000),
			lead("O4", cls.m(-2), "Hot", "Qualified"),
			lead("O5", cls.m(-2), "Cold", "Unqualified", status="Do Not Contact"),
			lead("O6", cls.m(-2), "Cold", "Unqualified"),
		]
		seed.insert_rows("Lead", leads)

		customers = {
			"H1": D0,
			"H2": D0,
			"W1": D0,
			"B1": cls.m(-2, 1),
			"C": cls.m(-1, 5),
		}
		seed.insert_rows(
			"Customer",
			[seed.customer_row(names[k] + "-C", names[k], on, cls.territory) for k, on in customers.items()],
		)

		def cust(key):
			return names[key] + "-C"

		def quote(key, lead_key, on, valid_till, amount):
			names[key] = _id(key)
			return seed.quotation_row(
				names[key],
				names[lead_key],
				on,
				valid_till,
				amount,
				company,
				source=cls.source,
				territory=cls.territory,
			)

		seed.insert_rows(
			"Quotation",
			[
				quote("QP1", "H1", D0, add_days(D0, 30), 1000),
				quote("QP2", "H2", D0, add_days(D0, 60), 3000),
				quote("QP3", "H3", D0, add_days(D0, 20), 900),
				quote("QP4", "H4", D0, add_days(D0, 70), 900),
				quote("QP5", "U1", D0, add_days(D0, 15), 900),
				quote("QB1", "B3", cls.m(-3, -20), cls.m(-1, 5), 4000),
				quote("QO1", "O4", add_days(T, -10), cls.m(2, 5), 8000),
				quote("QO2", "O6", add_days(T, -45), cls.m(1, 3), 1000),
			],
		)
		orders, items = [], []
		for key, customer, on, amount, quotation in (
			("SO1", "H1", add_days(D0, 10), 1000, "QP1"),
			("SO2", "H1", add_days(D0, 30), 4000, None),
			("SO3", "H2", add_days(D0, 40), 3000, "QP2"),
			("SO4", "W1", add_days(D0, 30), 2000, None),
			("SO5", "W1", add_days(D0, 30), 5000, None),
		):
			order, item = seed.order_rows(
				_id(key), cust(customer), on, amount, company, names[quotation] if quotation else None
			)
			orders.append(order)
			items.append(item)
		seed.insert_rows("Sales Order", orders)
		seed.insert_rows("Sales Order Item", items)
		seed.insert_rows(
			"Sales Invoice",
			[
				seed.invoice_row(_id("SI"), cust(k), on, amount, company)
				for k, on, amount in (
					("H1", add_days(D0, 45), 1000),
					("H2", add_days(D0, 45), 3000),
					("W1", add_days(D0, 45), 2000),
					("B1", cls.m(-2, 15), 2500),
					("H1", cls.m(-1, 5), 1000),
					("C", cls.m(-1, 10), 700),
				)
			],
		)
		cls.names = names

	def forecast(self, **filters):
		filters = {"source": self.source, "months": 3, "back_test_months": 3, "min_cases": 4, **filters}
		columns, data, message, chart, summary = pipeline_forecast.execute(filters)
		return frappe._dict(columns=columns, data=data, message=message, chart=chart, summary=summary)


class TestPipelineForecast(ForecastHistory):
	def test_probabilities_per_band_and_quotation_age(self):
		from lead_qualification.lead_qualification import revenue_history

		filters = frappe._dict(source=self.source, company=self.company)
		result = revenue_history.forecast(filters, self.T, self.S, 3, 4, present=True)
		lp = {k: (p.value, p.wins, p.cases, p.from_prior) for k, p in result.lead_probabilities.items()}
		self.assertEqual(lp[("Hot", "Qualified")], (0.5, 2, 4, False))
		self.assertEqual(lp[("Warm", "In Process")], (0.2, 1, 5, False))
		self.assertEqual(lp[("Cold", "Unqualified")], (0.01, 0, 2, True))
		self.assertEqual(lp[("Hot", "In Process")], (0.15, 0, 0, True))
		qp = {k: (p.value, p.wins, p.cases, p.from_prior) for k, p in result.quote_probabilities.items()}
		self.assertEqual(qp[("0-30", True)], (0.4, 2, 5, False))
		self.assertEqual(qp[("31-60", True)], (0.2, 1, 3, True))
		self.assertEqual(qp[("0-30", False)], (0.15, 0, 1, True))
		self.assertEqual(qp[("31-60", False)], (0.1, 0, 0, True))

	def test_forecast_per_month(self):
		r = self.forecast()
		by = {row["month"]: row for row in r.data}
		months = [self.S.strftime("%Y-%m"), self.m(1).strftime("%Y-%m"), self.m(2).strftime("%Y-%m")]
		self.assertEqual([row["month"] for row in r.data], [*months, "Later", "No Timing Given"])
		self.assertEqual(
			[
				(by[m]["lead_count"], by[m]["lead_expected"], by[m]["quote_count"], by[m]["quote_expected"])
				for m in months
			],
			[(1, 600.0, 0, 0.0), (1, 5000.0, 1, 100.0), (1, 600.0, 1, 3200.0)],
		)
		self.assertEqual([by[m]["expected"] for m in months], [600.0, 5100.0, 3800.0])
		self.assertEqual((by["Later"]["expected"], by["No Timing Given"]["expected"]), (0.0, 20.0))
		self.assertEqual(by[months[1]]["lead_value"], 10000.0)
		self.assertEqual(by[months[2]]["lead_value"], 3000.0)  # O2: the median order of its source
		self.assertEqual(r.chart["data"]["datasets"][0]["values"], [600.0, 5000.0, 600.0])
		self.assertEqual(r.chart["data"]["datasets"][1]["values"], [0.0, 100.0, 3200.0])
		self.assertEqual(r.summary[0]["value"], 9500.0)

	def test_back_test(self):
		r = self.forecast()
		labels = {s["label"]: s["value"] for s in r.summary}
		self.assertEqual(labels["Back-Test: Forecast 3 Months Ago"], 5600.0)
		self.assertEqual(labels["Back-Test: Booked Since"], 3500.0)
		self.assertEqual(labels["Back-Test Error %"], pipeline_forecast.percent(60.0))
		self.assertRegex(labels["Back-Test Error %"], r"^60([.,]0)? %$")
		for month, forecast, booked in (
			(self.m(-3), "600", "0"),
			(self.m(-2), r"3\D?000", r"2\D?500"),
			(self.m(-1), r"2\D?000", r"1\D?000"),
		):
			self.assertRegex(
				r.message,
				rf"<td>{month.strftime('%Y-%m')}</td><td>[^<]*{forecast}[^<]*</td><td>[^<]*{booked}[^<]*</td>",
			)
		self.assertIn("60.0 %", r.message)

	def test_owner_and_territory_filters(self):
		self.assertEqual(self.forecast(territory=self.other_territory).summary[0]["value"], 0)
		# No lead has an owner: only the quotations prepared by Administrator remain (QO2, QO1)
		self.assertEqual(self.forecast(owner="Administrator").summary[0]["value"], 3300.0)

	def test_too_few_cases_fall_back_to_the_priors_and_say_so(self):
		r = self.forecast(min_cases=20)
		by = {row["month"]: row for row in r.data}
		# O1: Hot Qualified prior 35 % of 10,000; QO2: 10 % of 1,000 (as before, a prior)
		self.assertEqual(by[self.m(1).strftime("%Y-%m")]["expected"], 3500.0 + 100.0)
		# O2: Warm In Process prior 10 % of 3,000; QO1: qualified 0-30 prior 30 % of 8,000
		self.assertEqual(by[self.m(2).strftime("%Y-%m")]["expected"], 300.0 + 2400.0)
		self.assertIn("Prior: only 4 past cases (fewer than 20)", r.message)
		self.assertIn("documented prior", r.message)

	def test_empty_site(self):
		source = frappe.get_doc({"doctype": "Lead Source", "source_name": _id("empty")}).insert().name
		r = self.forecast(source=source)
		self.assertTrue(all(row["expected"] == 0 for row in r.data))
		self.assertIn("Prior: only 0 past cases", r.message)
		self.assertIn("No revenue booked in those months", r.message)
		self.assertEqual(len(r.summary), 3)  # no error figure without revenue


class TestForecastPermissions(ForecastHistory):
	def run_as(self, user, report="Pipeline Forecast", **filters):
		from frappe.desk.query_report import run

		frappe.set_user(user)
		try:
			return run(
				report,
				{"source": self.source, "months": 3, "back_test_months": 3, "min_cases": 4, **filters},
			)
		finally:
			frappe.set_user("Administrator")

	def sales_user(self, territory):
		email = f"lqft-{frappe.scrub(territory)}@example.com"
		make_user(email, ["Sales User"])
		permission = {
			"doctype": "User Permission",
			"user": email,
			"allow": "Territory",
			"for_value": territory,
		}
		if not frappe.db.exists(permission):
			frappe.get_doc(permission).insert(ignore_permissions=True)
		frappe.db.set_value("User", email, "language", "en")
		frappe.defaults.set_user_default("Company", self.company, email)
		return email

	def test_a_sales_user_sees_the_leads_of_their_territory_and_revenue_from_orders(self):
		user = self.sales_user(self.territory)
		result = self.run_as(user)
		rows = result["result"]
		self.assertEqual([r["lead_count"] for r in rows[:3]], [1, 1, 1])
		self.assertEqual([r["expected"] for r in rows[:3]], [600.0, 5100.0, 3800.0])
		self.assertIn("revenue is taken from submitted Sales Orders", result["message"])

	def test_a_sales_user_of_the_territory_sees_the_same_impact_figures(self):
		user = self.sales_user(self.territory)
		mine = self.run_as(user, "Qualification Impact", compare="Qualified vs Unqualified Leads")["result"]
		admin = self.run_as("Administrator", "Qualification Impact", compare="Qualified vs Unqualified Leads")
		figures = [(r["a_value"], r["a_cases"], r["b_value"], r["b_cases"]) for r in mine]
		self.assertEqual(
			figures, [(r["a_value"], r["a_cases"], r["b_value"], r["b_cases"]) for r in admin["result"]]
		)
		self.assertEqual(figures[0], (15.4, 13, 37.5, 8))

	def test_a_sales_user_of_another_territory_sees_none_of_it(self):
		user = self.sales_user(self.other_territory)
		rows = self.run_as(user)["result"]
		self.assertEqual(sum(r["lead_count"] + r["quote_count"] for r in rows), 0)
		impact = self.run_as(user, "Qualification Impact", compare="Qualified vs Unqualified Leads")
		self.assertEqual([(r["a_cases"], r["b_cases"]) for r in impact["result"][:2]], [(0, 0), (0, 0)])


class TestQualificationImpact(ForecastHistory):
	"""Qualified vs unqualified (leads of the last 24 months by their status today):
	qualified H1-H4, B1, B3, O1, O4 = 8 leads, customers H1, H2, B1 = 3 (37.5 %);
	the 13 others, customers W1 and C = 2 (15.4 %). Orders: qualified 1,000, 4,000, 3,000
	(average 2,666.67), first order after 20 (H1) and 50 days (H2): median 35; unqualified
	2,000, 5,000 (3,500), W1's first after 40 days. Quotations: qualified QP1-QP4, QB1, QO1
	= 6, ordered 2 (33.3 %), never 4 (66.7 %); unqualified QP5, QO2 = 2, none ordered.

	Before / after the app switched on at T - 6 months: before, the 11 past leads with
	customers H1, H2, W1 (27.3 %), all five orders (average 3,000), first orders after 20,
	50, 40 days (median 40), quotations QP1-QP5: 2 of 5 ordered (40 %), 3 never (60 %);
	after, the 10 others with customers B1 and C (20 %), no order, QB1, QO1, QO2 not ordered.
	"""

	def impact(self, **filters):
		columns, data, message, chart = qualification_impact.execute({"source": self.source, **filters})
		return {row["figure"]: row for row in data}, message, chart

	def test_qualified_vs_unqualified(self):
		rows, _message, chart = self.impact(compare="Qualified vs Unqualified Leads")
		self.assertEqual(
			[(r["a_value"], r["a_cases"], r["b_value"], r["b_cases"]) for r in rows.values()],
			[
				(15.4, 13, 37.5, 8),
				(0.0, 2, 33.3, 6),
				(2.0, 2, 4.0, 6),
				(100.0, 2, 66.7, 6),
				(40.0, 1, 35.0, 2),
				(3500.0, 2, 2666.67, 3),
			],
		)
		self.assertEqual(rows["Lead to Customer %"]["difference"], 22.1)
		self.assertTrue(all(r["note"] == "Fewer than 30 cases: may be noise" for r in rows.values()))
		self.assertEqual(chart["data"]["datasets"][1]["values"], [37.5, 33.3, 66.7])

	def test_before_and_after_the_switch(self):
		frappe.db.delete("Lead Status Log")
		frappe.db.set_single_value(
			"Lead Qualification Settings", "gates_active_since", add_months(self.T, -6)
		)
		rows, message, _chart = self.impact(compare="Before and After the App")
		self.assertEqual(
			[(r["a_value"], r["a_cases"], r["b_value"], r["b_cases"]) for r in rows.values()],
			[
				(27.3, 11, 20.0, 10),
				(40.0, 5, 0.0, 3),
				(3.0, 5, 3.0, 3),
				(60.0, 5, 100.0, 3),
				(40.0, 3, None, 0),
				(3000.0, 5, None, 0),
			],
		)
		self.assertIn("The app was switched on on", message)

	def test_empty_period(self):
		rows, _message, _chart = self.impact(from_date=add_days(self.T, 1), to_date=add_days(self.T, 2))
		self.assertTrue(all(r["a_cases"] == 0 and r["b_cases"] == 0 for r in rows.values()))
		self.assertIsNone(rows["Lead to Customer %"]["a_value"])
