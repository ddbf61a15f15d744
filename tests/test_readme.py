from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs_and_prints_what_it_says(capsys):
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    exec(compile(code, str(README), "exec"), {})  # noqa: S102  (our own README)
    out = capsys.readouterr().out
    # the first comment in the example shows the exact line it prints
    promised = re.search(r"print\(res\)\s+# (.*)", code).group(1)
    assert out.splitlines()[0] == promised


def test_readme_gives_exactly_the_two_commands():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(make demo.*?)```", text, re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
