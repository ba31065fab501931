"""Pipeline forecast and qualification impact arithmetic (forecast.py), site-free."""

from datetime import date

import pytest

from lead_qualification.lead_qualification import forecast as fc


def test_probability_uses_history_with_enough_cases_else_the_prior():
	p = fc.probability(6, 20, prior=0.35, min_cases=20)
	assert (p.value, p.wins, p.cases, p.from_prior, p.percent) == (0.3, 6, 20, False, 30.0)
	q = fc.probability(6, 19, prior=0.35, min_cases=20)
	assert (q.value, q.cases, q.from_prior) == (0.35, 19, True)
	assert fc.probability(0, 0, prior=0.1, min_cases=0).from_prior  # never divides by zero


def test_lead_probabilities_cover_every_band_and_status():
	probs = fc.lead_probabilities(
		{("Hot", "Qualified"): (3, 4), ("Cold", "Unqualified"): (0, 10)}, min_cases=4
	)
	assert len(probs) == 9
	assert probs[("Hot", "Qualified")].value == 0.75
	assert probs[("Cold", "Unqualified")].value == 0.0 and not probs[("Cold", "Unqualified")].from_prior
	assert probs[("Warm", "In Process")] == fc.Probability(0.10, 0, 0, True)


def test_every_prior_is_documented_and_ordered():
	for stage in ("Qualified", "In Process", "Unqualified"):
		hot, warm, cold = (fc.LEAD_PRIORS[(b, stage)] for b in ("Hot", "Warm", "Cold"))
		assert hot > warm > cold > 0
	for qualified in (True, False):
		rates = [fc.QUOTE_PRIORS[(label, qualified)] for label, _, _ in fc.AGE_BUCKETS]
		assert rates == sorted(rates, reverse=True)
	assert all(fc.QUOTE_PRIORS[(b, True)] > fc.QUOTE_PRIORS[(b, False)] for b, _, _ in fc.AGE_BUCKETS)


@pytest.mark.parametrize(
	"age, bucket",
	[(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (91, "91+"), (-3, "0-30")],
)
def test_age_buckets(age, bucket):
	assert fc.age_bucket(age) == bucket


def test_quote_probabilities_are_conditional_on_still_being_open():
	past = [
		fc.PastQuote(True, ordered_age=10),  # ordered young: a case of 0-30 only
		fc.PastQuote(True, ordered_age=45),  # ordered at 45: 0-30 and 31-60
		fc.PastQuote(True, open_days=70),  # expired at 70 unordered: 0-30, 31-60, 61-90
		fc.PastQuote(False, open_days=15),  # unqualified, expired at 15
	]
	p = fc.quote_probabilities(past, min_cases=1)
	assert (p[("0-30", True)].wins, p[("0-30", True)].cases) == (2, 3)
	assert (p[("31-60", True)].wins, p[("31-60", True)].cases) == (1, 2)
	assert (p[("61-90", True)].wins, p[("61-90", True)].cases, p[("61-90", True)].value) == (0, 1, 0.0)
	assert p[("91+", True)].from_prior and p[("91+", True)].value == 0.05
	assert (p[("0-30", False)].wins, p[("0-30", False)].cases) == (0, 1)


def test_median_order_value_widens_when_a_group_is_too_small():
	orders = [("Web", "Lyon", v) for v in (100, 200, 300)] + [("Web", "Paris", v) for v in (1000, 2000)]
	orders += [("Fair", "Lyon", 50)]
	mov = fc.MedianOrderValues(orders, min_orders=3)
	assert mov.for_lead("Web", "Lyon") == fc.OrderValue(200.0, 3, "source and territory")
	assert mov.for_lead("Web", "Paris") == fc.OrderValue(300.0, 5, "source")  # 100..2000
	assert mov.for_lead("Fair", "Lyon") == fc.OrderValue(150.0, 4, "territory")  # 50,100,200,300
	assert mov.for_lead(None, None) == fc.OrderValue(250.0, 6, "all")  # (200 + 300) / 2
	assert fc.MedianOrderValues([]).for_lead("Web", "Lyon") == fc.OrderValue(0.0, 0, "none")


def test_months():
	assert fc.add_months(date(2026, 11, 26), 2) == date(2027, 1, 1)
	assert fc.add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)
	assert fc.months_from(date(2026, 12, 1), 3) == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


