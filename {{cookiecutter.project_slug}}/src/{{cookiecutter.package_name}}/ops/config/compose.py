"""Compose conf/ into params.yaml, or check that params.yaml is up to date.

`dvc exp run` composes params.yaml itself, but `dvc repro` does not
(treeverse/dvc#10750), so `make repro` runs this module first. It uses DVC's
own composer, so both paths write byte-identical files.

Composing costs a second or two (Hydra, DVC, the schema), so it is skipped when
nothing it reads changed: the content of conf/, the overrides, and params.yaml
itself, hashed into COMPOSE_STAMP. Content, not timestamps: a params.yaml that
`dvc exp run -S ...` left behind differs from what was recorded, so it is recomposed.

Overrides stick (`params model=random_forest`, then `repro`): they are kept in
COMPOSE_OVERRIDES with the hash of the params.yaml they made, and reused while
params.yaml is still that file. `params` with no override drops them.
"""

import difflib
import hashlib
import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..contract import COMPOSE_OVERRIDES, COMPOSE_STAMP, CONF_DIR, CONFIG, PARAMS, ConfigError


def compose(overrides: Sequence[str] = (), conf_dir: Path = CONF_DIR) -> str:
    """Return the YAML text that conf/ composes to, validated against the schema."""
    # Imported here, not above: a skipped composition (fingerprint unchanged) needs none of them.
    import yaml
    from dvc.utils.hydra import compose_and_dump
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from ..contract import validate_params

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "params.yaml"
        try:
            compose_and_dump(out, str(conf_dir.resolve()), None, "config", "", list(overrides))
        except (HydraException, OmegaConfBaseException) as err:
            raise ConfigError(f"cannot compose {conf_dir}/: {err}") from None
        text = out.read_text(encoding="utf-8")
    validate_params(yaml.safe_load(text), f"{conf_dir}/ composed", conf_dir)
    return text


def fingerprint(overrides: Sequence[str], conf_dir: Path = CONF_DIR, params: Path = PARAMS) -> str:
    """A hash of what a composition reads and writes: conf/'s files, the overrides, params.yaml."""
    digest = hashlib.sha256()
    files = sorted(path for path in conf_dir.rglob("*") if path.is_file())
    for path in [*files, params]:
        digest.update(f"{path.as_posix()}\0".encode())
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    digest.update("\0".join(["overrides", *overrides]).encode())
    return digest.hexdigest()


def write_params(
    overrides: Sequence[str] = (), conf_dir: Path = CONF_DIR, params: Path = PARAMS, stamp: Path = COMPOSE_STAMP
) -> bool:
    """Compose conf/ into params.yaml unless the stamp says nothing changed; True if it composed."""
    if stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint(overrides, conf_dir, params):
        return False
    params.write_text(compose(overrides, conf_dir), encoding="utf-8")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint(overrides, conf_dir, params), encoding="utf-8")
    return True


def check(params: Path = PARAMS, conf_dir: Path = CONF_DIR) -> None:
    """Raise ConfigError with a diff when params.yaml differs from conf/'s composition."""
    expected = compose(conf_dir=conf_dir)
    actual = params.read_text(encoding="utf-8") if params.exists() else ""
    if actual != expected:
        diff = text_diff(actual, expected, f"{params} (committed)", f"{params} (composed from {conf_dir}/)")
        raise ConfigError(
            f"{params} is stale: run `make params` and commit it. An override (`make repro ARGS=...`) lasts "
            f"only once it is in {conf_dir}/, e.g. a default in {conf_dir}/config.yaml.\n{diff}"
        )


def select_default(config: str, group: str, option: str) -> str:
    """conf/config.yaml's text with its default for a config group (`- data: wine`) set to option;
    every other line, comments too, as it was."""
    line = re.compile(rf"^(?P<key>\s*- {re.escape(group)}:[ \t]*)(?P<name>[^\s#]+)(?P<rest>.*)$", re.MULTILINE)
    found = line.findall(config)
    if len(found) != 1:
        expected = f"one `- {group}: <name>` line in defaults"
        raise ConfigError(f"{CONFIG}: expected {expected}, found {len(found)}; restore it")
    return line.sub(lambda match: f"{match['key']}{option}{match['rest']}", config)


def text_diff(before: str, after: str, before_name: str, after_name: str) -> str:
    """A unified diff of two versions of a file, for an error message."""
    before_lines, after_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    return "".join(difflib.unified_diff(before_lines, after_lines, before_name, after_name))


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def apply(overrides: Sequence[str] | None, params: Path = PARAMS, store: Path = COMPOSE_OVERRIDES) -> str:
    """Compose params.yaml from conf/ and overrides, and say what it holds.

    None keeps the overrides of the last call, while params.yaml is still what they made;
    any other value replaces them (an empty one drops them).
    """
    saved = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {"overrides": []}
    kept = overrides is None and saved["overrides"]
    stale = kept and saved.get("params_sha256") != file_hash(params)
    chosen = [] if stale else list(saved["overrides"] if overrides is None else overrides)
    composed = write_params(chosen, params=params)
    if chosen:
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps({"overrides": chosen, "params_sha256": file_hash(params)}), encoding="utf-8")
    else:
        store.unlink(missing_ok=True)
    state = "composed" if composed else "unchanged"
    if stale:
        dropped = " ".join(saved["overrides"])
        return f"{params} {state} from {CONF_DIR}/ alone: it changed since it was composed with {dropped}"
    if not chosen:
        return f"{params} {state} from {CONF_DIR}/"
    how = "kept from the last `params`" if kept else "kept until `params` runs without overrides"
    return f"{params} {state} from {CONF_DIR}/ with {' '.join(chosen)} ({how})"
