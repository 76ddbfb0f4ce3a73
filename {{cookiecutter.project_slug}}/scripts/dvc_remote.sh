# Sourced by CI scripts: the default DVC remote and whether this machine can reach it.
#
# Sets `name` and `url` (as written in .dvc/config) and defines remote_reachable,
# which fails without a default remote, for a local remote that is not on this
# machine (the default `../<project>-dvc-remote` is not on GitHub's runners), and
# for a cloud remote without credentials (fork pull requests get no secrets).
# shellcheck shell=bash

name=$(dvc remote default 2>/dev/null || true)
url=${name:+$(dvc config "remote.$name.url")}

remote_reachable() {
    case $url in
        "") return 1 ;;                                # no default remote
        *://*) dvc status --cloud >/dev/null 2>&1 ;;  # fails without credentials
        /*) [ -d "$url" ] ;;                           # a local remote, absolute
        *) [ -d ".dvc/$url" ] ;;                       # a local remote, relative to .dvc/
    esac
}
