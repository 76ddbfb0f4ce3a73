"""CI's Google Cloud credentials: a file only this user reads, for one command, then gone."""

import os
import stat
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.ops.ci.remote import google_credentials


def test_the_secret_is_a_0600_file_for_the_command_and_removed_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GCS_CREDENTIALS_JSON", '{"type": "service_account"}')
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/elsewhere.json")
    with google_credentials() as name:
        assert name is not None and os.environ["GOOGLE_APPLICATION_CREDENTIALS"] == name
        assert Path(name).parent == tmp_path and stat.S_IMODE(Path(name).stat().st_mode) == 0o600
        assert Path(name).read_text() == '{"type": "service_account"}'
    assert not Path(name).exists() and os.environ["GOOGLE_APPLICATION_CREDENTIALS"] == "/elsewhere.json"


def test_without_the_secret_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GCS_CREDENTIALS_JSON", raising=False)
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    with google_credentials() as name:
        assert name is None
    assert list(tmp_path.iterdir()) == []
