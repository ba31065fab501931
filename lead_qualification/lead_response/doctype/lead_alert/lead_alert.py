# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

from frappe.model.document import Document


class LeadAlert(Document):
	"""One alert sent (or one digest line): written by lead_response.alerts only."""
