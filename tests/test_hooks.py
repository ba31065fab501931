"""Every dotted path in hooks.py names a real function, and every asset path exists."""

import ast

import pytest

from tests._source import APP, hooks_assignments, resolve_dotted, strings_in

HOOKS = hooks_assignments()
OWN_PATHS = sorted(
	{s for node in HOOKS.values() for s in strings_in(node) if s.startswith("lead_qualification.")}
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
	frappe_doctypes = {"System Settings"}
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


def test_patches_txt_lists_existing_patches():
	for line in (APP / "patches.txt").read_text().splitlines():
		line = line.strip()
		if line and not line.startswith(("#", "[")):
			assert resolve_dotted(line.split()[0] + ".execute") is not None, line
