"""The shipped nurture sequence and its e-mail templates, in English and French.

Installed once; managers edit or replace them. Template texts are Jinja, rendered with
the lead's fields.
"""

import frappe
from frappe import _

TEMPLATES = {
	"Nurture - Useful advice": {
		"subject": "{{ company_name or lead_name }}: a few tips for your project",
		"response": (
			"<p>Hello {{ first_name or lead_name }},</p>"
			"<p>While you think about your project, here are a few points our customers are glad "
			"they checked early: the state of what exists today, the lead time of materials, and "
			"the permits that may be needed.</p>"
			"<p>If you would like us to look at it together, simply reply to this e-mail.</p>"
		),
	},
	"Nurture - Conseils utiles": {
		"subject": "{{ company_name or lead_name }} : quelques conseils pour votre projet",
		"response": (
			"<p>Bonjour {{ first_name or lead_name }},</p>"
			"<p>Pendant que vous réfléchissez à votre projet, voici quelques points que nos clients "
			"sont contents d'avoir vérifiés tôt : l'état de l'existant, les délais des matériaux et "
			"les autorisations éventuellement nécessaires.</p>"
			"<p>Si vous souhaitez que nous en parlions ensemble, répondez simplement à ce message.</p>"
		),
	},
	"Nurture - Checking in": {
		"subject": "Where is your project at, {{ first_name or lead_name }}?",
		"response": (
			"<p>Hello {{ first_name or lead_name }},</p>"
			"<p>We are checking in on your project. Has anything changed on your side — timing, "
			"budget, what you need? We can come and see, free of charge, whenever suits you.</p>"
			"<p>Just reply to this e-mail.</p>"
		),
	},
	"Nurture - Des nouvelles": {
		"subject": "Où en est votre projet, {{ first_name or lead_name }} ?",
		"response": (
			"<p>Bonjour {{ first_name or lead_name }},</p>"
			"<p>Nous prenons des nouvelles de votre projet. Quelque chose a-t-il changé de votre "
			"côté : calendrier, budget, besoin ? Nous pouvons passer vous voir gratuitement, quand "
			"cela vous arrange.</p>"
			"<p>Il suffit de répondre à ce message.</p>"
		),
	},
}


def default_sequence() -> dict:
	return {
		"doctype": "Nurture Sequence",
		"sequence_name": _("Follow-up of unqualified leads"),
		"enabled": 1,
		"description": _(
			"Useful, regular contact until the lead answers or is ready: cold leads monthly, warm weekly, hot every other day."
		),
		"steps": [
			{
				"channel": "Email",
				"email_template": "Nurture - Useful advice",
				"email_template_fr": "Nurture - Conseils utiles",
			},
			{
				"channel": "Call Task",
				"task": _("Call to ask how the project is going and whether a visit would help."),
			},
			{
				"channel": "Email",
				"email_template": "Nurture - Checking in",
				"email_template_fr": "Nurture - Des nouvelles",
			},
			{"channel": "To Do", "task": _("Decide: keep nurturing, qualify, or drop this lead.")},
		],
	}


def install() -> None:
	for name, values in TEMPLATES.items():
		if not frappe.db.exists("Email Template", name):
			doc = frappe.new_doc("Email Template")
			doc.name = name
			doc.update(values)
			doc.insert(ignore_permissions=True)
	seq = default_sequence()
	if not frappe.db.exists("Nurture Sequence", seq["sequence_name"]):
		frappe.get_doc(seq).insert(ignore_permissions=True)
