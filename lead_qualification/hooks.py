app_name = "lead_qualification"
app_title = "Lead Qualification"
app_publisher = "lead_qualification contributors"
app_description = "Qualify ERPNext leads with BANT, scoring and nurture before spending time on quotes"
app_email = "dev@lead-qualification.invalid"
app_license = "GPL-3.0"

required_apps = ["erpnext"]

# Install, migrate, uninstall
# ---------------------------
after_install = "lead_qualification.setup.install.after_install"
after_migrate = "lead_qualification.setup.install.after_migrate"
before_uninstall = "lead_qualification.setup.install.before_uninstall"

# Tests: ERPNext's own preparation (setup wizard, a test company, defaults)
before_tests = "lead_qualification.tests.utils.before_tests"

# Desk assets: the code shared by the Lead form and list (public/js/lead_qualification.bundle.js,
# built by `bench build --app lead_qualification`)
# ---------------------------------------------------------------------------------------
app_include_js = ["lead_qualification.bundle.js"]

# ERPNext forms
# -------------
doctype_js = {"Lead": "public/js/erpnext/lead.js"}
doctype_list_js = {"Lead": "public/js/erpnext/lead_list.js"}

# Document events (every ERPNext touch point lives in integrations/erpnext/, Frappe's in
# integrations/frappe/)
# -------------------------------------------------------------------------
doc_events = {
	"Lead": {
		"validate": "lead_qualification.integrations.erpnext.lead.validate",
		"on_update": [
			"lead_qualification.integrations.erpnext.lead.on_update",
			"lead_qualification.integrations.erpnext.nurture.lead_on_update",
		],
		"on_trash": "lead_qualification.integrations.erpnext.lead.on_trash",
		"after_insert": [
			"lead_qualification.integrations.erpnext.lead.after_insert",
			"lead_qualification.integrations.erpnext.nurture.lead_after_insert",
		],
	},
	"Communication": {
		"after_insert": "lead_qualification.integrations.erpnext.communication.after_insert",
		"on_update": "lead_qualification.integrations.erpnext.communication.on_update",
	},
	"Opportunity": {
		"after_insert": [
			"lead_qualification.integrations.erpnext.opportunity.after_insert",
			"lead_qualification.integrations.erpnext.nurture.opportunity_after_insert",
		],
		"validate": "lead_qualification.integrations.erpnext.gated_documents.validate",
		"on_update": "lead_qualification.integrations.erpnext.gated_documents.on_update",
	},
	"Quotation": {
		"after_insert": "lead_qualification.integrations.erpnext.nurture.quotation_after_insert",
		"validate": "lead_qualification.integrations.erpnext.gated_documents.validate",
		"before_submit": "lead_qualification.integrations.erpnext.gated_documents.before_submit",
		"on_update": "lead_qualification.integrations.erpnext.gated_documents.on_update",
		"on_submit": "lead_qualification.integrations.erpnext.gated_documents.on_update",
	},
	"Customer": {
		"after_insert": "lead_qualification.integrations.erpnext.nurture.customer_after_insert",
		"validate": "lead_qualification.integrations.erpnext.gated_documents.validate",
		"on_update": "lead_qualification.integrations.erpnext.gated_documents.on_update",
	},
	"Appointment": {
		"after_insert": "lead_qualification.integrations.erpnext.appointment.appointment_after_insert",
	},
	"Email Unsubscribe": {
		"after_insert": "lead_qualification.integrations.erpnext.nurture.email_unsubscribe_after_insert",
	},
	"Holiday List": {
		"on_update": "lead_qualification.integrations.erpnext.nurture.holiday_list_on_update",
	},
	"Event": {
		"after_insert": "lead_qualification.integrations.erpnext.appointment.event_after_insert",
	},
	# Frappe's own settings: the site's time zone (see docs/time-zones.md)
	"System Settings": {
		"on_update": "lead_qualification.integrations.frappe.system_settings.on_update",
	},
}

# Reacting to a lead's change
# ---------------------------
# Scoring, qualification and the host's hooks announce what changed on a lead
# (lead_qualification.lead_events); the features that react list themselves here, by kind.
# Each is called as listener(changes, bulk=...), in this order.
lead_change_listeners = {
	"band": [
		"lead_qualification.lead_qualification.status_log.on_lead_changes",
		"lead_qualification.lead_nurture.enrollment.on_band_changes",
		"lead_qualification.lead_response.alerts.on_lead_changes",
		"lead_qualification.lead_response.routing.on_lead_changes",
	],
	"qualification_status": [
		"lead_qualification.lead_qualification.status_log.on_lead_changes",
		"lead_qualification.lead_nurture.enrollment.on_qualification_changes",
		"lead_qualification.lead_response.alerts.on_lead_changes",
		"lead_qualification.lead_response.routing.on_lead_changes",
	],
	"score": ["lead_qualification.lead_qualification.qualification.on_score_changes"],
	"reply": [
		"lead_qualification.lead_nurture.enrollment.on_replies",
		"lead_qualification.lead_response.alerts.on_lead_changes",
	],
}

# Scheduled work
# --------------
scheduler_events = {
	"cron": {"*/15 * * * *": ["lead_qualification.lead_nurture.worker.enqueue_due"]},
	"hourly_long": ["lead_qualification.lead_scoring.activities.sweep_opened_emails"],
	"daily_long": ["lead_qualification.lead_scoring.scoring.daily_decay"],
}
