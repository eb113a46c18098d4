"""The repository stands alone: a clone with nothing beside it has everything the tests,
benchmarks, Makefile and README use."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The folder beside the project that the tests once read, named as a path in any spelling.
OUTSIDE = re.compile(r"\.\.[/\\]shared|/ ?[\"']shared[\"']|[\"']shared[\"'] ?/")
TEXT = {".py", ".md", ".toml", ".txt", ".cfg", ".js", ".css", ".json", ".yml", ".yaml", ""}


def tracked() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / n.decode() for n in names if n]


def outside_paths(path: Path) -> list[str]:
    """Lines of ``path`` that name the folder beside the project."""
    if path.suffix not in TEXT and path.name not in {"Makefile", "Dockerfile", "run"}:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return []
    return [
        f"{path.name}:{i}: {line.strip()}"
        for i, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]


def test_no_tracked_file_reads_a_path_beside_the_repository():
    files = tracked()
    assert (
        ROOT / "Makefile" in files and ROOT / "tests" / "data" / "nist" / "certified.json" in files
    )
    found = [line for path in files for line in outside_paths(path)]
    assert found == []


def test_the_guard_sees_a_planted_path(tmp_path):
    planted = tmp_path / "planted.py"
    beside = "." + "./shared"  # spelled apart so that this file does not trip the guard itself
    planted.write_text(
        f'A = "{beside}/data/nist"\nB = ROOT.parent / "{beside[3:]}" / "x"\nC = "tests/data/nist"\n'
    )
    assert [line.split(":")[1] for line in outside_paths(planted)] == ["1", "2"]


def test_parents_never_climb_above_the_root():
    """``Path(__file__).resolve().parents[N]`` must stay inside the repository."""
    climbing = []
    for path in tracked():
        if path.suffix != ".py":
            continue
        depth = len(path.relative_to(ROOT).parts) - 1  # parents[depth] is the root
        for match in re.finditer(r"parents\[(\d+)\]", path.read_text(encoding="utf-8")):
            if int(match.group(1)) > depth:
                climbing.append(f"{path.relative_to(ROOT)}: parents[{match.group(1)}]")
    assert climbing == []


def test_requirements_pin_every_dependency_once():
    """``pip install -r requirements.txt`` gives every dependency (and the dev tools) pinned."""
    import tomllib

    from packaging.requirements import Requirement

    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            assert [s.operator for s in requirement.specifier] == ["=="], line
            pins[requirement.name.lower().replace("_", "-")] = str(requirement.specifier)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    for text in declared:
        requirement = Requirement(text)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned"
        assert requirement.specifier.contains(pins[name][2:]), (text, pins[name])
    assert pins["torch"] == "==2.13.0"
    assert not (ROOT / "requirements.lock").exists()
