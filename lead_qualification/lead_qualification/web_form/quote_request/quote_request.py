"""The quote-request web form (for guests). Its checks run on the Lead it creates:
lead_qualification.privacy.lead_privacy (honeypot, rate limit, lengths, answers as BANT,
consent as worded here)."""


def get_context(context):
	context.no_cache = 1
