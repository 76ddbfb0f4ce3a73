"""Compose conf/ into params.yaml, or check that params.yaml is up to date.

`dvc exp run` composes params.yaml itself, but `dvc repro` does not
(treeverse/dvc#10750), so `make repro` runs this module first. It uses DVC's
own composer, so both paths write byte-identical files.

    python -m {{ cookiecutter.package_name }}.ops.compose [OVERRIDE ...]   # write params.yaml
    python -m {{ cookiecutter.package_name }}.ops.compose --check          # exit 1 if stale
"""

import argparse
import difflib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from ..errors import ConfigError, run_stage
from ..params import validate_params
from ..paths import CONF_DIR, PARAMS


def compose(overrides: Sequence[str] = (), conf_dir: Path = CONF_DIR) -> str:
    """Return the YAML text that conf/ composes to, validated against the schema."""
    from dvc.utils.hydra import compose_and_dump
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "params.yaml"
        try:
            compose_and_dump(out, str(conf_dir.resolve()), None, "config", "", list(overrides))
        except (HydraException, OmegaConfBaseException) as err:
            raise ConfigError(f"cannot compose {conf_dir}/: {err}") from None
        text = out.read_text(encoding="utf-8")
    validate_params(yaml.safe_load(text), f"{conf_dir}/ composed", conf_dir)
    return text


def check(params: Path = PARAMS, conf_dir: Path = CONF_DIR) -> None:
    """Raise ConfigError with a diff when params.yaml differs from conf/'s composition."""
    expected = compose(conf_dir=conf_dir)
    actual = params.read_text(encoding="utf-8") if params.exists() else ""
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                f"{params} (committed)",
                f"{params} (composed from {conf_dir}/)",
            )
        )
        raise ConfigError(f"{params} is stale: run `make params` and commit it.\n{diff}")


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
    else:
        PARAMS.write_text(compose(args.overrides), encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
