#!/usr/bin/env bash
# Reproduce the committed pipeline in CI: `make ci-repro` runs this.
#
# With a reachable DVC remote, `dvc repro --pull` restores the outputs of
# unchanged stages (and, through the run-cache, of stages run before) instead
# of rerunning them. Without one (a local remote is not on GitHub's runners;
# fork PRs get no secrets) the pipeline reruns from scratch on the data in git.
#
# Writes DVC's log to $REPRO_LOG, each line stamped with the seconds since the start
# (`[   12.3s] Running stage 'train':`; DVC prints no durations, the PR report shows them), and `remote=reachable|unreachable` plus a
# one-line `note=` to $GITHUB_OUTPUT when that is set (as on a runner).
set -euo pipefail

log=${REPRO_LOG:?set REPRO_LOG to the file for DVC\'s log}
mkdir -p "$(dirname "$log")"

# name, url and remote_reachable: the default DVC remote, and whether this machine reaches it.
# shellcheck source=scripts/dvc_remote.sh
source "$(dirname "$0")/dvc_remote.sh"

if remote_reachable; then
    state=reachable
    note="Unchanged stages were restored from the DVC remote '$name' ($url)."
    command=(dvc repro --pull)
else
    state=unreachable
    note="The DVC remote${name:+ '$name' ($url)} could not be reached (a local remote, or no credentials as on fork PRs): the pipeline was reproduced from scratch."
    command=(dvc repro)
fi

# Stamps each line as it arrives: the stages' Python flushes every line, so a stamp is when it was printed.
stamp() {
    python -u -c 'import sys, time
start = time.monotonic()
for line in sys.stdin:
    print(f"[{time.monotonic() - start:7.1f}s] {line}", end="")'
}

echo "$note"
PYTHONUNBUFFERED=1 "${command[@]}" 2>&1 | stamp | tee "$log"
printf 'remote=%s\nnote=%s\n' "$state" "$note" >> "${GITHUB_OUTPUT:-/dev/null}"