def test_lead_month_from_expected_start_else_horizon_never_before_the_start():
	start = date(2026, 11, 1)
	assert fc.lead_month(date(2026, 10, 5), date(2027, 2, 14), "Immediate", start) == date(2027, 2, 1)
	assert fc.lead_month(date(2026, 10, 5), None, "3-6 Months", start) == date(2027, 3, 1)
	assert fc.lead_month(date(2026, 6, 5), None, "Under a Month", start) == start  # overdue: now
	assert fc.lead_month(date(2026, 10, 5), date(2026, 1, 1), None, start) == start
	assert fc.lead_month(date(2026, 10, 5), None, "Unknown", start) is None
	assert fc.quote_month(date(2027, 1, 15), start) == date(2027, 1, 1)
	assert fc.quote_month(date(2026, 10, 15), start) == start
	assert fc.quote_month(None, start) == start


def test_forecast_lines_and_months():
	start, as_of = date(2026, 11, 1), date(2026, 11, 26)
	lead_p = fc.lead_probabilities({("Hot", "Qualified"): (1, 2)}, min_cases=2)  # 50 %
	mov = fc.MedianOrderValues([("Web", "Lyon", 1000)], min_orders=1)
	leads = [
		fc.OpenLead(
			"L1", "Hot", "Qualified", date(2026, 10, 1), budget=8000, expected_start=date(2026, 12, 3)
		),
		fc.OpenLead("L2", "Hot", "Qualified", date(2026, 10, 1), "Web", "Lyon", horizon="Immediate"),
		fc.OpenLead("L3", "Hot", "Qualified", date(2026, 10, 1), "Web", "Lyon"),  # no timing
		fc.OpenLead("L4", "", "", date(2026, 10, 1), budget=1000, expected_start=date(2028, 1, 1)),
	]
	lines = fc.lead_lines(leads, lead_p, mov, start)
	assert [(line.value, line.expected, line.value_from) for line in lines] == [
		(8000.0, 4000.0, "budget"),
		(1000.0, 500.0, "source and territory"),
		(1000.0, 500.0, "source and territory"),
		(1000.0, 10.0, "budget"),  # no band, no status: Cold Unqualified prior, 1 %
	]
	quote_p = fc.quote_probabilities([fc.PastQuote(True, ordered_age=5), fc.PastQuote(True, open_days=40)], 2)
	quotes = [fc.OpenQuote("Q1", date(2026, 11, 20), 2000, True, date(2026, 12, 20))]
	lines += fc.quote_lines(quotes, quote_p, as_of, start)
	assert lines[-1].expected == 1000.0  # 0-30 days, qualified: 1 of 2
	rows = fc.by_month(lines, start, 3)
	assert [r.label for r in rows] == ["month", "month", "month", "later", "not dated"]
	nov, dec, jan, later, undated = rows
	assert (nov.lead_count, nov.lead_expected, nov.quote_count) == (1, 500.0, 0)
	assert (dec.lead_count, dec.lead_expected, dec.quote_expected, dec.expected) == (
		1,
		4000.0,
		1000.0,
		5000.0,
	)
	assert jan.expected == 0
	assert (later.lead_count, later.expected) == (1, 10.0)
	assert (undated.lead_count, undated.lead_value, undated.expected) == (1, 1000.0, 500.0)


def test_back_test():
	start = date(2026, 5, 1)
	rows = [
		fc.MonthRow(date(2026, 5, 1), "month", lead_expected=1000),
		fc.MonthRow(date(2026, 6, 1), "month"),
	]
	rows += [fc.MonthRow(None, "later", lead_expected=99)]
	test = fc.back_test(rows, {date(2026, 6, 1): 1500.0, date(2026, 4, 1): 7.0}, start, 2)
	assert test.months == [(date(2026, 5, 1), 1000.0, 0.0), (date(2026, 6, 1), 0.0, 1500.0)]
	assert (test.forecast, test.actual, test.error) == (1000.0, 1500.0, -500.0)
	assert round(test.relative_error, 4) == -0.3333
	assert test.monthly_absolute_error == 2500 / 1500
	empty = fc.back_test([], {}, start, 2)
	assert empty.relative_error is None and empty.monthly_absolute_error == 0.0


