// The app's desk code shared by several pages, loaded on every desk page through
// hooks.app_include_js and built by `bench build --app lead_qualification` (esbuild), as
// erpnext.bundle.js and hrms.bundle.js are. Each module adds to the `lead_qualification`
// namespace; the form and list scripts (hooks.doctype_js / doctype_list_js) call it.

import "./nurture/enroll_dialog";
