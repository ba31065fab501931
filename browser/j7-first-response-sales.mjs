// J7: a Sales User is alerted in the bell that a lead they own turned hot (lead_response/
// alerts.py, a Notification Log written by a background job), opens it from the bell, sees
// when it must be answered, sends it an e-mail from the lead (the timeline's New Email), and
// the lead then shows its First Responded On: the first-response clock stopped
// (lead_response/response.py).

import {
	ADMIN,
	BASE_URL,
	PASSWORD,
	RUN,
	SALES,
	SHOTS,
	api,
	controlValue,
	ensureUser,
	failureShot,
	insertLead,
	log,
	login,
	newPage,
	openForm,
	screenshot,
	scrollToSection,
	waitForForm,
	waitForIntro,
} from "./helpers.mjs";

const OUTGOING = "LQ Browser Outgoing";

/** Frappe queues an e-mail only with an outgoing account: one on loopback, never flushed
 * during the journey (the site's scheduler does not run here). */
async function ensureOutgoingAccount(page) {
	const found = await api(page, "frappe.client.get_list", {
		doctype: "Email Account",
		filters: { enable_outgoing: 1, default_outgoing: 1 },
		fields: ["name"],
	});
	if (found.length) return found[0].name;
	await api(page, "frappe.client.insert", {
		doc: {
			doctype: "Email Account",
			email_account_name: OUTGOING,
			email_id: "lq-browser-outgoing@example.com",
			enable_outgoing: 1,
			default_outgoing: 1,
			smtp_server: "127.0.0.1",
			smtp_port: 2525,
			no_smtp_authentication: 1,
			awaiting_password: 1,
		},
	});
	return OUTGOING;
}

async function prepare(browser) {
	const page = await newPage(browser, "J7 setup");
	try {
		await login(page, ADMIN);
		await ensureUser(page, SALES);
		log(`outgoing e-mail account: ${await ensureOutgoingAccount(page)}`);
		return await insertLead(page, {
			first_name: "Fanny First",
			last_name: `(run ${RUN})`,
			email_id: `lq-browser-first-${RUN}@example.com`,
			company_name: `LQ Browser First ${RUN}`,
			lead_owner: SALES.user,
			request_type: "Product Enquiry",
			bant_need: "Solar panels on a barn roof",
			bant_urgency: "Grant deadline next month",
			bant_budget_status: "Confirmed",
			bant_budget_amount: 24000,
			bant_authority: "Talking to the Decision Maker",
			bant_horizon: "Immediate",
		});
	} finally {
		await page.context().close();
	}
}

