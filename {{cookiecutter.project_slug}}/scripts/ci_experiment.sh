#!/usr/bin/env bash
# Run one experiment of a sweep in CI and push it: `make ci-experiment` runs this, in
# each job of .github/workflows/sweep.yml.
#
# EXP names the experiment; PARAMS holds its overrides, one `dvc exp run -S` value per
# line (`make sweep-plan` wrote them). With a reachable DVC remote, `dvc exp run --pull`
# restores the outputs of unchanged stages (prepare, usually) instead of rerunning
# them, and `dvc exp push` uploads the experiment's outputs with its git ref. Without
# one (the default local remote is not on GitHub's runners), it runs from scratch on
# the data in git and pushes the git ref alone, saying so.
#
# GIT_PUSH_TOKEN, when set (the workflow's token: actions/checkout keeps no credentials),
# authenticates the push to github.com through a git config of its own, removed after.
set -euo pipefail

exp=${EXP:?set EXP to the experiment name}
overrides=()
while IFS= read -r line; do
    [ -n "$line" ] && overrides+=(-S "$line")
done <<< "${PARAMS:-}"

# name, url and remote_reachable: the default DVC remote, and whether this machine reaches it.
# shellcheck source=scripts/dvc_remote.sh
source "$(dirname "$0")/dvc_remote.sh"

if remote_reachable; then
    echo "Unchanged stages are restored from the DVC remote '$name' ($url)."
    run=(dvc exp run --pull)
    push=(dvc exp push --force origin "$exp")
else
    echo "The DVC remote${name:+ '$name' ($url)} could not be reached: the experiment runs from scratch and only its git ref is pushed."
    run=(dvc exp run)
    push=(dvc exp push --force --no-cache origin "$exp")
fi

"${run[@]}" --name "$exp" "${overrides[@]}"

if [ -n "${GIT_PUSH_TOKEN:-}" ]; then
    # DVC pushes with dulwich, which reads the global git config (not -c options): a copy with the token.
    config=$(mktemp)
    trap 'rm -f "$config"' EXIT
    cp "${GIT_CONFIG_GLOBAL:-$HOME/.gitconfig}" "$config" 2>/dev/null || true
    header=$(printf 'x-access-token:%s' "$GIT_PUSH_TOKEN" | base64 | tr -d '\n')
    git config --file "$config" http.https://github.com/.extraheader "AUTHORIZATION: basic $header"
    export GIT_CONFIG_GLOBAL=$config
fi
"${push[@]}"
