#!/usr/bin/env bash
# Reproduce the committed pipeline in CI: `make ci-repro` runs this.
#
# With a reachable DVC remote, `dvc repro --pull` restores the outputs of
# unchanged stages (and, through the run-cache, of stages run before) instead
# of rerunning them. Without one (a local remote is not on GitHub's runners;
# fork PRs get no secrets) the pipeline reruns from scratch on the data in git.
#
# Writes DVC's log to $REPRO_LOG, and `remote=reachable|unreachable` plus a
# one-line `note=` to $GITHUB_OUTPUT when that is set (as on a runner).
set -euo pipefail

log=${REPRO_LOG:?set REPRO_LOG to the file for DVC\'s log}
mkdir -p "$(dirname "$log")"

name=$(dvc remote default 2>/dev/null || true)
url=${name:+$(dvc config "remote.$name.url")}  # as written in .dvc/config

remote_reachable() {
    case $url in
        "") return 1 ;;                                # no default remote
        *://*) dvc status --cloud >/dev/null 2>&1 ;;  # fails without credentials
        /*) [ -d "$url" ] ;;                           # a local remote, absolute
        *) [ -d ".dvc/$url" ] ;;                       # a local remote, relative to .dvc/
    esac
}

if remote_reachable; then
    state=reachable
    note="Unchanged stages were restored from the DVC remote '$name' ($url)."
    command=(dvc repro --pull)
else
    state=unreachable
    note="The DVC remote${name:+ '$name' ($url)} could not be reached (a local remote, or no credentials as on fork PRs): the pipeline was reproduced from scratch."
    command=(dvc repro)
fi

echo "$note"
"${command[@]}" 2>&1 | tee "$log"
printf 'remote=%s\nnote=%s\n' "$state" "$note" >> "${GITHUB_OUTPUT:-/dev/null}"