export async function j7(browser, data, c) {
	const lead = await prepare(browser);
	c.must(lead.lq_score_band === "Hot", `the lead is hot (${lead.lq_score_band})`);
	c.must(lead.lr_respond_by, `the lead has a Respond By (${lead.lr_respond_by})`);
	c.ok(!lead.lr_first_responded_on, "nobody has answered it yet");

	const page = await newPage(browser, "J7");
	try {
		await login(page, { user: SALES.user, password: PASSWORD });
		log(`logged in as ${SALES.user}`);

		// The bell: the alert that this lead turned hot, written by the worker after the commit
		const bell = page.locator(".navbar .dropdown-notifications .notifications-icon").first();
		// the alert names the lead by its title (the organisation, else the person)
		const title = lead.title || lead.company_name || lead.lead_name;
		const item = page
			.locator(".dropdown-notifications .notification-item", { hasText: /turned Hot|passée à Chaud/i })
			.filter({ hasText: title })
			.first();
		let alerted = false;
		for (let attempt = 0; attempt < 12 && !alerted; attempt++) {
			await bell.click();
			alerted = await item.waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false);
			if (!alerted) {
				await page.keyboard.press("Escape");
				await page.reload({ waitUntil: "networkidle" });
			}
		}
		c.must(alerted, `the bell shows an alert that ${title} turned hot`);
		const alertText = (await item.innerText()).replace(/\s+/g, " ").trim();
		log(`bell: ${alertText}`);
		c.ok(/hot|chaud/i.test(alertText), "the alert says the lead turned hot");
		await page.locator(".dropdown-notifications .dropdown-menu").first().screenshot({
			path: (await import("node:path")).join(SHOTS, "j7-hot-lead-alert-bell.png"),
		});
		log("screenshot: docs/screenshots/j7-hot-lead-alert-bell.png");
		await item.click();
		await waitForForm(page, { doctype: "Lead", name: lead.name });
		log("opened the lead from the bell");
		const before = await waitForIntro(page, /Respond by|Response overdue/);
		log(`intro before: ${before.replace(/\s+/g, " ")}`);
		c.ok(/Respond by|Response overdue/.test(before), "the intro line says by when to respond");

		// New Email, from the lead's timeline (or the form's menu, Email / Ctrl+E), as a user does
		const newEmail = page.locator(".timeline-actions button:visible", { hasText: "New Email" }).first();
		if (await newEmail.count()) {
			await newEmail.scrollIntoViewIfNeeded();
			await newEmail.click();
			log('opened the composer with the timeline\'s "New Email"');
		} else {
			await page.locator(".page-head .menu-btn-group > button:visible").first().click();
			await page.locator('.page-head .menu-btn-group .dropdown-menu a:visible', { hasText: /^\s*Email/ }).first().click();
			log('opened the composer with the form menu\'s "Email"');
		}
		const dialog = page.locator(".modal.show .modal-dialog").filter({ hasText: "Send" }).first();
		await dialog.waitFor({ state: "visible" });
		// Stock Frappe: the composer reads the default outgoing account's signature, which a
		// Sales User may not read, and says "Not permitted" over it; the user closes that.
		const notPermitted = page.locator(".modal.show", { hasText: "Not permitted" });
		await notPermitted.waitFor({ state: "visible", timeout: 5000 }).catch(() => {});
		if (await notPermitted.count()) {
			log('stock Frappe "Not permitted" (the outgoing account\'s signature): closed');
			await notPermitted.locator(".btn-modal-close, .modal-header .close").first().click();
			await notPermitted.waitFor({ state: "hidden" });
		}
		const to = await dialog.locator('.frappe-control[data-fieldname="recipients"] input').first().inputValue();
		const toPill = await dialog.locator('.frappe-control[data-fieldname="recipients"]').innerText();
		log(`composer "To": ${to || toPill.replace(/\s+/g, " ")}`);
		if (!(to + toPill).includes(lead.email_id)) {
			const input = dialog.locator('.frappe-control[data-fieldname="recipients"] input').first();
			await input.fill(lead.email_id);
			await input.press("Enter");
		}
		const subject = dialog.locator('.frappe-control[data-fieldname="subject"] input').first();
		await subject.fill(`Your solar project (${RUN})`);
		const editor = dialog.locator('.frappe-control[data-fieldname="content"] .ql-editor').first();
		await editor.scrollIntoViewIfNeeded();
		await editor.click();
		await page.keyboard.type("Hello, we can visit the barn on Thursday morning. Best regards, Sam");
		log(`message: ${(await editor.innerText()).trim()}`);
		// The composer closes at once and sends in the background: wait for the server's answer.
		const sent = page
			.waitForResponse((r) => /frappe\.core\.doctype\.communication\.email\.make/.test(r.url()), {
				timeout: 60000,
			})
			.catch((e) => ({ status: () => `none (${e.message.split("\n")[0]})` }));
		await dialog.locator(".modal-footer .btn-primary:visible").first().click();
		const answer = await sent;
		c.must(answer.status() === 200, `the e-mail is sent (HTTP ${answer.status()})`);
		log("e-mail sent from the lead");

		// The lead, reopened, shows its first response
		await page.reload({ waitUntil: "networkidle" });
		await waitForForm(page, { doctype: "Lead", name: lead.name });
		const after = await waitForIntro(page, /First response/);
		log(`intro after: ${after.replace(/\s+/g, " ")}`);
		c.ok(/First response: E-mail/.test(after), "the intro line shows the first response (E-mail)");
		const doc = await page.evaluate(() => ({
			on: cur_frm.doc.lr_first_responded_on,
			kind: cur_frm.doc.lr_first_response,
			overdue: cur_frm.doc.lr_response_overdue,
		}));
		log(`lead: First Responded On ${doc.on}, First Response ${doc.kind}, overdue ${doc.overdue}`);
		c.ok(!!doc.on, "the lead has a First Responded On");
		c.ok(doc.kind === "E-mail", `its First Response is E-mail (${doc.kind})`);
		c.ok(!doc.overdue, "it is not overdue");

		await page.evaluate(() => cur_frm.scroll_to_field("lr_first_responded_on"));
		await scrollToSection(page, "lr_response_section");
		const shown = await controlValue(page, "lr_first_responded_on");
		log(`First Responded On on the form: "${shown}"`);
		c.ok(!!shown, "First Responded On is shown on the form");
		await screenshot(page, "j7-first-response.png");
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j7-first-response-intro.png");
	} finally {
		await failureShot(page, c, "j7");
		await page.context().close();
	}
}

export default {
	id: "j7",
	title: "Sales User sends an e-mail from a hot lead, and the lead shows First Responded On",
	run: j7,
};
