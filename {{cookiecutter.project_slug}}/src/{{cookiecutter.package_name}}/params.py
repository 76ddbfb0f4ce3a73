"""The typed schema of params.yaml, and the one way stages read it.

Hydra composes conf/ into params.yaml; this schema then rejects unknown keys,
wrong types and out-of-range values before a stage does any work. Model
hyperparameters are checked against the estimator itself, in train.
"""

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from .errors import ConfigError
from .metrics import TASK_METRICS
from .paths import CONF_DIR, PARAMS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitParams(_Strict):
    test_size: float = Field(gt=0, lt=1)
    seed: int
    stratify: bool


class DataParams(_Strict):
    name: str
    source: Literal["sklearn", "csv"]
    path: str | None = None
    target: str = Field(min_length=1)
    # The class that f1, precision, recall and average precision score (binary classification);
    # None: the training split's minority class (metrics.positive_class).
    positive: str | int | None = None
    # Columns kept out of the features: IDs, free text, leakage. prepare rejects names the data lacks.
    drop: tuple[str, ...] = ()
    split: SplitParams

    @model_validator(mode="after")
    def _path_and_drop(self) -> "DataParams":
        if self.source == "csv" and not self.path:
            raise ValueError("data.path is required when data.source is csv")
        if self.target in self.drop:
            raise ValueError(f"data.drop lists the target {self.target!r}; it cannot be dropped")
        repeated = sorted({name for name in self.drop if self.drop.count(name) > 1})
        if repeated:
            raise ValueError(f"data.drop lists {', '.join(repeated)} more than once")
        return self


class ModelParams(BaseModel):
    """`_target_` names the estimator class; every other key is a hyperparameter."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    target: str = Field(alias="_target_")

    @field_validator("name")
    @classmethod
    def _known_model(cls, name: str, info: ValidationInfo) -> str:
        choices = model_choices((info.context or {}).get("conf_dir", CONF_DIR))
        if choices and name not in choices:
            raise ValueError(f"unknown model {name!r}; choose one of {', '.join(choices)}")
        return name

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class MonitorParams(_Strict):
    """Drift thresholds (conf/monitor/) for the monitor command."""

    p_value: float = Field(gt=0, lt=1)
    distance_above_rows: int = Field(ge=0)
    max_distance: float = Field(gt=0)
    max_drifted_share: float = Field(ge=0, le=1)
    max_metric_drop: float = Field(ge=0)
    max_unseen_share: float = Field(ge=0, le=1)


class Params(_Strict):
    task: Literal["classification", "regression"]
    seed: int
    data: DataParams
    model: ModelParams
    monitor: MonitorParams
    # The quality gate: baseline_margin (and balanced_margin), and metric name -> bound (see ops/gate.py).
    gate: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _gate_names_task_metrics(self) -> "Params":
        margins = {"baseline_margin", "balanced_margin"} if self.task == "classification" else {"baseline_margin"}
        unknown = sorted(set(self.gate) - {*margins, *TASK_METRICS[self.task]})
        if unknown:
            raise ValueError(
                f"gate: unknown metric {', '.join(unknown)} for {self.task}; "
                f"choose from {', '.join(TASK_METRICS[self.task])}, or {' or '.join(sorted(margins))}"
            )
        for margin in sorted(margins):
            if not 0 < self.gate.get(margin, 0.5) < 1:
                raise ValueError(f"gate.{margin}: the share of the baseline's error to remove, between 0 and 1")
        return self


def model_choices(conf_dir: Path = CONF_DIR) -> list[str]:
    """The models conf/model/ offers, by file name."""
    return sorted(path.stem for path in (conf_dir / "model").glob("*.yaml"))


def validate_params(raw: object, source: str = str(PARAMS), conf_dir: Path = CONF_DIR) -> Params:
    """Check composed params against the schema; ConfigError lists every problem."""
    try:
        return Params.model_validate(raw, context={"conf_dir": conf_dir})
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'top level'}: {problem['msg']}"
            for problem in err.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None


def load_params(path: Path = PARAMS) -> Params:
    if not path.exists():
        raise ConfigError(f"{path} not found; run `make params` to compose it from {CONF_DIR}/")
    return validate_params(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
