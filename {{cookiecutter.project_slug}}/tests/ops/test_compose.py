"""params.yaml must be exactly what conf/ composes to; `make params` rewrites it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.ops.config import compose
from {{ cookiecutter.package_name }}.ops.config.compose import check, write_params
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
    heavy = "{'sklearn', 'pandas', 'numpy', 'scipy'}"
    code = f"import sys, {compose.__name__}; print(sorted({heavy} & set(sys.modules)))"
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert imported.strip() == "[]"


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="ruamel.yaml.clib is CPython only")
def test_dvc_reads_its_files_with_the_c_yaml_parser() -> None:
    """A no-op `make repro` is mostly DVC parsing dvc.yaml, dvc.lock and params.yaml: the C parser
    (pyproject.toml installs it) makes that 4x faster, and ruamel.yaml falls back to Python silently."""
    from ruamel.yaml import YAML
    from ruamel.yaml.main import CParser

    assert CParser is not None and YAML(typ="safe").Parser is CParser


@pytest.fixture
def composed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of conf/ composed into a params.yaml of its own: (conf, params, stamp)."""
    conf, params, stamp = tmp_path / "conf", tmp_path / "params.yaml", tmp_path / "compose.sha256"
    shutil.copytree(CONF_DIR, conf)
    assert write_params(conf_dir=conf, params=params, stamp=stamp), "nothing recorded yet: composes"
    return conf, params, stamp


def test_composing_again_with_nothing_changed_is_skipped(composed: tuple[Path, Path, Path]) -> None:
    conf, params, stamp = composed
    assert not write_params(conf_dir=conf, params=params, stamp=stamp)
    assert write_params(["seed=7"], conf_dir=conf, params=params, stamp=stamp), "new overrides: composes"
    assert "seed: 7" in params.read_text(encoding="utf-8")
    assert write_params(conf_dir=conf, params=params, stamp=stamp), "overrides gone: composes again"
    assert "seed: 7" not in params.read_text(encoding="utf-8")


def test_a_changed_conf_or_params_file_is_recomposed(composed: tuple[Path, Path, Path]) -> None:
    conf, params, stamp = composed
    written = params.read_text(encoding="utf-8")
    # What `dvc exp run -S seed=7` leaves in the workspace: same conf/, another params.yaml.
    params.write_text(written.replace("seed: ", "seed: 7"), encoding="utf-8")
    assert write_params(conf_dir=conf, params=params, stamp=stamp)
    assert params.read_text(encoding="utf-8") == written
    # Same modification time or not, a changed byte in conf/ is seen.
    (conf / "model" / "extra.yaml").write_text("# a new file\n", encoding="utf-8")
    assert write_params(conf_dir=conf, params=params, stamp=stamp)
    assert not write_params(conf_dir=conf, params=params, stamp=stamp)
