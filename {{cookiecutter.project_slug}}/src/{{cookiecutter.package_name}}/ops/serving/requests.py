"""The server's request schema, built from the training schema a bundle's manifest records.

One pydantic model per row: every feature is required (null is a gap the model imputes),
an unknown field is refused, a numeric feature takes a finite JSON number and nothing
else, a categorical one a string, a date one a string that parses as a date. pydantic
then names the row index and the column of each problem in a 422, and OpenAPI (/docs)
shows the columns.
"""

from typing import Annotated, Any

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from ..contract import parse_dates
from .schema import check_features

# The most rows one request may carry; send more as several requests.
MAX_ROWS = 10_000


def a_date(value: str | None) -> str | None:
    if value is not None and parse_dates(pd.Series([value])).isna().iloc[0]:
        raise ValueError("Input should be a date, e.g. 2024-05-01")
    return value


FIELD_TYPES: dict[str, Any] = {
    "numeric": Annotated[float | None, Field(allow_inf_nan=False)],
    "categorical": str | None,
    "date": Annotated[str | None, AfterValidator(a_date)],
}
# Open Inference Protocol v2 datatypes of each kind, for the model's metadata.
V2_DATATYPES = {"numeric": "FP64", "categorical": "BYTES", "date": "BYTES"}


def row_model(features: list[dict[str, str]]) -> type[BaseModel]:
    """A row: one field per feature, named by its column (columns need not be Python names)."""
    fields: dict[str, Any] = {
        f"feature_{index}": (FIELD_TYPES[feature["kind"]], Field(alias=feature["name"]))
        for index, feature in enumerate(features)
    }
    config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)
    return create_model("Row", __config__=config, **fields)


def predict_request(row: type[BaseModel]) -> type[BaseModel]:
    """The body of POST /predict: {"rows": [{column: value, ...}, ...]}."""
    rows = Annotated[list[row], Field(min_length=1, max_length=MAX_ROWS)]  # type: ignore[valid-type]
    return create_model("PredictRequest", __config__=ConfigDict(extra="forbid"), rows=(rows, ...))


class V2Input(BaseModel):
    """One input tensor of an Open Inference Protocol v2 request: a feature column."""

    model_config = ConfigDict(extra="forbid")
    name: str
    shape: list[int]
    datatype: str
    data: list[Any]
    parameters: dict[str, Any] | None = None


class V2Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    inputs: Annotated[list[V2Input], Field(min_length=1)]
    outputs: list[dict[str, Any]] | None = None
    parameters: dict[str, Any] | None = None


def frame_of(rows: list[BaseModel], features: list[dict[str, str]]) -> pd.DataFrame:
    """Validated rows as the frame the model takes, converted as `predict` converts a CSV's."""
    names = [feature["name"] for feature in features]
    frame = pd.DataFrame([row.model_dump(by_alias=True) for row in rows], columns=names)
    return check_features(frame, features, "the request")
