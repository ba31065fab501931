import cProfile, pstats, io, frappe
from lead_qualification.lead_nurture import benchmarks, worker
def run():
    benchmarks.make_due_enrollments(200)
    pr = cProfile.Profile(); pr.enable()
    worker.process_due(max_batches=1, batch_size=200, commit=False)
    pr.disable(); frappe.db.rollback()
    s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45); print(s.getvalue()[:9000])
