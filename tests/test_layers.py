"""Layers point one way: views → services → store → Redis. Read from the imports."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "moderation"
VIEWS = {"reader", "health", "cli", "moderate", "api", "demo", "metrics", "auth"}
STORES = {"store", "store_accounts", "store_filter", "store_rules", "store_transfer", "store_commenters",
          "store_erasures"}
PURE = {"models", "errors", "keys", "textnorm", "rules", "bayes", "waves", "text", "counters", "htmltext", "threadkeys",
        "records", "xmlfile", "wxr", "disqus", "jsonlines", "progress"}


def imports(module):
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .store import X / from . import store
                names.update([node.module] if node.module else [alias.name for alias in node.names])
            else:
                names.add(node.module)
    return names


def test_layers_only_the_store_imports_redis():
    for path in PACKAGE.glob("*.py"):
        if path.stem in {"store", "embedded", "connection", "__init__"}:
            continue
        assert not {n for n in imports(path.stem) if n.split(".")[0] == "redis"}, path.stem


def test_layers_views_do_not_reach_the_stores():
    for view in VIEWS:
        assert not imports(view) & STORES, view


def test_layers_stores_and_pure_modules_know_nothing_of_flask():
    for module in STORES | PURE:
        assert not {n for n in imports(module) if n.split(".")[0] in {"flask", "flask_babel", "flask_wtf"}}, module


def test_layers_pure_modules_do_not_reach_the_stores():
    for module in PURE:
        assert not imports(module) & STORES, module


def test_layers_queue_folder_has_no_python():
    queue = PACKAGE.parent / "queue"
    assert not list(queue.glob("*.py")), "a `queue` package would shadow the standard library's queue"
