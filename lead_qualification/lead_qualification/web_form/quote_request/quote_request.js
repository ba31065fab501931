frappe.ready(function () {
	// the honeypot is out of sight and out of the keyboard's way
	$('[data-fieldname="website"] input').attr({ tabindex: "-1", autocomplete: "off" });
});
