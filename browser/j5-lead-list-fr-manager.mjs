// J5: a French-speaking Sales Manager opens the Lead list: sorted by score, the band column
// and filter read Température, the pills Chaud / Tiède / Froid in red / orange / blue.

import {
	BASE_URL,
	FR_MANAGER,
	PASSWORD,
	clearListFilters,
	failureShot,
	listRows,
	log,
	login,
	newPage,
	rgb,
	screenshot,
	waitForList,
} from "./helpers.mjs";
import { englishIn } from "./j4-workspace-fr-manager.mjs";

const FRENCH = { Hot: "Chaud", Warm: "Tiède", Cold: "Froid" };
const CLASS = { Hot: "red", Warm: "orange", Cold: "blue" };

export async function j5(browser, data, c) {
	const page = await newPage(browser, "J5");
	try {
		await login(page, { user: FR_MANAGER.user, password: PASSWORD });
		log(`logged in as ${FR_MANAGER.user} (${FR_MANAGER.roles.join(", ")}, language ${FR_MANAGER.language})`);
		await page.goto(`${BASE_URL}/app/lead`, { waitUntil: "networkidle" });
		await waitForList(page);
		await clearListFilters(page);
		c.ok((await page.evaluate(() => frappe.boot.lang)) === "fr", "the desk is in French");

		const list = await listRows(page);
		log(`columns: ${list.headers.join(" | ")}; ${list.count}`);
		c.must(list.idx.band >= 0, "the list has the band column");
		c.ok(list.headers.includes("Température") && !list.headers.includes("Band"), "the band column is headed Température");

		const pills = list.rows.filter((r) => r.bandValue);
		log(`pills: ${pills.map((r) => `${r.bandValue}→${r.band}`).join(", ")}`);
		c.ok(new Set(pills.map((r) => r.bandValue)).size === 3, "the first page shows the three bands");
		for (const r of pills) {
			c.ok(r.band === FRENCH[r.bandValue], `${r.name}: ${r.bandValue} reads ${FRENCH[r.bandValue]} (${r.band})`);
			c.ok(r.pillClass.split(/\s+/).includes(CLASS[r.bandValue]), `${r.name}: ${r.bandValue} pill is ${CLASS[r.bandValue]}`);
		}
		const colour = (band) => rgb(pills.find((r) => r.bandValue === band)?.pillFg || "");
		const [hr, hg, hb] = colour("Hot");
		const [wr, , wb] = colour("Warm");
		const [cr, , cb] = colour("Cold");
		c.ok(hr > hg && hr > hb, "Chaud is drawn in red");
		c.ok(wr > wb, "Tiède is drawn in orange, not blue");
		c.ok(cb > cr, "Froid is drawn in blue, not pink");

		// The standard filter of the band: its placeholder and options in French.
		const filter = await page.evaluate(() => {
			const control = $(`.standard-filter-section [data-fieldname="lq_score_band"]:visible`);
			return {
				placeholder: control.find("select option").first().text().trim() || control.find("input").attr("placeholder") || "",
				options: control.find("select option").map((_, o) => o.textContent.trim()).get(),
				label: control.find(".placeholder, .control-label").text().trim(),
			};
		});
		log(`band filter: ${JSON.stringify(filter)}`);
		c.ok(/Température/.test(filter.placeholder + filter.label), "the band filter reads Température");
		c.ok(["Chaud", "Tiède", "Froid"].every((o) => filter.options.includes(o)), `its options are in French (${filter.options.join(", ")})`);

		const sort = await page.evaluate(() => $(".sort-selector:visible .sort-selector-button .dropdown-text").first().text().trim());
		c.ok(sort === "Score", `sorted by Score (${sort})`);

		const pageText = await page.evaluate(() => $(".page-form:visible, .list-row-head:visible, .result:visible").text());
		const english = englishIn(pageText).filter((w) => !["hot", "Settings", "Reports", "Scoring", "Nurture"].includes(w));
		c.ok(!english.length, `no English word of the app in the list (${english.join(", ") || "none"})`);

		await page.evaluate(() => window.scrollTo(0, 0));
		await screenshot(page, "j5-lead-list-fr-manager.png", { fullPage: true });
	} finally {
		await failureShot(page, c, "j5");
		await page.context().close();
	}
}

export default {
	id: "j5",
	title: "French Sales Manager sees the Lead list in French: Température, Chaud / Tiède / Froid pills",
	run: j5,
};
