// J11: a French-speaking Sales Manager asks for a re-score of every lead (the API behind the
// workspace's action), waits for the Lead Scoring Run that a long-queue worker completes, and
// reads it in French: its counters (leads scored and changed, ledger rows written and
// deleted), the parts it ran in, its peak memory and speed. Screenshot:
// j11-scoring-run-fr-manager.png.

import { BASE_URL, FR_MANAGER, PASSWORD, api, failureShot, log, login, newPage, screenshot, waitForForm, wordsIn } from "./helpers.mjs";

// The run's labels as a French user must read them, and their English sources.
const LABELS = {
	"Leads to Score": "Pistes à noter",
	"Leads Scored": "Pistes notées",
	"Leads Changed": "Pistes modifiées",
	"Leads per Second": "Pistes par seconde",
	"Ledger Rows Written": "Lignes du détail écrites",
	"Ledger Rows Deleted": "Lignes du détail supprimées",
	"Peak Memory (MB)": "Mémoire maximale (Mo)",
	Parts: "Parties",
	"Parts Done": "Parties terminées",
	"Started On": "Commencé le",
	"Finished On": "Terminé le",
};
const ENGLISH = [...Object.keys(LABELS), "Completed", "Running", "Queued", "Measurements", "Reason", "Progress", "Requested by"];

export async function j11(browser, data, c) {
	const page = await newPage(browser, "J11");
	try {
		await login(page, { user: FR_MANAGER.user, password: PASSWORD });
		log(`logged in as ${FR_MANAGER.user} (${FR_MANAGER.roles.join(", ")}, language ${FR_MANAGER.language})`);
		const run = String((await api(page, "lead_qualification.lead_scoring.api.rescore_all")) ?? "");
		c.must(run.length > 0, `a re-score is queued (Lead Scoring Run ${run})`);
		let status = "";
		for (let i = 0; i < 120 && !["Completed", "Failed"].includes(status); i++) {
			await page.waitForTimeout(1000);
			const r = await api(page, "frappe.client.get_value", { doctype: "Lead Scoring Run", filters: run, fieldname: "status" });
			status = r?.status || "";
		}
		c.must(status === "Completed", `the long-queue worker completes the run (${status || "still waiting"})`);

		await page.goto(`${BASE_URL}/app/lead-scoring-run/${run}`, { waitUntil: "networkidle" });
		// the run is named by a number (autoincrement): the form's doc.name is one
		await waitForForm(page, { doctype: "Lead Scoring Run", name: /^\d+$/.test(run) ? Number(run) : run });
		const form = await page.evaluate(() => ({
			labels: $(cur_frm.wrapper)
				.find(".frappe-control:visible .control-label, .frappe-control:visible .like-disabled-input")
				.map((_, e) => e.innerText.trim())
				.get(),
			indicator: $(cur_frm.page.wrapper).find(".indicator-pill:visible").first().text().trim(),
			title: $(cur_frm.page.wrapper).find(".title-text:visible").first().text().trim(),
			text: $(cur_frm.wrapper).find(".form-layout").text() + " " + $(cur_frm.page.wrapper).find(".page-head").text(),
			doc: { total: cur_frm.doc.total, processed: cur_frm.doc.processed, parts: cur_frm.doc.parts, memory: cur_frm.doc.peak_memory_mb },
		}));
		log(`run ${run}: ${JSON.stringify(form.doc)}; status "${form.indicator}"; labels: ${form.labels.join(" | ")}`);
		c.ok(form.doc.processed === form.doc.total && form.doc.total > 0, `every lead scored (${form.doc.processed}/${form.doc.total})`);
		c.ok(form.doc.parts >= 1 && form.doc.memory > 0, `its parts (${form.doc.parts}) and peak memory (${form.doc.memory} MB) are recorded`);
		for (const [english, french] of Object.entries(LABELS)) {
			c.ok(form.labels.includes(french), `"${english}" reads "${french}"`);
		}
		c.ok(/Termin/.test(form.indicator), `the status reads Terminé (${form.indicator})`);
		const english = wordsIn(form.text, ENGLISH);
		c.ok(!english.length, `no English word of the app on the run (${english.join(", ") || "none"})`);
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j11-scoring-run-fr-manager.png", { fullPage: true });
	} finally {
		await failureShot(page, c, "j11");
		await page.context().close();
	}
}

export default {
	id: "j11",
	title: "French Sales Manager re-scores every lead and reads the Lead Scoring Run in French",
	run: j11,
};
