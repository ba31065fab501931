"""Frappe Documents: what the app's hooks do with any document."""


def keep_stored(doc, fieldnames) -> None:
	"""Fields that the app writes straight to the database (a score, a response time) keep
	their stored values on a save: a form opened before the app wrote them, or an API call,
	must not save its stale copy. A new document has nothing stored and keeps its own."""
	before = doc.get_doc_before_save()
	if before is None:
		return
	for fieldname in fieldnames:
		doc.set(fieldname, before.get(fieldname))
