# Copyright (c) 2026, lead_qualification contributors
# For license information, please see license.txt

from frappe.model.document import Document


class LeadRoutingUser(Document):
	pass
