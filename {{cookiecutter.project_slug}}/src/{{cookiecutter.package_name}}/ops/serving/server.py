"""`{{ cookiecutter.project_slug }} serve`: load the model, then answer HTTP with uvicorn until stopped.

    {{ cookiecutter.project_slug }} serve --model {{ cookiecutter.project_slug }}#prod --port 8080
    kill -HUP <pid>      # re-resolve the reference and swap to its version, no request lost

The models are loaded before the port opens, so the first request already gets an answer
and /v2/health/ready is true as soon as anything listens. SIGINT and SIGTERM stop it
gracefully (uvicorn's own handling); SIGHUP reloads in a background thread.
"""

import os
import signal
import sys
from pathlib import Path

from .models import Models
from .served_log import ServedLog


def serve(
    model: str,
    host: str,
    port: int,
    canary: str | None = None,
    canary_percent: float = 0.0,
    log_dir: Path | None = None,
    log_share: float = 0.1,
    batch_ms: float = 0.0,
) -> None:
    import uvicorn

    from .app import create_app

    models = Models(model, canary, canary_percent, batch_ms)
    app = create_app(models, ServedLog(log_dir, log_share) if log_dir else None)
    signal.signal(signal.SIGHUP, lambda *_: models.reload_in_background())
    served = ", ".join(models.versions())
    print(f"serve: {served} from {model} on http://{host}:{port} (kill -HUP {os.getpid()} reloads)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
