"""Show band, score and BANT completeness in the Lead list on sites that had the app
before (new installs get it from after_install)."""

from lead_qualification.setup.install import make_list_view_settings


def execute():
	make_list_view_settings()
