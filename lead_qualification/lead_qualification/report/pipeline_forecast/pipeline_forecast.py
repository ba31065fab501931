# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

"""Expected revenue per month from open leads and open quotations, with win probabilities
learned from the site's own history, and a back-test: what this report would have said
N months ago against the revenue booked since."""

import frappe
from frappe import _
from frappe.utils import add_days, cint, fmt_money, getdate, nowdate

from lead_qualification.lead_qualification import forecast as fc
from lead_qualification.lead_qualification import revenue_history


def execute(filters=None):
	filters = prepare(filters)
	today = getdate(nowdate())
	start = fc.month_start(today)
	bt_start = fc.add_months(start, -filters.back_test_months)
	bt_as_of = add_days(bt_start, -1)
	books = revenue_history.Books(filters, bt_as_of, today)
	now = books.forecast(today, start, filters.months, filters.min_cases, present=True)
	then = books.forecast(bt_as_of, bt_start, filters.back_test_months, filters.min_cases, present=False)
	actual = revenue_history.revenue_by_month(filters, bt_start, add_days(start, -1), bt_as_of)
	test = fc.back_test(then.rows, actual, bt_start, filters.back_test_months)

	currency = revenue_history.company_currency(filters.company)
	data = [{**row_of(row), "currency": currency} for row in now.rows]
	return (
		get_columns(filters),
		data,
		message(filters, now, test),
		get_chart(now.rows),
		summary(filters, now.rows, test),
	)


def prepare(filters) -> frappe._dict:
	filters = frappe._dict(filters or {})
	filters.company = (
		filters.company
		or frappe.defaults.get_user_default("Company")
		or frappe.defaults.get_global_default("company")
	)
	filters.months = min(max(cint(filters.months) or 12, 1), 24)
	filters.back_test_months = min(max(cint(filters.back_test_months) or 6, 1), 12)
	filters.min_cases = max(cint(filters.min_cases) or fc.DEFAULT_MIN_CASES, 1)
	return filters


def month_label(row: fc.MonthRow) -> str:
	if row.label == "later":
		return _("Later")
	if row.label == "not dated":
		return _("No Timing Given")
	return row.month.strftime("%Y-%m")


def row_of(row: fc.MonthRow) -> dict:
	return {
		"month": month_label(row),
		"lead_count": row.lead_count,
		"lead_value": round(row.lead_value, 2),
		"lead_expected": round(row.lead_expected, 2),
		"quote_count": row.quote_count,
		"quote_value": round(row.quote_value, 2),
		"quote_expected": round(row.quote_expected, 2),
		"expected": round(row.expected, 2),
	}


def get_columns(filters) -> list[dict]:
	currency = {"fieldtype": "Currency", "options": "currency", "width": 150}
	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 130},
		{"fieldname": "lead_count", "label": _("Open Leads"), "fieldtype": "Int", "width": 110},
		{"fieldname": "lead_value", "label": _("Lead Value"), **currency},
		{"fieldname": "lead_expected", "label": _("Expected from Leads"), **currency},
		{"fieldname": "quote_count", "label": _("Open Quotations"), "fieldtype": "Int", "width": 130},
		{"fieldname": "quote_value", "label": _("Quotation Value"), **currency},
		{"fieldname": "quote_expected", "label": _("Expected from Quotations"), **currency},
		{"fieldname": "expected", "label": _("Expected Revenue"), **currency},
	]


