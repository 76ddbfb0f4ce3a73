"""Nothing lost when a stage fails: `repro` puts back what a failed `dvc repro` removed.

DVC deletes a stage's outputs before it runs the stage's command, so a command that fails
(or is interrupted) leaves the workspace without them: no model, no metrics, no data
summary. After such a run, each output that `dvc status` reports deleted or modified is
put back as `dvc.lock` records it, which is the last run that succeeded: the small outputs
kept in git (`cache: false` in dvc.yaml) from a copy taken before the run, the others from
the DVC cache (`dvc checkout`). Stages that finished before the failure keep their new
outputs, since dvc.lock already records them.
"""

import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType

import yaml

DVC_YAML = Path("dvc.yaml")
DVC = [sys.executable, "-m", "dvc"]  # this environment's DVC
INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


def kept_in_git(dvc_yaml: Path = DVC_YAML) -> list[Path]:
    """The outputs dvc.yaml keeps out of the DVC cache (`cache: false`): git holds them, the cache does not."""
    if not dvc_yaml.is_file():
        return []
    stages = (yaml.safe_load(dvc_yaml.read_text(encoding="utf-8")) or {}).get("stages") or {}
    kept = []
    for stage in stages.values():
        for key in ("outs", "metrics", "plots"):
            for out in stage.get(key) or []:
                if isinstance(out, dict):
                    kept += [Path(path) for path, options in out.items() if (options or {}).get("cache") is False]
    return kept


def broken_outputs() -> list[str]:
    """The outputs `dvc status` reports deleted or modified: what a stopped stage removed or half wrote."""
    status = subprocess.run([*DVC, "status", "--json"], capture_output=True, text=True, check=False)
    if status.returncode != 0:
        return []
    broken = []
    for changes in json.loads(status.stdout or "{}").values():
        for change in changes:
            outs = change.get("changed outs", {}) if isinstance(change, dict) else {}
            broken += [path for path, state in outs.items() if state in ("deleted", "modified")]
    return broken


def _replace(path: Path, copy: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    (shutil.copytree if copy.is_dir() else shutil.copy2)(copy, path)


def put_back(broken: list[str], saved: Path) -> str:
    """Restore the broken outputs; the line that says what came back, or which command brings the rest."""
    from_git = [path for path in broken if (saved / path).exists()]
    for path in from_git:
        _replace(Path(path), saved / path)
    cached = [path for path in broken if path not in from_git]
    if cached:
        checkout = subprocess.run([*DVC, "checkout", "--force", "--quiet", *cached], capture_output=True, check=False)
        if checkout.returncode != 0:
            return f"error: {', '.join(cached)} not in the DVC cache: `dvc pull {' '.join(cached)}` brings them back"
    return f"repro: put back what the stopped stage had removed, as dvc.lock records it: {', '.join(broken)}"


def guarded_repro(*args: str) -> int:
    """`dvc repro ARGS`, then, if it fails or is stopped, the outputs it removed put back.

    0 when it succeeds, 130 when Ctrl-C stopped it, else 1.
    """
    with tempfile.TemporaryDirectory(prefix="repro-") as tmp:
        saved = Path(tmp)
        for path in kept_in_git():
            if path.exists():
                (saved / path).parent.mkdir(parents=True, exist_ok=True)
                (shutil.copytree if path.is_dir() else shutil.copy2)(path, saved / path)
        process = subprocess.Popen([*DVC, "repro", *args])

        def forward(signum: int, _: FrameType | None) -> None:  # `kill`: DVC stops its stage cleanly
            process.send_signal(signum)

        previous = signal.signal(signal.SIGTERM, forward)
        try:
            code = process.wait()
        except KeyboardInterrupt:  # Ctrl-C reached DVC too (one process group): let it stop its stage
            process.wait()
            code = INTERRUPTED
        finally:
            signal.signal(signal.SIGTERM, previous)
        if code != 0:
            broken = broken_outputs()
            if broken:
                print(put_back(broken, saved), file=sys.stderr)
    return 0 if code == 0 else INTERRUPTED if code == INTERRUPTED else 1
