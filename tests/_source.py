"""Helpers for the static checks: read the app's files without importing Frappe."""

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "lead_qualification"


def doctype_jsons() -> list[Path]:
	return sorted(p for p in APP.glob("*/doctype/*/*.json") if p.stem == p.parent.name)


def load_json(path: Path) -> dict:
	return json.loads(path.read_text(encoding="utf-8"))


def modules() -> list[str]:
	return [line.strip() for line in (APP / "modules.txt").read_text().splitlines() if line.strip()]


def scrub(name: str) -> str:
	return name.replace(" ", "_").replace("-", "_").lower()


def hooks_tree() -> ast.Module:
	return ast.parse((APP / "hooks.py").read_text())


def hooks_assignments() -> dict[str, ast.expr]:
	return {
		target.id: node.value
		for node in hooks_tree().body
		if isinstance(node, ast.Assign)
		for target in node.targets
		if isinstance(target, ast.Name)
	}


def strings_in(node: ast.AST) -> list[str]:
	return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def resolve_dotted(path: str) -> ast.FunctionDef | None:
	"""Find the `def` that a dotted path names, reading source files only."""
	module, _, name = path.rpartition(".")
	parts = module.split(".")
	file = ROOT.joinpath(*parts).with_suffix(".py")
	if not file.exists():
		file = ROOT.joinpath(*parts, "__init__.py")
		if not file.exists():
			return None
	for node in ast.parse(file.read_text()).body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
			return node
	return None


PY_MESSAGE = re.compile(r"""\b_\(\s*(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""", re.S)
JS_MESSAGE = re.compile(r"""\b__\(\s*(?P<q>["'`])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""", re.S)


def python_messages() -> set[str]:
	found = set()
	for file in APP.rglob("*.py"):
		if "tests" in file.relative_to(APP).parts:
			continue
		for m in PY_MESSAGE.finditer(file.read_text()):
			found.add(m.group("s").encode().decode("unicode_escape"))
	return found


def js_messages() -> set[str]:
	found = set()
	for file in APP.rglob("*.js"):
		for m in JS_MESSAGE.finditer(file.read_text()):
			found.add(m.group("s"))
	return found
