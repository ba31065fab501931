"""Sites that had the app before lead scoring get the default scoring rules once."""

from lead_qualification.setup.install import make_default_rules, make_default_settings


def execute():
	make_default_settings()
	make_default_rules()