def test_impact_figures_with_their_cases():
	cohort = fc.Cohort(
		leads=40,
		customers=10,
		quotations=20,
		ordered_quotations=5,
		days_to_first_order=[10, 30, 20],
		order_values=[100.0, 200.0, 600.0],
	)
	f = fc.impact(cohort)
	assert list(f) == list(fc.IMPACT_FIGURES)
	assert (f["lead_to_customer"].value, f["lead_to_customer"].cases, f["lead_to_customer"].part) == (
		25.0,
		40,
		10,
	)
	assert not f["lead_to_customer"].few_cases
	assert (f["quote_to_order"].value, f["quote_to_order"].cases, f["quote_to_order"].few_cases) == (
		25.0,
		20,
		True,
	)
	assert (f["quotes_never_ordered"].value, f["quotes_never_ordered_share"].value) == (15.0, 75.0)
	assert (f["days_to_first_order"].value, f["days_to_first_order"].cases) == (20.0, 3)
	assert (f["average_order_value"].value, f["average_order_value"].cases) == (300.0, 3)
	empty = fc.impact(fc.Cohort())
	assert all(
		empty[k].value is None for k in ("lead_to_customer", "days_to_first_order", "average_order_value")
	)
	assert empty["quotes_never_ordered"].value == 0 and empty["lead_to_customer"].few_cases
	assert fc.difference(f["lead_to_customer"], fc.Figure(40.0, 50)) == 15.0
	assert fc.difference(empty["lead_to_customer"], f["lead_to_customer"]) is None


def test_noise_threshold_is_thirty():
	assert fc.Figure(1.0, 29).few_cases and not fc.Figure(1.0, 30).few_cases


def test_switch_moment_is_the_earliest_known():
	assert fc.switch_moment([None, date(2026, 3, 1), date(2026, 2, 1)]) == date(2026, 2, 1)
	assert fc.switch_moment([None, None]) is None


def test_quotes_on_picks_what_was_known_that_day():
	def rec(name, on, till, value=100.0, qualified=True, first_order=None, lost=False):
		return fc.QuoteRecord(fc.OpenQuote(name, on, value, qualified, till), first_order, lost)

	records = [
		rec("ordered", date(2026, 1, 10), date(2026, 2, 10), first_order=date(2026, 1, 20)),
		rec("ordered later", date(2026, 5, 1), date(2026, 8, 1), first_order=date(2026, 7, 1)),
		rec("expired", date(2026, 3, 1), date(2026, 3, 31)),
		rec("lost", date(2026, 5, 20), date(2026, 9, 1), lost=True),
		rec("too old", date(2023, 1, 1), date(2023, 2, 1)),
	]
	past, still_open = fc.quotes_on(records, date(2026, 6, 1), date(2024, 6, 1), present=False)
	assert sorted((p.end_age, p.ordered_age is not None) for p in past) == [(10, True), (30, False)]
	assert [q.name for q in still_open] == ["ordered later", "lost"]  # lost: not known then
	past, still_open = fc.quotes_on(records, date(2026, 11, 26), date(2024, 11, 26), present=True)
	assert sorted((p.end_age, p.ordered_age is not None) for p in past) == [
		(10, True),
		(30, False),
		(61, True),
		(104, False),
	]
	assert still_open == []


def test_orders_on_and_month_index():
	orders = [("Web", "Lyon", date(2026, 1, 5), 10.0), ("Web", "Lyon", date(2026, 7, 5), 20.0)]
	assert fc.orders_on(orders, date(2026, 6, 30), date(2024, 6, 30)) == [("Web", "Lyon", 10.0)]
	assert fc.month_of_index(2026 * 12 + 11 - 1) == date(2026, 11, 1)
	assert fc.month_of_index(2027 * 12 + 0) == date(2027, 1, 1)


def test_a_group_of_leads_counts_as_many_leads():
	start = date(2026, 11, 1)
	p = fc.lead_probabilities({("Warm", "In Process"): (1, 4)}, min_cases=4)
	mov = fc.MedianOrderValues([(None, None, 2000)], min_orders=1)
	groups = [
		fc.OpenLead("3 leads", "Warm", "In Process", start, count=3, month=date(2026, 12, 1)),
		fc.OpenLead("2 leads", "Warm", "In Process", start, budget=9000, count=2, month=date(2026, 1, 1)),
	]
	lines = fc.lead_lines(groups, p, mov, start)
	assert [(line.month, line.value, line.expected, line.count) for line in lines] == [
		(date(2026, 12, 1), 6000.0, 1500.0, 3),  # no budget: 3 x the median order
		(start, 9000.0, 2250.0, 2),  # the budgets' sum; a past month: this month
	]
	rows = fc.by_month(lines, start, 2)
	assert [(r.lead_count, r.lead_expected) for r in rows[:2]] == [(2, 2250.0), (3, 1500.0)]
