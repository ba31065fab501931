"""Sites that had the app before nurture get its settings, sequence and templates once."""

from lead_qualification.setup.install import make_default_nurture, make_default_settings


def execute():
	make_default_settings()
	make_default_nurture()
