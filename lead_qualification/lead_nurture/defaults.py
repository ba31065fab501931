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


QUOTATION_TEMPLATES = {
	"Quotation follow-up": {
		"subject": "Your quotation {{ quotation }}",
		"response": (
			"<p>Hello {{ contact_display or customer_name or lead_name }},</p>"
			"<p>A few days ago we sent you our quotation {{ quotation }}; you will find it attached "
			"again. Do you have any questions about it, or would you like us to adjust anything?</p>"
			"<p>We would be glad to talk it over with you: simply reply to this e-mail.</p>"
		),
	},
	"Relance de devis": {
		"subject": "Votre devis {{ quotation }}",
		"response": (
			"<p>Bonjour {{ contact_display or customer_name or lead_name }},</p>"
			"<p>Nous vous avons adressé il y a quelques jours notre devis {{ quotation }} ; vous le "
			"trouverez de nouveau en pièce jointe. Avez-vous des questions, ou souhaitez-vous que nous "
			"l'ajustions ?</p>"
			"<p>Nous serions heureux d'en parler avec vous : il suffit de répondre à ce message.</p>"
		),
	},
}


def prospect_sequence() -> dict:
	"""After promotion: a follow-up task for the owner at the prospect's rhythm (hot every 2
	working days, warm every 5, cold every 10), again and again, until an Opportunity or a
	Quotation exists, the lead is lost or a next step is logged."""
	return {
		"doctype": "Nurture Sequence",
		"sequence_name": _("Prospect follow-up"),
		"stage": "Prospect",
		"enabled": 1,
		"auto_enroll": 1,
		"repeat_steps": 1,
		"description": _(
			"Tasks for the owner at the prospect's rhythm until an Opportunity or a Quotation exists, the lead is lost, or a next step is logged."
		),
		"steps": [
			{
				"channel": "Call Task",
				"task": _("Call the prospect: agree on the next step (visit, measurements, quotation)."),
			},
		],
	}


def quotation_sequence() -> dict:
	"""After a quotation is submitted: reminders to its owner at D+2, D+7 and D+14 working
	days and 3 days before Valid Till. To also write to the contact, add an E-mail step with
	the templates "Quotation follow-up" / "Relance de devis" (the quotation goes attached)."""

	def reminder(timing, days, task):
		return {"channel": "To Do", "timing": timing, "offset_days": days, "task": task}

	return {
		"doctype": "Nurture Sequence",
		"sequence_name": _("Quotation follow-up"),
		"stage": "Quotation",
		"enabled": 1,
		"auto_enroll": 1,
		"description": _(
			"Reminders to follow a quotation up until it is ordered, lost, expired or cancelled, the contact replies, or a next step is logged. Add an E-mail step (template Quotation follow-up) to also write to the contact, the quotation attached."
		),
		"steps": [
			reminder(
				"Working Days After Start", 2, _("Check that the quotation arrived and answer questions.")
			),
			reminder("Working Days After Start", 7, _("Call about the quotation: anything to adjust?")),
			reminder("Working Days After Start", 14, _("Call again: where does the decision stand?")),
			reminder("Days Before Valid Till", 3, _("The quotation expires soon: extend it or close it.")),
		],
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
	install_nurture()
	install_follow_ups()


def install_follow_ups() -> None:
	"""The prospect and quotation follow-up sequences and the quotation e-mail templates."""
	for name, values in QUOTATION_TEMPLATES.items():
		if not frappe.db.exists("Email Template", name):
			doc = frappe.new_doc("Email Template")
			doc.name = name
			doc.update(values)
			doc.insert(ignore_permissions=True)
	for seq in (prospect_sequence(), quotation_sequence()):
		if not frappe.db.exists("Nurture Sequence", seq["sequence_name"]):
			frappe.get_doc(seq).insert(ignore_permissions=True)


def install_nurture() -> None:
	for name, values in TEMPLATES.items():
		if not frappe.db.exists("Email Template", name):
			doc = frappe.new_doc("Email Template")
			doc.name = name
			doc.update(values)
			doc.insert(ignore_permissions=True)
	seq = default_sequence()
	if not frappe.db.exists("Nurture Sequence", seq["sequence_name"]):
		frappe.get_doc(seq).insert(ignore_permissions=True)
