// J9: a French-speaking Sales Manager opens the Pipeline Forecast (expected revenue per
// month, chart, probabilities with their past cases, back-test) and the Qualification Impact
// (before / after the app, each figure with its cases), both in French, from the workspace's
// "Forecast and Impact" card. Screenshots: j9-pipeline-forecast-fr-manager.png and
// j9-qualification-impact-fr-manager.png. The site's own history is used as it is (the
// journeys make no quotations, orders nor invoices); on an empty site the reports show
// zeros and the documented priors, which is checked too.

import { BASE_URL, FR_MANAGER, PASSWORD, failureShot, log, login, newPage, screenshot } from "./helpers.mjs";

// English words of these reports that must not show for a French user.
const ENGLISH = [
	"Pipeline Forecast",
	"Qualification Impact",
	"Expected Revenue",
	"Open Leads",
	"Open Quotations",
	"Win Probability",
	"Back-Test",
	"Before the App",
	"After the App",
	"Average Order Value",
	"may be noise",
	"Prior: only",
];

function englishIn(text) {
	return ENGLISH.filter((w) => text.includes(w));
}

async function openReport(page, route) {
	await page.goto(`${BASE_URL}/app/query-report/${route}`, { waitUntil: "networkidle" });
	await page.waitForFunction(
		() =>
			window.frappe &&
			frappe.query_report &&
			frappe.query_report.data &&
			frappe.query_report.data.length > 0 &&
			document.querySelectorAll(".dt-row").length > 1,
		null,
		{ timeout: 90000 }
	);
	await page.waitForLoadState("networkidle");
	await page.waitForTimeout(1200); // chart animation
}

function readReport(page) {
	return page.evaluate(() => {
		const main = document.querySelector(".layout-main-section");
		return {
			lang: frappe.boot.lang,
			title: document.querySelector(".page-title .title-text")?.textContent.trim(),
			columns: frappe.query_report.columns.map((c) => c.label),
			rows: frappe.query_report.data.length,
			chart: !!document.querySelector(".chart-container svg, .frappe-chart svg"),
			summary: [...document.querySelectorAll(".report-summary .summary-label")].map((e) => e.textContent.trim()),
			message: document.querySelector(".report-footer, .report-message, .query-report .report-wrapper + div")?.innerText || "",
			all: main.innerText,
		};
	});
}

export async function j9(browser, data, c) {
	const page = await newPage(browser, "J9");
	try {
		await login(page, { user: FR_MANAGER.user, password: PASSWORD });
		log(`logged in as ${FR_MANAGER.user} (${FR_MANAGER.roles.join(", ")}, language ${FR_MANAGER.language})`);

		await page.goto(`${BASE_URL}/app/lead-qualification`, { waitUntil: "networkidle" });
		await page.waitForSelector(".links-widget-box", { timeout: 60000 });
		const links = await page.evaluate(() => [...document.querySelectorAll(".links-widget-box")].map((e) => e.innerText));
		const card = links.find((t) => /Prévisions et effets/.test(t));
		c.ok(!!card, `the workspace has the "Prévisions et effets" card (${links.map((t) => t.split("\n")[0]).join(" | ")})`);
		c.ok(card && /Prévision du pipeline/.test(card) && /Effet de la qualification/.test(card), "the card links both reports in French");

		await openReport(page, "Pipeline Forecast");
		const f = await readReport(page);
		log(`forecast: title "${f.title}", ${f.rows} rows, columns ${f.columns.join(" | ")}`);
		log(`summary: ${f.summary.join(" | ")}`);
		c.ok(f.lang === "fr", `the desk is in French (${f.lang})`);
		c.ok(f.title === "Prévision du pipeline", `the report is titled in French (${f.title})`);
		c.ok(f.columns.includes("Chiffre d’affaires attendu") && f.columns.includes("Pistes ouvertes"), "columns in French");
		c.ok(f.chart, "the chart is drawn");
		c.ok(/Probabilité de gain des pistes ouvertes/.test(f.all), "the win probabilities are shown, in French");
		c.ok(/Gagnées \/ cas passés/.test(f.all), "each probability with its past cases");
		c.ok(/Test rétrospectif/.test(f.all), "the back-test is shown");
		c.ok(/commandes clients validées/.test(f.all), "a Sales Manager (no Sales Invoice read) is told revenue comes from Sales Orders");
		let english = englishIn(f.all);
		c.ok(!english.length, `no English word of the report (${english.join(", ") || "none"})`);
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j9-pipeline-forecast-fr-manager.png", { fullPage: true });

		await openReport(page, "Qualification Impact");
		const i = await readReport(page);
		log(`impact: title "${i.title}", ${i.rows} rows, columns ${i.columns.join(" | ")}`);
		c.ok(i.title === "Effet de la qualification", `the report is titled in French (${i.title})`);
		c.ok(i.rows === 6, `six figures (${i.rows})`);
		c.ok(i.columns.includes("Avant l’application") && i.columns.includes("Après l’application"), "before / after columns in French");
		c.ok(i.chart, "the chart is drawn");
		c.ok(/mise en service le/.test(i.all), "the switch-on date is stated");
		english = englishIn(i.all);
		c.ok(!english.length, `no English word of the report (${english.join(", ") || "none"})`);
		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j9-qualification-impact-fr-manager.png", { fullPage: true });
	} finally {
		await failureShot(page, c, "j9");
		await page.context().close();
	}
}

export default {
	id: "j9",
	title: "French Sales Manager reads the Pipeline Forecast and the Qualification Impact in French",
	run: j9,
};