def get_chart(rows) -> dict:
	months = [row for row in rows if row.label == "month"]
	return {
		"data": {
			"labels": [month_label(row) for row in months],
			"datasets": [
				{"name": _("Expected from Leads"), "values": [round(r.lead_expected, 2) for r in months]},
				{
					"name": _("Expected from Quotations"),
					"values": [round(r.quote_expected, 2) for r in months],
				},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#e86c13", "#0289f7"],
		"fieldtype": "Currency",
	}


def money(value: float, filters) -> str:
	return fmt_money(value, precision=0, currency=revenue_history.company_currency(filters.company))


def percent(value: float) -> str:
	return frappe.format_value(round(value, 1), {"fieldtype": "Float", "precision": 1}) + " %"


def summary(filters, rows, test: fc.BackTest) -> list[dict]:
	months = [row for row in rows if row.label == "month"]
	out = [
		{
			"value": sum(r.expected for r in months),
			"label": _("Expected Revenue, Next {0} Months").format(filters.months),
			"datatype": "Currency",
			"indicator": "Blue",
		},
		{
			"value": test.forecast,
			"label": _("Back-Test: Forecast {0} Months Ago").format(filters.back_test_months),
			"datatype": "Currency",
			"indicator": "Grey",
		},
		{
			"value": test.actual,
			"label": _("Back-Test: Booked Since"),
			"datatype": "Currency",
			"indicator": "Grey",
		},
	]
	if test.relative_error is not None:
		out.append(
			{
				# Data, not Percent: the desk would show the system's three decimals (60,000 %).
				"value": percent(100 * test.relative_error),
				"label": _("Back-Test Error %"),
				"datatype": "Data",
				"indicator": "Green" if abs(test.relative_error) <= 0.2 else "Orange",
			}
		)
	return out


def _source(p: fc.Probability, min_cases: int) -> str:
	if p.from_prior:
		return _("Prior: only {0} past cases (fewer than {1})").format(p.cases, min_cases)
	return _("History")


def _table(headers: list[str], rows: list[list]) -> str:
	head = "".join(f"<th>{frappe.utils.escape_html(h)}</th>" for h in headers)
	body = "".join(
		"<tr>" + "".join(f"<td>{frappe.utils.escape_html(str(c))}</td>" for c in row) + "</tr>"
		for row in rows
	)
	return f'<table class="table table-bordered table-sm"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def message(filters, now, test: fc.BackTest) -> str:
	doctype, _date_field = revenue_history.revenue_source()
	lead_rows = [
		[_(band), _(stage), f"{p.percent} %", f"{p.wins} / {p.cases}", _source(p, filters.min_cases)]
		for (band, stage), p in now.lead_probabilities.items()
	]
	quote_rows = [
		[
			_("{0} days").format(bucket),
			_("Yes") if qualified else _("No"),
			f"{p.percent} %",
			f"{p.wins} / {p.cases}",
			_source(p, filters.min_cases),
		]
		for (bucket, qualified), p in now.quote_probabilities.items()
	]
	test_rows = [[m.strftime("%Y-%m"), money(f, filters), money(a, filters)] for m, f, a in test.months]
	test_rows.append([_("Total"), money(test.forecast, filters), money(test.actual, filters)])
	error = (
		_(
			"Error: {0} ({1} %); month by month, the absolute errors add up to {2} % of the revenue booked."
		).format(
			money(test.error, filters),
			round(100 * test.relative_error, 1),
			round(100 * test.monthly_absolute_error, 1),
		)
		if test.relative_error is not None
		else _("No revenue booked in those months: no error to measure.")
	)
	priors = any(p.from_prior for p in now.lead_probabilities.values()) or any(
		p.from_prior for p in now.quote_probabilities.values()
	)
	notes = [
		_(
			"Win probabilities are learned from the leads created {0} to {1} months ago (won: their customer has a submitted {2}) and from the quotations of the last {0} months; a lead with a submitted quotation is counted through its quotation."
		).format(revenue_history.HISTORY_MONTHS, revenue_history.MATURITY_MONTHS, _(doctype)),
		_(
			"A lead's value is its BANT budget, else the median order of its source and territory; its month is its Expected Start, else its creation plus its timing horizon. A quotation's month is its Valid Till. Amounts are net of taxes."
		),
	]
	if doctype != "Sales Invoice":
		notes.append(_("You may not read Sales Invoices: revenue is taken from submitted Sales Orders."))
	if priors:
		notes.append(
			_(
				"With fewer than {0} past cases a probability is the documented prior (forecast.py), not this site's history."
			).format(filters.min_cases)
		)
	return "".join(
		[
			f"<h5>{_('Win Probability of Open Leads')}</h5>",
			_table(
				[
					_("Band"),
					_("Qualification Status"),
					_("Probability"),
					_("Won / Past Cases"),
					_("Based On"),
				],
				lead_rows,
			),
			f"<h5>{_('Quotation to Order Rate by Age')}</h5>",
			_table(
				[_("Age"), _("Qualified Lead"), _("Probability"), _("Ordered / Past Cases"), _("Based On")],
				quote_rows,
			),
			f"<h5>{_('Back-Test: the Forecast Made {0} Months Ago').format(filters.back_test_months)}</h5>",
			_table([_("Month"), _("Forecast Then"), _("Booked")], test_rows),
			f"<p>{frappe.utils.escape_html(error)}</p>",
			"".join(f'<p class="text-muted small">{frappe.utils.escape_html(n)}</p>' for n in notes),
		]
	)
