"""The rooms import only what lies beneath them (README, Layout): checked in fresh interpreters,
so that an import made by one test cannot hide another's."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ["reader", "extract", "schema", "siteconfig", "store", "crawler", "stages"]
# room -> rooms it must never import (directly or through another module)
FORBIDDEN = {
    "reader": {"extract", "schema", "siteconfig", "store", "crawler", "stages"},
    "extract": {"crawler", "stages", "store", "schema", "siteconfig"},
    "schema": {"extract", "reader", "siteconfig", "store", "crawler", "stages"},
    "siteconfig": {"extract", "store", "crawler", "stages"},
    "store": {"crawler", "stages", "siteconfig"},
    "crawler": {"stages"},
}
PROBE = """
import importlib, json, pkgutil, sys
room = sys.argv[1]
package = importlib.import_module(room)
for module in pkgutil.walk_packages(package.__path__, room + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_rooms(room: str) -> set[str]:
    """Top-level project rooms loaded by importing every module of `room`."""
    result = subprocess.run([sys.executable, "-c", PROBE, room], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout)) & set(ROOMS)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_nothing_above_it(room):
    wrong = imported_rooms(room) & FORBIDDEN[room]
    assert not wrong, f"{room} imports {sorted(wrong)}"


def test_every_room_is_a_package_that_says_what_lives_there():
    for room in ROOMS:
        init = ROOT / room / "__init__.py"
        assert init.exists(), room
        assert init.read_text(encoding="utf-8").lstrip().startswith('"""'), f"{room}/__init__.py has no docstring"
