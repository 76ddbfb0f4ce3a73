"""Sweeps: one grammar (dvc exp run -S, expanded by Hydra) for the workflow and `make sweep`, checked before running."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }}.ops.config.compose import compose, select_default
from {{ cookiecutter.package_name }}.ops.experiments.grid import (
    Experiment,
    Plan,
    SweepError,
    expand,
    plan,
    split_params,
)
from {{ cookiecutter.package_name }}.ops.experiments.keep import experiment_conf, promote
from {{ cookiecutter.package_name }}.ops.experiments.ranking import (
    Result,
    plan_from_matrix,
    rank,
    ranking_metric,
    table,
)


def test_the_grid_is_every_combination_in_dvcs_order_and_named() -> None:
    planned = expand(["model=random_forest", "model.n_estimators=10,20", "seed=1,2"], "sweep-7")
    assert [e.overrides for e in planned.experiments] == [
        ("model=random_forest", "model.n_estimators=10", "seed=1"),
        ("model=random_forest", "model.n_estimators=10", "seed=2"),
        ("model=random_forest", "model.n_estimators=20", "seed=1"),
        ("model=random_forest", "model.n_estimators=20", "seed=2"),
    ]
    assert [e.name for e in planned.experiments] == [f"sweep-7-{index}" for index in range(1, 5)]


def test_sweep_functions_expand_too() -> None:
    planned = expand(["model=random_forest", "model.n_estimators=range(10,40,10)"], "s")
    assert [e.overrides[1] for e in planned.experiments] == [f"model.n_estimators={n}" for n in (10, 20, 30)]


def test_the_matrix_round_trips_with_one_override_per_line() -> None:
    planned = expand(["model=random_forest", "model.n_estimators=10,20"], "sweep-1")
    matrix = planned.matrix()
    assert matrix["include"][0] == {
        "name": "sweep-1-1",
        "params": "model=random_forest\nmodel.n_estimators=10",
        "title": "model=random_forest model.n_estimators=10",
    }
    assert plan_from_matrix(json.dumps(matrix)).experiments == planned.experiments


def test_overrides_split_on_newlines_and_spaces_as_a_shell_would() -> None:
    assert split_params("model.C=0.1,1\n  seed=1,2 'data.drop=[a, b]'\n") == [
        "model.C=0.1,1",
        "seed=1,2",
        "data.drop=[a, b]",
    ]


def test_a_grid_over_the_limit_is_refused_before_it_is_expanded() -> None:
    with pytest.raises(SweepError, match=r"24 combinations \(seed: 4 × model.n_estimators: 6\), over the limit of 20"):
        expand(["seed=1,2,3,4", "model.n_estimators=range(1,7)"], "s", limit=20)
    with pytest.raises(SweepError, match=r"more than 20 combinations \(seed: over 20\)"):
        expand(["seed=range(0,100000000)"], "s", limit=20)  # counted only to past the limit: at once


def test_a_key_the_config_lacks_is_refused_with_the_keys_it_has() -> None:
    with pytest.raises(SweepError, match=r"model.nope: no such key .* model has name, _target_, ") as error:
        plan(["model.nope=1,2"], "s")
    assert "+model.nope=" in str(error.value)


def test_a_key_of_one_model_swept_over_another_is_refused() -> None:
    with pytest.raises(SweepError, match="model.n_estimators: no such key .* with model=gradient_boosting"):
        plan(["model=random_forest,gradient_boosting", "model.n_estimators=10"], "s")


def test_an_unknown_group_option_lists_the_choices() -> None:
    with pytest.raises(SweepError, match="Could not find 'model/nope'(.|\n)*random_forest"):
        plan(["model=nope,random_forest"], "s")


def test_a_value_the_schema_refuses_is_refused() -> None:
    with pytest.raises(SweepError, match="data.split.test_size: Input should be less than 1"):
        plan(["data.split.test_size=0.5,2"], "s")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([], "no overrides given"),
        (["model.C=[1"], "not a Hydra override"),
        (["other.yaml:seed=1"], "not of another file"),
        (["model=glob(*)"], "glob sweeps are not supported"),
    ],
)
def test_what_dvc_would_refuse_is_refused(overrides: list[str], message: str) -> None:
    with pytest.raises(SweepError, match=message):
        expand(overrides, "s")


def results(*values: float, metric: str) -> list[Result]:
    return [Result(Experiment(f"s-{index}", (f"seed={index}",)), {metric: v}) for index, v in enumerate(values, 1)]


def test_ranking_follows_the_metrics_direction() -> None:
    assert [r.experiment.name for r in rank(results(0.8, 0.9, 0.7, metric="accuracy"), "accuracy")] == [
        "s-2",
        "s-1",
        "s-3",
    ]
    assert [r.experiment.name for r in rank(results(50.0, 40.0, 60.0, metric="rmse"), "rmse")] == ["s-2", "s-1", "s-3"]


@pytest.mark.parametrize(
    ("task", "gate", "metric"),
    [
        ("classification", {"baseline_margin": 0.1}, "accuracy"),
        ("regression", {"baseline_margin": 0.1}, "rmse"),
        ("regression", {"baseline_margin": 0.1, "r2": 0.3}, "r2"),
    ],
)
def test_the_ranking_metric_is_the_gates_first_bound_or_the_tasks_main_one(task: str, gate, metric: str) -> None:
    assert ranking_metric(task, gate) == metric


def test_the_table_ranks_by_the_gates_first_metric_and_names_what_did_not_finish() -> None:
    done = results(0.8, 0.95, metric="accuracy")
    planned = Plan("s", (), (*(r.experiment for r in done), Experiment("s-3", ("seed=3",))))
    text = table(planned, done, "classification", {"accuracy": 0.85}, remote=True)
    assert "2 of 3 experiments, best accuracy first (higher is better)" in text
    rows = [line for line in text.splitlines() if line.startswith("| 1 ") or line.startswith("| 2 ")]
    assert rows[0].startswith("| 1 | `s-2` | `seed=2` | 0.9500 |") and "✅ passes" in rows[0]
    assert rows[1].startswith("| 2 | `s-1` |") and "❌ accuracy = 0.8000, below the minimum 0.85" in rows[1]
    assert "Did not finish (see its log): `s-3` (seed=3)" in text
    assert "dvc exp pull origin s-2" in text and "dvc exp branch s-2 s-2-branch" in text
    assert "`{{ cookiecutter.project_slug }} keep s-2 seed=2`" in text


def test_the_proposed_table_says_the_pull_request_carries_the_best_into_conf() -> None:
    done = results(0.8, 0.95, metric="accuracy")
    text = table(Plan("s", (), tuple(r.experiment for r in done)), done, "classification", {}, proposed=True)
    assert "This pull request carries the best, `s-2`, into `conf/experiment/s-2.yaml`" in text
    assert "dvc exp branch" not in text


# --- Promoting an experiment into conf/ ------------------------------------------------

BEST = ["model=random_forest", "model.n_estimators=50", "seed=7"]


def test_a_group_choice_goes_in_the_defaults_and_keys_are_nested() -> None:
    text = experiment_conf("s-2", [*BEST, "data.split.test_size=0.25"])
    split = {"test_size": 0.25}
    assert text.startswith("# @package _global_\n"), "Hydra reads it at the top level, as -S sets keys"
    assert yaml.safe_load(text) == {
        "defaults": [{"override /model": "random_forest"}],
        "model": {"n_estimators": 50},
        "seed": 7,
        "data": {"split": split},
    }


def test_values_are_typed_as_hydras_parser_types_them() -> None:
    values = yaml.safe_load(experiment_conf("s", ["a=10", "b=10.0", "c=1e-3", "d=true", "e='10'", "f=null", "g=[1,x]"]))
    assert values == {"a": 10, "b": 10.0, "c": 0.001, "d": True, "e": "10", "f": None, "g": [1, "x"]}
    assert isinstance(values["a"], int) and isinstance(values["b"], float)


@pytest.mark.parametrize("override", ["model.n_estimators=10,20", "~seed", "model@other=random_forest"])
def test_what_is_not_one_config_is_refused(override: str) -> None:
    with pytest.raises(SweepError, match="promote one experiment|cannot be written as a config"):
        experiment_conf("s", [override])


def test_the_config_selects_it_and_keeps_its_comments() -> None:
    config = Path("conf/config.yaml").read_text(encoding="utf-8")
    selected = select_default(config, "experiment", "s-2")
    assert "  - experiment: s-2\n" in selected
    assert [line for line in selected.splitlines() if "experiment:" not in line] == [
        line for line in config.splitlines() if "experiment:" not in line
    ], "every other line, comments too, as it was"
    assert select_default(selected, "experiment", "s-3") == select_default(config, "experiment", "s-3"), (
        "a second promote replaces it"
    )


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return Path(shutil.copytree("conf", tmp_path / "conf"))


def test_promoting_composes_to_the_experiments_params(conf: Path) -> None:
    expected = compose(BEST)  # what `dvc exp run -S` wrote in the experiment's params.yaml
    params = conf.parent / "params.yaml"
    assert promote("s-2", BEST, expected, conf, params) == conf / "experiment/s-2.yaml"
    assert params.read_text(encoding="utf-8") == expected
    assert compose(conf_dir=conf) == expected, "so `make check-params` passes"


def test_a_promotion_that_composes_to_other_params_fails_and_changes_nothing(conf: Path) -> None:
    config = (conf / "config.yaml").read_text(encoding="utf-8")
    params = conf.parent / "params.yaml"
    with pytest.raises(SweepError, match=r"does not compose to the params of s-2(.|\n)*-  n_estimators: 60"):
        promote("s-2", BEST, compose(["model=random_forest", "model.n_estimators=60", "seed=7"]), conf, params)
    assert not (conf / "experiment/s-2.yaml").exists() and not params.exists()
    assert (conf / "config.yaml").read_text(encoding="utf-8") == config
