"""CI's cloud credential file: readable by the job's user only, whatever was there before."""

import stat
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.ops.ci.remote import write_cloud_credentials


def test_the_credential_file_is_0600_even_over_an_older_readable_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GCS_CREDENTIALS_JSON", '{"type": "service_account"}')
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    monkeypatch.setenv("GITHUB_ENV", str(tmp_path / "github_env"))
    older = tmp_path / "gcs.json"
    older.write_text("an older, longer file that anyone could read")
    older.chmod(0o644)
    write_cloud_credentials()
    assert stat.S_IMODE(older.stat().st_mode) == 0o600
    assert older.read_text() == '{"type": "service_account"}'
    assert (tmp_path / "github_env").read_text() == f"GOOGLE_APPLICATION_CREDENTIALS={older}\n"
