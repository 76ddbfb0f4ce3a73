"""Compose conf/ into params.yaml, or check that params.yaml is up to date.

`dvc exp run` composes params.yaml itself, but `dvc repro` does not
(treeverse/dvc#10750), so `make repro` runs this module first. It uses DVC's
own composer, so both paths write byte-identical files.

Composing costs a second or two (Hydra, DVC, the schema), so it is skipped when
nothing it reads changed: the content of conf/, the overrides, and params.yaml
itself, hashed into COMPOSE_STAMP. Content, not timestamps: a params.yaml that
`dvc exp run -S ...` left behind differs from what was recorded, so it is recomposed.

    python -m {{ cookiecutter.package_name }}.ops.compose [OVERRIDE ...]   # write params.yaml (if stale)
    python -m {{ cookiecutter.package_name }}.ops.compose --check          # exit 1 if stale
"""

import argparse
import difflib
import hashlib
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError, run_stage
from ..paths import COMPOSE_STAMP, CONF_DIR, CONFIG, PARAMS


def compose(overrides: Sequence[str] = (), conf_dir: Path = CONF_DIR) -> str:
    """Return the YAML text that conf/ composes to, validated against the schema."""
    # Imported here, not above: a skipped composition (fingerprint unchanged) needs none of them.
    import yaml
    from dvc.utils.hydra import compose_and_dump
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from ..params import validate_params

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "params.yaml"
        try:
            compose_and_dump(out, str(conf_dir.resolve()), None, "config", "", list(overrides))
        except (HydraException, OmegaConfBaseException) as err:
            raise ConfigError(f"cannot compose {conf_dir}/: {err}") from None
        text = out.read_text(encoding="utf-8")
    validate_params(yaml.safe_load(text), f"{conf_dir}/ composed", conf_dir)
    return text


def fingerprint(overrides: Sequence[str], conf_dir: Path = CONF_DIR, params: Path = PARAMS) -> str:
    """A hash of what a composition reads and writes: conf/'s files, the overrides, params.yaml."""
    digest = hashlib.sha256()
    files = sorted(path for path in conf_dir.rglob("*") if path.is_file())
    for path in [*files, params]:
        digest.update(f"{path.as_posix()}\0".encode())
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    digest.update("\0".join(["overrides", *overrides]).encode())
    return digest.hexdigest()


def write_params(
    overrides: Sequence[str] = (), conf_dir: Path = CONF_DIR, params: Path = PARAMS, stamp: Path = COMPOSE_STAMP
) -> bool:
    """Compose conf/ into params.yaml unless the stamp says nothing changed; True if it composed."""
    if stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint(overrides, conf_dir, params):
        return False
    params.write_text(compose(overrides, conf_dir), encoding="utf-8")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint(overrides, conf_dir, params), encoding="utf-8")
    return True


def check(params: Path = PARAMS, conf_dir: Path = CONF_DIR) -> None:
    """Raise ConfigError with a diff when params.yaml differs from conf/'s composition."""
    expected = compose(conf_dir=conf_dir)
    actual = params.read_text(encoding="utf-8") if params.exists() else ""
    if actual != expected:
        diff = text_diff(actual, expected, f"{params} (committed)", f"{params} (composed from {conf_dir}/)")
        raise ConfigError(f"{params} is stale: run `make params` and commit it.\n{diff}")


def select_default(config: str, group: str, option: str) -> str:
    """conf/config.yaml's text with its default for a config group (`- data: wine`) set to option;
    every other line, comments too, as it was."""
    line = re.compile(rf"^(?P<key>\s*- {re.escape(group)}:[ \t]*)(?P<name>[^\s#]+)(?P<rest>.*)$", re.MULTILINE)
    found = line.findall(config)
    if len(found) != 1:
        expected = f"one `- {group}: <name>` line in defaults"
        raise ConfigError(f"{CONFIG}: expected {expected}, found {len(found)}; restore it")
    return line.sub(lambda match: f"{match['key']}{option}{match['rest']}", config)


def text_diff(before: str, after: str, before_name: str, after_name: str) -> str:
    """A unified diff of two versions of a file, for an error message."""
    before_lines, after_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    return "".join(difflib.unified_diff(before_lines, after_lines, before_name, after_name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. model=random_forest")
    parser.add_argument("--check", action="store_true", help="fail if params.yaml is stale")
    args = parser.parse_args()
    if args.check:
        if args.overrides:
            parser.error("--check takes no overrides")
        check()
        print(f"{PARAMS} is up to date with {CONF_DIR}/")
    elif not write_params(args.overrides):
        print(f"{PARAMS}: {CONF_DIR}/ and the overrides are unchanged since it was composed")


if __name__ == "__main__":
    run_stage(main)
