"""The quote-request web form (for guests). Its checks run on the Lead it creates:
lead_qualification.privacy.lead_privacy (honeypot, rate limit, lengths, answers as BANT,
consent as worded here)."""

from frappe import _


def get_context(context):
	context.no_cache = 1
	# Frappe's template shows the introduction as stored: the visitor reads it in their language
	if context.get("introduction_text"):
		context.introduction_text = _(context.introduction_text)
