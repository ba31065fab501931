import cProfile, pstats, time, io
import frappe
from lead_qualification.lead_scoring import scoring, benchmarks

def run(edit=1):
	frappe.set_user("Administrator")
	benchmarks.make_bench_rules(30)
	if edit:
		rule = frappe.get_all("Lead Scoring Rule", filters={"enabled": 1, "field_name": "bant_need"}, pluck="name")[0]
		points = frappe.db.get_value("Lead Scoring Rule", rule, "points")
		frappe.db.set_value("Lead Scoring Rule", rule, "points", points + (1 if points % 2 == 0 else -1))
		frappe.db.commit()
	scoring.clear_rules_cache()
	pr = cProfile.Profile()
	t = time.perf_counter()
	pr.enable()
	scoring.rescore_all(reason="profile")
	pr.disable()
	el = time.perf_counter() - t
	print("elapsed", el, "rate", frappe.db.count("Lead") / el)
	s = io.StringIO()
	pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45)
	open("/tmp/lqprof/cum.txt", "w").write(s.getvalue())
	s = io.StringIO()
	pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(35)
	open("/tmp/lqprof/tot.txt", "w").write(s.getvalue())
