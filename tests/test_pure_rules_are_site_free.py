"""The business rules import no Frappe, so they run in plain Python and in bulk jobs."""

import subprocess
import sys

from tests._source import ROOT

PURE_MODULES = [
	"lead_qualification.email_address",
	"lead_qualification.lead_qualification.bant",
	"lead_qualification.lead_qualification.promotion",
	"lead_qualification.lead_qualification.gate_rules",
	"lead_qualification.lead_qualification.forecast",
	"lead_qualification.lead_events",
	"lead_qualification.lead_qualification.takeover",
	"lead_qualification.lead_response.clock",
	"lead_qualification.lead_response.speed",
	"lead_qualification.lead_response.rules",
	"lead_qualification.lead_nurture.followup",
	"lead_qualification.setup.custom_fields",
	"lead_qualification.privacy.consent",
	"lead_qualification.privacy.retention_rules",
	"lead_qualification.privacy.quote_form_rules",
]


def test_pure_modules_do_not_import_frappe():
	code = (
		"import sys\n"
		+ "".join(f"import {m}\n" for m in PURE_MODULES)
		+ "bad = sorted(m for m in sys.modules if m == 'frappe' or m.startswith(('frappe.', 'erpnext')))\n"
		+ "assert not bad, bad\n"
	)
	result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
	assert result.returncode == 0, result.stderr


def test_analytics_is_site_free_too():
	code = (
		"import sys\nimport lead_qualification.lead_qualification.analytics\n"
		"assert not [m for m in sys.modules if m == 'frappe' or m.startswith('frappe.')]\n"
	)
	result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
	assert result.returncode == 0, result.stderr
