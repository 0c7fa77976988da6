"""A small site compared as a whole with the committed output in tests/golden/expected/.

After an intended change to templates or rendering, regenerate and review the diff:
    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import tree

from timeline.cli import main

GOLDEN = Path(__file__).parent / "golden"
EXPECTED = GOLDEN / "expected"



def test_the_golden_site_is_built_exactly(tmp_path, capsys):
    out = tmp_path / "_site"
    # No static files: the stylesheet changes often and is not what this test is about.
    code = main(["--content", str(GOLDEN / "content"), "--out", str(out), "--static", str(tmp_path / "none"),
                 "--no-search"])
    assert code == 0, capsys.readouterr().err
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(out, EXPECTED)
    expected, built = tree(EXPECTED), tree(out)
    assert sorted(built) == sorted(expected)
    for path, data in built.items():
        assert data.decode() == expected[path].decode(), f"{path} differs (see the module docstring to regenerate)"
