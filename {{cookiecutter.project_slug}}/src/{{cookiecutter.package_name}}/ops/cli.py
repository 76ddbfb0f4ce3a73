"""The `{{ cookiecutter.project_slug }}` command: use a published model.

    {{ cookiecutter.project_slug }} predict --model MODEL --input new.csv --output predictions.csv
    {{ cookiecutter.project_slug }} monitor --model MODEL --current batch.csv [--labels]
    {{ cookiecutter.project_slug }} inspect MODEL

MODEL is a bundle .tar.gz or a registry version: name@vX.Y.Z, or name#stage.
Exit codes: 0 success; 1 drift found (monitor); 2 bad input or usage, with a one-line error.
"""

import argparse
import json
from collections.abc import Sequence

from ..errors import run_stage
from . import monitor, predict

ERROR = 2  # as argparse's usage errors, so that CI can tell an error from drift (1)


def inspect(args: argparse.Namespace) -> int:
    """Verify a bundle's checksums and print its manifest."""
    from .bundle import load_model

    bundle = load_model(args.model)
    summary = {key: bundle.manifest[key] for key in ("artifact", "version", "git_commit", "metrics", "files")}
    print(json.dumps(summary, indent=2))
    print(f"inspect: {bundle.path} verified")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="{{ cookiecutter.project_slug }}",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True)
    predict.add_parser(commands)
    monitor.add_parser(commands)
    inspecting = commands.add_parser("inspect", help="verify a bundle and print its manifest")
    inspecting.add_argument("model", help="a bundle .tar.gz, or a registry version: name@v1.2.0, name#prod")
    inspecting.set_defaults(func=inspect)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    run_stage(lambda: args.func(args), error_code=ERROR)
