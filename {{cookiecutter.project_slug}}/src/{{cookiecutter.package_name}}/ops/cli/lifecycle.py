"""The model's lifecycle: release, promote, bundle, image, inspect, predict, serve, monitor, absorb, verify, gate."""

from pathlib import Path

import click

from ..registry.tags import PRODUCTION
from .base import CHECK_FAILED, LIFECYCLE, blank_is_none, main, path_or_none

MODEL_HELP = f"A bundle .tar.gz, or a registry version: name@v1.2.0, name#stage [{PRODUCTION}]."


@main.command(section=LIFECYCLE)
@click.argument("version")
def release(version: str) -> None:
    """Tag HEAD as a version, after checks.

    VERSION is X.Y.Z. Checked first: a clean tree, `dvc status`, the quality gate.
    """
    from ..registry.tags import release as register

    released = register(version)
    print(f"Registered {released.tag} at {released.commit[:12]}. Publish it: git push origin {released.tag}")


@main.command(section=LIFECYCLE)
@click.argument("version")
@click.argument("stage")
def promote(version: str, stage: str) -> None:
    """Assign a stage (dev, staging, prod) to a version.

    STAGE is one that .gto lists; VERSION a released X.Y.Z.
    """
    from ..registry.tags import ARTIFACT, parse_version
    from ..registry.tags import promote as assign

    tag = assign(version, stage)
    print(f"Assigned {stage} to {ARTIFACT}@{parse_version(version)}. Deploy it: git push origin '{tag}'")


@main.command(section=LIFECYCLE)
@click.argument("version")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
def bundle(version: str, out: Path) -> None:
    """Build a version's release bundle in dist/.

    dist/<name>-vVERSION.tar.gz: model, manifest and model card, from the commit
    VERSION's tag names, whatever is checked out.
    """
    from ..registry.bundle import CARD_FILE, build_bundle, registered

    found = registered(version)
    path = build_bundle(found, out)
    size = path.stat().st_size // 1024
    print(f"bundle: {path} ({size} KiB) of {found.tag} at {found.commit[:12]}, model card {out / CARD_FILE}")


@main.command(section=LIFECYCLE)
@click.argument("version")
@click.option("--base-image", callback=blank_is_none, help="The image to build on [python:<version>-slim].")
def image(version: str, base_image: str | None) -> None:
    """Build the inference server's image of a released version.

    `<name>:X.Y.Z`, from the commit VERSION's tag names, with its bundle inside
    (Containerfile). The engine: CONTAINER_ENGINE, else docker if it answers, else
    podman. The last line printed is the image reference.
    """
    from ..registry.image import build_image

    print(build_image(version, base_image))


@main.command(section=LIFECYCLE)
@click.argument("model", required=False, callback=blank_is_none)
def inspect(model: str | None) -> None:
    """Verify a bundle and print its manifest, without loading its model.

    MODEL as for predict: its checksums are checked, and the types its model needs
    against the manifest and the trusted ones (model_file.py).
    """
    import json

    from ..registry.bundle import inspect_model

    path, manifest, _ = inspect_model(model or PRODUCTION)
    keys = ("artifact", "version", "git_commit", "metrics", "files", "model_types")
    print(json.dumps({key: manifest.get(key) for key in keys}, indent=2))
    print(f"inspect: {path} verified")


@main.command(section=LIFECYCLE)
@click.option("--model", required=True, help=MODEL_HELP)
@click.option("--input", "source", required=True, type=click.Path(path_type=Path), help="A CSV of feature columns.")
@click.option("--output", required=True, type=click.Path(path_type=Path), help="The CSV to write predictions to.")
@click.option("--keep", multiple=True, metavar="COLUMN", help="An input column to copy into the output (an ID).")
def predict(model: str, source: Path, output: Path, keep: tuple[str, ...]) -> None:
    """Score new rows with a published model.

    The bundle's checksums are verified and the input's columns and types
    checked against the training schema before anything is written.
    """
    from ..serving.predict import predict_file

    print(predict_file(model, source, output, list(keep)))


@main.command(section=LIFECYCLE)
@click.option("--model", callback=blank_is_none, help=MODEL_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 to answer other machines.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--canary", help="A second version (same features) that takes --canary-percent of the requests.")
@click.option("--canary-percent", default=0.0, type=click.FloatRange(0, 100), help="Its share, 0-100 [0].")
@click.option("--log-dir", type=click.Path(path_type=Path), help="Write a sample of the rows served here, by day.")
@click.option("--log-share", default=0.1, show_default=True, type=click.FloatRange(0, 1), help="The sample's share.")
@click.option(
    "--batch-ms",
    default=0.0,
    type=click.FloatRange(0, 1000),
    help="Score the rows of requests arriving within this many ms in one call [0: off].",
)
def serve(
    model: str | None,
    host: str,
    port: int,
    canary: str | None,
    canary_percent: float,
    log_dir: Path | None,
    log_share: float,
    batch_ms: float,
) -> None:
    """Serve a published model over HTTP; SIGHUP swaps versions.

    POST /predict and the Open Inference Protocol v2 (/v2/...), /metrics for
    Prometheus, /docs for the request schema. `kill -HUP` re-resolves --model
    (and --canary) through the registry and swaps without a failed request.
    --log-dir data/incoming feeds `monitor` with what was served; --batch-ms 2
    batches concurrent requests (more throughput under load).
    """
    from ..serving.server import serve as run

    if canary_percent and not canary:
        raise click.UsageError("--canary-percent needs --canary, the version that takes that share")
    run(model or PRODUCTION, host, port, canary, canary_percent, log_dir, log_share, batch_ms)


@main.command(section=LIFECYCLE)
@click.option("--model", callback=blank_is_none, help=MODEL_HELP)
@click.option("--current", callback=path_or_none, help="The batch [the newest in data/incoming/].")
@click.option("--reference", callback=path_or_none, help="The training data [data/prepared/train.parquet].")
@click.option("--labels", is_flag=True, help="The batch holds the target column: score the model on it too.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True)
def monitor(model: str | None, current: Path | None, reference: Path | None, labels: bool, out: Path) -> int:
    """Check a batch for drift; exit 1 on drift.

    Compares the batch with the training data, and the model's predictions on
    both; writes reports/drift.json and reports/drift.md.
    """
    from ..contract import TRAIN
    from ..monitoring.report import newest_batch, run

    return run(model or PRODUCTION, current or newest_batch(), reference or TRAIN, labels, out)


@main.command(section=LIFECYCLE)
def absorb() -> None:
    """Add the labelled batches to the training data.

    Copies the batches of data/incoming/ that hold the target into data/labelled/,
    with `dvc add`; the next repro trains on them.
    """
    from ..contract import load_params
    from ..monitoring.absorb import absorb as join
    from ..monitoring.absorb import labelled_batches

    copies = join(labelled_batches(load_params().data.target))
    names = ", ".join(copy.name for copy in copies) or "none"
    print(f"absorb: {len(copies)} labelled batches joined the training data ({names})")


@main.command(section=LIFECYCLE, failure=CHECK_FAILED)
def verify() -> None:
    """Prove HEAD reproduces from git and the DVC remote.

    In a fresh clone: every file pulled, no stage run, the same metrics and model.
    """
    from ..review.verify import verify_head

    print(verify_head())


@main.command(section=LIFECYCLE, failure=CHECK_FAILED)
def gate() -> None:
    """Check the metrics against the quality gate.

    reports/metrics.json against `gate` in conf/config.yaml.
    """
    from ..gate import check

    print(check())
