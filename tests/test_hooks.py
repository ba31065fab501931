"""Every dotted path in hooks.py names a real function, and every asset path exists."""

import ast
import re

import pytest

from tests._source import APP, hooks_assignments, resolve_dotted, strings_in

HOOKS = hooks_assignments()
ASSET_HOOKS = {"app_include_js", "app_include_css", "web_include_js", "web_include_css"}
OWN_PATHS = sorted(
	{
		s
		for hook, node in HOOKS.items()
		if hook not in ASSET_HOOKS
		for s in strings_in(node)
		if s.startswith("lead_qualification.")
	}
)


def test_app_declares_erpnext_as_required():
	assert ast.literal_eval(HOOKS["required_apps"]) == ["erpnext"]
	assert ast.literal_eval(HOOKS["app_name"]) == "lead_qualification"


def test_hooks_name_some_functions():
	assert len(OWN_PATHS) >= 5


@pytest.mark.parametrize("path", OWN_PATHS)
def test_dotted_path_resolves_to_a_function(path):
	assert resolve_dotted(path) is not None, f"{path} does not name a function"


def test_doc_event_handlers_take_doc_and_method():
	events = ast.literal_eval(HOOKS["doc_events"])
	for handlers in events.values():
		for path in handlers.values():
			for p in [path] if isinstance(path, str) else path:
				fn = resolve_dotted(p)
				args = [a.arg for a in fn.args.args]
				assert args == ["doc", "method"], f"{p} takes {args}"
				assert len(fn.args.defaults) == 1, f"{p}: method must default to None"


def test_erpnext_touch_points_live_in_integrations():
	events = ast.literal_eval(HOOKS["doc_events"])
	frappe_doctypes = {"System Settings", "Personal Data Deletion Request", "Personal Data Download Request"}
	for doctype, handlers in events.items():
		host = "frappe" if doctype in frappe_doctypes else "erpnext"
		for path in handlers.values():
			for p in [path] if isinstance(path, str) else path:
				assert p.startswith(f"lead_qualification.integrations.{host}."), p
	assert "override_doctype_class" not in HOOKS


@pytest.mark.parametrize("hook", ["doctype_js", "doctype_list_js"])
def test_form_scripts_exist(hook):
	for path in ast.literal_eval(HOOKS[hook]).values():
		for p in [path] if isinstance(path, str) else path:
			assert (APP / p).is_file(), p


def app_include_js() -> list[str]:
	value = ast.literal_eval(HOOKS["app_include_js"])
	return [value] if isinstance(value, str) else value


def bundle_file(name: str):
	"""Where esbuild finds an app_include_js bundle: `bench build` builds every
	public/**/*.bundle.js and Frappe looks it up in assets.json by its file name."""
	found = sorted((APP / "public").rglob(name))
	assert len(found) == 1, f"{name}: {len(found)} files in public/"
	return found[0]


def test_app_include_js_files_exist():
	assert app_include_js(), "no desk bundle"
	for name in app_include_js():
		if name.startswith("/assets/lead_qualification/"):
			assert (APP / "public" / name.removeprefix("/assets/lead_qualification/")).is_file(), name
		else:
			assert name.endswith(".bundle.js") and "/" not in name, (
				f"{name}: a bundle is named by its file name"
			)
			assert bundle_file(name).is_file()


IMPORT = re.compile(r"""^import\s+(?:[^"']+\s+from\s+)?["'](\.[^"']+)["'];?$""", re.M)


def bundle_modules() -> list:
	"""Every file a bundle pulls in through relative imports (esbuild would fail on a missing one)."""
	seen, todo = [], [bundle_file(n) for n in app_include_js() if n.endswith(".bundle.js")]
	while todo:
		file = todo.pop()
		if file in seen:
			continue
		seen.append(file)
		for target in IMPORT.findall(file.read_text()):
			path = (file.parent / target).resolve()
			candidates = [path, path.with_name(path.name + ".js"), path / "index.js"]
			found = [c for c in candidates if c.is_file()]
			assert found, f"{file.name} imports {target}, which does not exist"
			todo.append(found[0])
	return seen


def test_bundle_imports_resolve():
	assert len(bundle_modules()) >= 2  # the bundle and what it imports


def test_form_and_list_scripts_call_what_the_bundle_defines():
	"""lead_qualification.nurture.x(...) in a form or list script is a method of the bundle."""
	defined = "\n".join(f.read_text() for f in bundle_modules())
	calls = set()
	for hook in ("doctype_js", "doctype_list_js"):
		for path in ast.literal_eval(HOOKS[hook]).values():
			for p in [path] if isinstance(path, str) else path:
				calls |= set(re.findall(r"lead_qualification\.nurture\.(\w+)\(", (APP / p).read_text()))
	assert {"enroll_lead", "enroll_leads"} <= calls
	for name in calls:
		assert re.search(rf"^\t{name}\(", defined, re.M), f"lead_qualification.nurture.{name} is not defined"


def test_patches_txt_lists_existing_patches():
	for line in (APP / "patches.txt").read_text().splitlines():
		line = line.strip()
		if line and not line.startswith(("#", "[")):
			assert resolve_dotted(line.split()[0] + ".execute") is not None, line


def test_lead_change_listeners_are_known_kinds_taking_changes_and_bulk():
	from lead_qualification.lead_events import HOOK, KINDS

	listeners = ast.literal_eval(HOOKS[HOOK])
	assert set(listeners) <= set(KINDS)
	for paths in listeners.values():
		for p in paths:
			fn = resolve_dotted(p)
			args = [a.arg for a in fn.args.args]
			assert args == ["changes", "bulk"], f"{p} takes {args}"
			assert len(fn.args.defaults) == 1, f"{p}: bulk must default to False"


def test_scoring_knows_none_of_the_features_that_react():
	"""The re-score announces; status log, nurture and promotion listen (no fan-out)."""
	source = (APP / "lead_scoring" / "scoring.py").read_text()
	for module in ("status_log", "lead_nurture", "import qualification"):
		assert module not in source, module
