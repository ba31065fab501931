# Rule validation on a real site: see lead_qualification/tests/test_lead_scoring.py
