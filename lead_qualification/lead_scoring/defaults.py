"""The default scoring rules, drawn from common practice; managers edit them freely.

Installed once (a rule that already exists, by name, is left as the manager has it).
"""

from frappe import _


def default_rules() -> list[dict]:
	fit = {"dimension": "Fit", "condition_type": "Lead Field"}
	engagement = {"dimension": "Engagement", "condition_type": "Activity", "category": "Engagement"}
	return [
		{
			**fit,
			"rule_name": _("Project described"),
			"category": "Buying Signal",
			"field_name": "bant_need",
			"operator": "is set",
			"points": 10,
		},
		{
			**fit,
			"rule_name": _("Budget confirmed"),
			"category": "Buying Signal",
			"field_name": "bant_budget_status",
			"operator": "in list",
			"value": "Confirmed\nFinanced",
			"points": 15,
		},
		{
			**fit,
			"rule_name": _("Decision maker reached"),
			"category": "Buying Signal",
			"field_name": "bant_authority",
			"operator": "equals",
			"value": "Talking to the Decision Maker",
			"points": 15,
		},
		{
			**fit,
			"rule_name": _("Starts within 3 months"),
			"category": "Buying Signal",
			"field_name": "bant_horizon",
			"operator": "in list",
			"value": "Immediate\nUnder a Month\n1-3 Months",
			"points": 10,
		},
		{
			**fit,
			"rule_name": _("Detailed quote request"),
			"category": "Buying Signal",
			"field_name": "request_type",
			"operator": "equals",
			"value": "Product Enquiry",
			"points": 5,
		},
		{
			**fit,
			"rule_name": _("Organisation"),
			"category": "Ideal Customer Fit",
			"field_name": "company_name",
			"operator": "is set",
			"points": 5,
		},
		{
			**fit,
			"rule_name": _("In the service area"),
			"category": "Demographic",
			"field_name": "territory",
			"operator": "in list",
			"value": _("Your territory"),
			"points": 5,
			# ERPNext fills every lead's territory (All Territories): off until set to yours
			"enabled": 0,
			"description": _("Edit the condition to your own territories or cities, then enable the rule"),
		},
		{
			**fit,
			"rule_name": _("Free-mail address"),
			"category": "Demographic",
			"field_name": "email_id",
			"operator": "contains",
			"value": "@gmail.\n@yahoo.\n@hotmail.\n@outlook.\n@orange.fr\n@free.fr\n@wanadoo.fr\n@laposte.net",
			"points": -5,
		},
		{
			**engagement,
			"rule_name": _("Replied by e-mail"),
			"activity_type": "Email Received",
			"points": 5,
			"cap": 15,
			"half_life_days": 30,
		},
		{
			**engagement,
			"rule_name": _("E-mail opened"),
			"activity_type": "Email Opened",
			"points": 1,
			"cap": 5,
			"half_life_days": 14,
		},
		{
			**engagement,
			"rule_name": _("Several visits"),
			"activity_type": "Page Viewed",
			"min_count": 3,
			"window_days": 30,
			"points": 2,
			"cap": 10,
			"half_life_days": 14,
		},
		{
			**engagement,
			"rule_name": _("Document downloaded"),
			"activity_type": "Document Downloaded",
			"points": 5,
			"cap": 10,
			"half_life_days": 30,
		},
		{
			**engagement,
			"rule_name": _("Demo or visit requested"),
			"activity_type": "Demo Requested",
			"points": 15,
			"cap": 15,
			"half_life_days": 30,
		},
		{
			**engagement,
			"rule_name": _("Appointment booked"),
			"activity_type": "Appointment",
			"points": 10,
			"cap": 20,
			"half_life_days": 45,
		},
		{
			**engagement,
			"rule_name": _("Quotation requested"),
			"activity_type": "Quotation Requested",
			"points": 10,
			"cap": 20,
			"half_life_days": 30,
		},
		{
			**engagement,
			"rule_name": _("Web form submitted"),
			"activity_type": "Web Form Submitted",
			"points": 5,
			"cap": 10,
			"half_life_days": 30,
		},
	]
