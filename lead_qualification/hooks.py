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
doctype_js = {"Lead": "public/js/erpnext/lead.js", "Quotation": "public/js/erpnext/quotation.js"}
doctype_list_js = {"Lead": "public/js/erpnext/lead_list.js"}

# Document events (every ERPNext touch point lives in integrations/erpnext/, Frappe's in
# integrations/frappe/)
# -------------------------------------------------------------------------
doc_events = {
	"Lead": {
		"validate": [
			"lead_qualification.integrations.erpnext.lead.validate",
			"lead_qualification.integrations.erpnext.response.lead_validate",
			"lead_qualification.integrations.erpnext.follow_up.stamp_next_step",
		],
		"on_update": [
			"lead_qualification.integrations.erpnext.lead.on_update",
			"lead_qualification.integrations.erpnext.nurture.lead_on_update",
			"lead_qualification.integrations.erpnext.response.lead_on_update",
			"lead_qualification.integrations.erpnext.follow_up.lead_on_update",
		],
		"on_trash": "lead_qualification.integrations.erpnext.lead.on_trash",
		"after_insert": [
			"lead_qualification.integrations.erpnext.lead.after_insert",
			"lead_qualification.integrations.erpnext.nurture.lead_after_insert",
		],
	},
	"Communication": {
		"after_insert": [
			"lead_qualification.integrations.erpnext.communication.after_insert",
			"lead_qualification.integrations.erpnext.response.communication_after_insert",
			"lead_qualification.integrations.erpnext.follow_up.communication_after_insert",
		],
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
		"validate": [
			"lead_qualification.integrations.erpnext.gated_documents.validate",
			"lead_qualification.integrations.erpnext.follow_up.stamp_next_step",
		],
		"before_submit": "lead_qualification.integrations.erpnext.gated_documents.before_submit",
		"on_update": "lead_qualification.integrations.erpnext.gated_documents.on_update",
		"on_submit": [
			"lead_qualification.integrations.erpnext.gated_documents.on_update",
			"lead_qualification.integrations.erpnext.follow_up.quotation_on_submit",
		],
		"before_update_after_submit": "lead_qualification.integrations.erpnext.follow_up.stamp_next_step",
		"on_update_after_submit": "lead_qualification.integrations.erpnext.follow_up.quotation_on_update_after_submit",
		"on_cancel": "lead_qualification.integrations.erpnext.follow_up.quotation_on_cancel",
	},
	"Sales Order": {
		"on_submit": "lead_qualification.integrations.erpnext.follow_up.sales_order_on_submit",
	},
	"Customer": {
		"after_insert": "lead_qualification.integrations.erpnext.nurture.customer_after_insert",
		"validate": "lead_qualification.integrations.erpnext.gated_documents.validate",
		"on_update": "lead_qualification.integrations.erpnext.gated_documents.on_update",
	},
	"Appointment": {
		"after_insert": [
			"lead_qualification.integrations.erpnext.appointment.appointment_after_insert",
			"lead_qualification.integrations.erpnext.response.appointment_after_insert",
		],
	},
	"Email Unsubscribe": {
		"after_insert": "lead_qualification.integrations.erpnext.nurture.email_unsubscribe_after_insert",
	},
	"Holiday List": {
		"on_update": "lead_qualification.integrations.erpnext.nurture.holiday_list_on_update",
	},
	"Event": {
		"after_insert": "lead_qualification.integrations.erpnext.appointment.event_after_insert",
		"on_update": "lead_qualification.integrations.erpnext.response.event_on_update",
	},
	"Call Log": {
		"on_update": "lead_qualification.integrations.erpnext.response.call_log_on_update",
	},
	"Comment": {
		"after_insert": "lead_qualification.integrations.erpnext.response.comment_after_insert",
	},
	# Frappe's own settings: the site's time zone (see docs/time-zones.md)
	"System Settings": {
		"on_update": "lead_qualification.integrations.frappe.system_settings.on_update",
	},
	# GDPR: Frappe's requests reach the app's records of a lead (see integrations/frappe/privacy.py)
	"Personal Data Deletion Request": {
		"on_update": "lead_qualification.integrations.frappe.privacy.deletion_request_on_update",
	},
	"Personal Data Download Request": {
		"after_insert": "lead_qualification.integrations.frappe.privacy.download_request_after_insert",
	},
}

# Personal data (GDPR) that Frappe's Personal Data Deletion / Download Requests read: the
# Lead by its e-mail (ERPNext declares none of it), and the app's records, which hold no
# e-mail of their own: Frappe replaces the address and the user's name in all their text
# ("strict"); the deletion request's hook above erases the rest of each lead's records.
user_data_fields = [
	{
		"doctype": "Lead",
		"filter_by": "email_id",
		"redact_fields": [
			"first_name",
			"middle_name",
			"last_name",
			"lead_name",
			"title",
			"job_title",
			"mobile_no",
			"whatsapp_no",
			"phone",
			"fax",
			"website",
			"city",
			"bant_need",
			"bant_urgency",
			"bant_alternatives",
			"bant_competitors",
			"bant_decision_maker",
			"bant_decision_maker_role",
			"lqp_consent_source",
			"lqp_consent_wording",
		],
	},
	{"doctype": "Lead Activity", "strict": True},
	{"doctype": "Lead Score Entry", "strict": True},
	{"doctype": "Nurture Touch", "strict": True},
	{"doctype": "Lead Status Log", "strict": True},
	{"doctype": "Nurture Enrollment", "strict": True},
]

# Reacting to a lead's change
# ---------------------------
# Scoring, qualification and the host's hooks announce what changed on a lead
# (lead_qualification.lead_events); the features that react list themselves here, by kind.
# Each is called as listener(changes, bulk=...), in this order.
lead_change_listeners = {
	"band": [
		"lead_qualification.lead_qualification.status_log.on_lead_changes",
		"lead_qualification.lead_nurture.enrollment.on_band_changes",
		"lead_qualification.lead_response.response.on_band_changes",
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
	"cron": {
		"*/15 * * * *": [
			"lead_qualification.lead_nurture.worker.enqueue_due",
			"lead_qualification.lead_response.response.run_overdue",
		]
	},
	"hourly_long": ["lead_qualification.lead_scoring.activities.sweep_opened_emails"],
	"daily_long": [
		"lead_qualification.lead_scoring.scoring.daily_decay",
		"lead_qualification.privacy.retention.daily",
	],
}
