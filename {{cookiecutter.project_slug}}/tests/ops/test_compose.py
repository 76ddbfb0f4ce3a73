"""params.yaml must be exactly what conf/ composes to; `make params` rewrites it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.ops.compose import check
from {{ cookiecutter.package_name }}.paths import CONF_DIR, PARAMS


def test_committed_params_are_up_to_date() -> None:
    check()  # on failure: run `make params` and commit params.yaml


def test_changed_conf_makes_params_stale(tmp_path: Path) -> None:
    conf, params = tmp_path / "conf", tmp_path / "params.yaml"
    shutil.copytree(CONF_DIR, conf)
    shutil.copy(PARAMS, params)
    check(params=params, conf_dir=conf)  # the copies agree

    config_file = conf / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["seed"] += 1
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    with pytest.raises(ConfigError, match="run `make params`") as error:
        check(params=params, conf_dir=conf)
    assert f"+seed: {config['seed']}" in str(error.value)


def test_composing_imports_no_heavy_library() -> None:
    """`make params` runs before every `make repro`: the schema it checks against must not pull in sklearn."""
    code = (
        "import sys, {{ cookiecutter.package_name }}.ops.compose; "
        "print(sorted({'sklearn', 'pandas', 'numpy', 'scipy'} & set(sys.modules)))"
    )
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert imported.strip() == "[]"
