// Lead list additions (loaded through hooks.doctype_list_js, after ERPNext's lead_list.js).

(() => {
	const settings = (frappe.listview_settings["Lead"] = frappe.listview_settings["Lead"] || {});
	settings.add_fields = [...(settings.add_fields || []), "bant_completeness", "qualification_status"];
	settings.formatters = Object.assign({}, settings.formatters, {
		bant_completeness(value) {
			return __("{0}/{1}", [cint(value), 4]);
		},
	});
})();
