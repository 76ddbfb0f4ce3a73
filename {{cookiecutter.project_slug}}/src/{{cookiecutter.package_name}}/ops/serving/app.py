"""The inference server's HTTP API (FastAPI): /predict, the Open Inference Protocol v2, /metrics.

    POST /predict                    {"rows": [{column: value, ...}, ...]}
    GET  /v2/health/live, /v2/health/ready
    GET  /v2/models/{name}           inputs and datatypes, from the training schema
    GET  /v2/models/{name}/ready
    POST /v2/models/{name}/infer     one input tensor per feature column
    GET  /metrics                    Prometheus text
    GET  /docs                       OpenAPI, with the columns of a row

Bad input costs one 4xx and nothing else: 422 names the row and column (pydantic's
`loc`, and a one-line `message`), 413 a body over MAX_BODY_BYTES; the server keeps answering.
"""

import json
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..contract import ProjectError
from ..registry.tags import ARTIFACT
from .body_limit import BodyLimit
from .models import Models, Served
from .requests import V2_DATATYPES, V2Request, frame_of, predict_request, row_model
from .served_log import ServedLog
from .telemetry import CONTENT_TYPE, Measured, Telemetry

MAX_BODY_BYTES = 8 << 20


def first_problem(errors: list[Any]) -> str:
    """pydantic's first error as one line: where (`rows[3].age`) and what."""
    error = errors[0]
    if error["type"] == "json_invalid":
        return f"the body is not valid JSON ({error['ctx']['error']} at character {error['loc'][-1]})"
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"][1:])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where.lstrip('.') or 'body'}: {error['msg']}{more}"


def json_safe(value: Any) -> Any:
    """A value to echo in an error: itself if JSON can hold it (no Infinity or NaN), else its repr."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return value


def v2_rows(body: V2Request, features: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The rows of a V2 request, one input tensor per feature column; RequestValidationError otherwise."""
    names = [feature["name"] for feature in features]
    by_name = {tensor.name: tensor for tensor in body.inputs}
    problems = [f"unknown input {name!r}" for name in by_name if name not in names]
    problems += [f"missing input {name!r}" for name in names if name not in by_name]
    lengths = {len(tensor.data) for tensor in body.inputs}
    if not problems and (len(lengths) != 1 or 0 in lengths):
        problems.append("every input needs the same number of values, at least one")
    if problems:
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "inputs"), "msg": "; ".join(problems)}])
    count = lengths.pop()
    return [{name: by_name[name].data[index] for name in names} for index in range(count)]


def create_app(models: Models, log: ServedLog | None = None) -> FastAPI:
    features = models.features
    row = row_model(features)
    request_model = predict_request(row)
    telemetry = Telemetry()
    app = FastAPI(title=f"{ARTIFACT} inference", description="Predictions of a published model version.")
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    app.add_middleware(Measured, telemetry=telemetry)  # outermost of ours: BodyLimit's 413s are counted

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        detail = [{key: json_safe(value) for key, value in item.items() if key != "ctx"} for item in errors]
        return JSONResponse({"message": first_problem(errors), "detail": detail}, status_code=422)

    def answer(request: Request, rows: list[Any]) -> tuple[Served, dict[str, Any]]:
        served = models.pick()
        request.state.model_version = served.version
        try:
            frame = frame_of(rows, features)
        except ProjectError as err:  # a value the schema let through that the model cannot take
            raise RequestValidationError([{"type": "value_error", "loc": ("body", "rows"), "msg": str(err)}]) from None
        result = models.predict(served, frame)
        if log is not None:
            log.write(frame, result["predictions"], served.version)
        return served, result

    def post_predict(request: Request, body: request_model) -> dict[str, Any]:  # type: ignore[valid-type]
        return answer(request, body.rows)[1]  # type: ignore[attr-defined]

    app.post("/predict", summary="Predict rows")(post_predict)

    @app.get("/v2/health/live")
    def live() -> dict[str, bool]:
        return {"live": True}

    @app.get("/v2/health/ready")
    def ready() -> dict[str, bool]:
        return {"ready": True}  # the models are loaded before the server listens

    def known(name: str) -> None:
        if name != ARTIFACT:
            raise ModelNotFound(name)

    @app.get("/v2/models/{name}")
    def metadata(name: str) -> dict[str, Any]:
        known(name)
        classes = models.slots.primary.bundle.manifest.get("classes") or []
        outputs = [{"name": "prediction", "datatype": "BYTES" if classes else "FP64", "shape": [-1]}]
        outputs += [{"name": f"probability_{label}", "datatype": "FP64", "shape": [-1]} for label in classes]
        inputs = [{"name": f["name"], "datatype": V2_DATATYPES[f["kind"]], "shape": [-1]} for f in features]
        return {"name": ARTIFACT, "versions": models.versions(), "platform": "sklearn", "inputs": inputs,
                "outputs": outputs}  # fmt: skip

    @app.get("/v2/models/{name}/ready")
    def model_ready(name: str) -> dict[str, Any]:
        known(name)
        return {"name": name, "ready": True}

    @app.post("/v2/models/{name}/infer")
    def infer(name: str, body: V2Request, request: Request) -> dict[str, Any]:
        known(name)
        rows, errors = [], []
        for index, values in enumerate(v2_rows(body, features)):
            try:
                rows.append(row.model_validate(values))
            except ValidationError as err:  # named by the input tensor and the index in its data
                errors += [{**item, "loc": ("body", "inputs", *item["loc"], "data", index)} for item in err.errors()]
        if errors:
            raise RequestValidationError(errors)
        served, result = answer(request, rows)
        count = len(result["predictions"])
        outputs = [tensor("prediction", result["predictions"], count)]
        for label in result.get("probabilities", [{}])[0]:
            outputs.append(tensor(f"probability_{label}", [p[label] for p in result["probabilities"]], count))
        return {"model_name": name, "model_version": served.version, "id": body.id or "", "outputs": outputs}

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(telemetry.text(), media_type=CONTENT_TYPE)

    @app.exception_handler(ModelNotFound)
    async def not_found(_: Request, error: ModelNotFound) -> JSONResponse:
        return JSONResponse({"error": f"no model {error.args[0]!r}: this server serves {ARTIFACT!r}"}, 404)

    return app


class ModelNotFound(LookupError):
    """A V2 path names another model than the one served."""


def tensor(name: str, data: list[Any], count: int) -> dict[str, Any]:
    datatype = "FP64" if all(isinstance(value, float) for value in data) else "BYTES"
    if all(isinstance(value, int) for value in data):
        datatype = "INT64"
    return {"name": name, "datatype": datatype, "shape": [count], "data": data}
