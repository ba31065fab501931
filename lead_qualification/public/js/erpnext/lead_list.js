// Lead list additions (loaded through hooks.doctype_list_js, after ERPNext's lead_list.js).

(() => {
	const settings = (frappe.listview_settings["Lead"] = frappe.listview_settings["Lead"] || {});
	const band_colours = { Hot: "red", Warm: "orange", Cold: "blue" };
	settings.add_fields = [
		...(settings.add_fields || []),
		"bant_completeness",
		"qualification_status",
		"lq_score",
		"lq_score_band",
	];
	const previous_onload = settings.onload;
	settings.onload = function (listview) {
		if (previous_onload) previous_onload(listview);
		listview.page.add_action_item(
			__("Enroll in Nurture Sequence"),
			() => lead_qualification.nurture.enroll_leads(listview) // lead_qualification.bundle.js
		);
	};
	settings.formatters = Object.assign({}, settings.formatters, {
		bant_completeness(value) {
			return __("{0}/{1}", [cint(value), 4]);
		},
		lq_score_band(value) {
			if (!value) return "";
			return `<span class="indicator-pill ${band_colours[value] || "gray"} filterable"
				data-filter="lq_score_band,=,${value}">${__(value)}</span>`;
		},
		lq_score(value) {
			return format_number(value || 0, null, 0);
		},
	});
})();
