"""The inference server's image of a released version: the tagged commit's files and its bundle.

The build context is assembled in a temporary folder from the version's commit (`git archive`),
so the image installs that commit's code and uv.lock, whatever is checked out here, and holds
the bundle `bundle` writes for it. The engine is CONTAINER_ENGINE, else docker if its daemon
answers, else podman; every value reaches it as a checked argument, never through a shell.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..commands import run
from ..contract import ProjectError
from .bundle import build_bundle, check_bundle, registered
from .tags import ARTIFACT, Version

ENGINES = ("docker", "podman")
# An image reference as registries spell one: [registry[:port]/]path[:tag][@sha256:digest].
IMAGE_REFERENCE = re.compile(
    r"[a-z0-9][a-z0-9._-]*(:[0-9]+)?(/[a-z0-9][a-z0-9._-]*)*(:[\w.-]+)?(@sha256:[0-9a-f]{64})?"
)
CONTAINERFILE = "Containerfile"


class ImageError(ProjectError):
    """The image cannot be built as asked."""


def engine() -> str:
    """CONTAINER_ENGINE if set (docker or podman), else docker if its daemon answers, else podman."""
    chosen = os.environ.get("CONTAINER_ENGINE", "")
    if chosen:
        if Path(chosen).name not in ENGINES:
            raise ImageError(f"CONTAINER_ENGINE={chosen!r} is not docker or podman: set it to one of them")
        return chosen
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "info"], capture_output=True, check=False).returncode == 0:
        return "docker"
    if shutil.which("podman"):
        return "podman"
    raise ImageError("neither a docker daemon nor podman answers here: install one, or set CONTAINER_ENGINE")


def checked_base(base_image: str | None) -> str | None:
    if base_image and not IMAGE_REFERENCE.fullmatch(base_image):
        raise ImageError(f"BASE_IMAGE {base_image!r} is not an image reference such as python:3.12-slim")
    return base_image


def build_context(commit: str, bundle: Path, into: Path) -> None:
    """The commit's tracked files and the bundle, as model.tar.gz, in the folder `into`."""
    # git's own tree, unpacked by tar as it streams: no archive on disk, no Python tar to vet.
    with subprocess.Popen(["git", "archive", "--format=tar", commit], stdout=subprocess.PIPE) as archive:
        unpacked = subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=False)
    if archive.returncode != 0 or unpacked.returncode != 0:
        raise ImageError(f"`git archive {commit[:12]} | tar -x` failed (see its message above)")
    if not (into / CONTAINERFILE).is_file():
        raise ImageError(f"the version's commit {commit[:12]} has no {CONTAINERFILE}: release a version made after it")
    shutil.copyfile(bundle, into / "model.tar.gz")


def version_bundle(version: Version, bundle: Path | None, scratch: Path) -> Path:
    """The bundle given (once it is checked to be this version's), else one built in scratch."""
    if bundle is None:
        return build_bundle(version, scratch)
    manifest, _ = check_bundle(bundle)  # checksums and model types; loads nothing
    if manifest.get("git_commit") != version.commit:
        raise ImageError(f"{bundle} was built from {manifest.get('git_commit')}, not {version.tag}")
    return bundle


def build_image(
    version_text: str, base_image: str | None = None, bundle: Path | None = None, also_as: str | None = None
) -> str:
    """Build `<name>:X.Y.Z` of a released version, with `bundle` (else a new one) inside; its reference.

    publish.yml passes the bundle it attests and releases, so the image serves those very bytes, and
    its registry's repository as `also_as`: the build itself tags `<also_as>:X.Y.Z`, so what is pushed
    is this build, whatever `<name>:X.Y.Z` names by then.
    """
    version = registered(version_text)
    base_image, tool = checked_base(base_image), engine()
    number = version.version.removeprefix("v")  # X.Y.Z, as image tags and OCI labels spell versions
    reference = f"{ARTIFACT}:{number}"
    command = [tool, "build", "--file", CONTAINERFILE, "--tag", reference]
    if also_as:
        command += ["--tag", f"{also_as}:{number}"]
    command += ["--build-arg", f"VERSION={number}", "--build-arg", f"REVISION={version.commit}"]
    if base_image:
        command += ["--build-arg", f"BASE_IMAGE={base_image}"]
    if Path(tool).name == "podman":
        command += ["--format", "docker"]  # OCI images have no HEALTHCHECK; docker's format keeps it
    certificates = os.environ.get("SSL_CERT_FILE", "")
    if certificates and Path(certificates).is_file():
        command += ["--secret", f"id=ca,src={Path(certificates).resolve()}"]
    with tempfile.TemporaryDirectory(prefix="image-") as context, tempfile.TemporaryDirectory() as scratch:
        build_context(version.commit, version_bundle(version, bundle, Path(scratch)), Path(context))
        os.environ.setdefault("DOCKER_BUILDKIT", "1")  # docker's classic builder knows no --secret
        run(*command, context)
    return reference
