"""A bad answer on the command line: one clear line, a non-zero exit, nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TEMPLATE, run


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_slug=My Project", "project_slug: 'My Project' is not valid"),
        ("package_name=my-pkg", "package_name: 'my-pkg' is not valid"),
        ("package_name=import", "package_name: 'import' is a Python keyword, so `import import` fails"),
        ("project_name=Class", "package_name: 'class' (made from project_name 'Class') is a Python keyword"),
        ("project_name=2048 Game", "project_slug: '2048-game' (made from project_name '2048 Game') is not valid"),
        # An empty slug would name the output directory itself: cookiecutter refused it as existing.
        ("project_name=", "project_name: must not be empty; pass a name such as project_name='My ML Project'"),
        ("project_name=   ", "project_name: must not be empty"),
        ("author_email=nobody", "author_email: 'nobody' is not valid"),
        ("github_owner=bad owner", "github_owner: 'bad owner' is not valid"),
        (
            "code_owners=my-org",
            "code_owners: 'my-org' is not valid; use owners separated by spaces, each @user, "
            "@org/team (an organisation needs a team) or an email",
        ),
        # Choice options are checked by cookiecutter itself, before any hook runs.
        ("task=clustering", "clustering provided for choice variable task, but the choices are ['classification'"),
        ("python_version=2.7", "2.7 provided for choice variable python_version, but the choices are ['3.11'"),
        ("dataset=diabetes", "dataset: 'diabetes' is not allowed for task classification"),
        ("dvc_remote_url=s3://bucket", "dvc_remote_url: 's3://bucket' is not a directory outside the project"),
        ("license=WTFPL", "WTFPL provided for choice variable license, but the choices are ['MIT'"),
        ("runner_labels=self hosted, gpu", "runner_labels: 'self hosted, gpu' is not valid; use runner labels"),
    ],
)
def test_bad_answer_fails_cleanly(tmp_path: Path, answer: str, message: str) -> None:
    result = run("cookiecutter", "--no-input", str(TEMPLATE), answer, "-o", str(tmp_path), cwd=tmp_path, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert message in output, output
    assert list(tmp_path.iterdir()) == [], "a failed bake must leave nothing behind"
