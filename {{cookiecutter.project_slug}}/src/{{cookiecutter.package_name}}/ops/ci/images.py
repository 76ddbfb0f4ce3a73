"""publish.yml's image steps: push a version's image to a container registry, tag it with a stage.

The image is `<registry>/<owner>/<name>:X.Y.Z`: the registry the repository variable
IMAGE_REGISTRY names (ghcr.io by default) and the GitHub repository, lowercased as registries
require. The engine logs in with REGISTRY_USER and REGISTRY_TOKEN for one command (the token on
standard input, never on a command line) and logs out after it. What the push returns, the
image's digest, is what the workflow attests; `dist/image.txt` records it as
`<repository>@sha256:<digest>` for the Release, and the deploy job adds the stage's tag to
exactly that image, after checking its attestation.
"""

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..checked import checked
from ..commands import output, run
from ..registry.image import ImageError, build_image, engine
from .github import gh

IMAGE_FILE = Path("dist/image.txt")
PINNED = re.compile(r"(?P<name>[a-z0-9][a-z0-9.:-]*(/[a-z0-9][a-z0-9._-]*)+)@(?P<digest>sha256:[0-9a-f]{64})")
PUSHED_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")  # docker push's last line


def image_name(registry: str, repository: str) -> str:
    """`<registry>/<owner>/<name>`, both parts checked, lowercased."""
    return f"{checked('registry', registry)}/{checked('repository', repository).lower()}"


@contextmanager
def logged_in(tool: str, registry: str) -> Iterator[None]:
    """Logged in to the registry with REGISTRY_TOKEN for the block, if it is set (else as before)."""
    token = os.environ.get("REGISTRY_TOKEN", "")
    if not token:
        yield
        return
    user = os.environ.get("REGISTRY_USER", "") or "token"
    login = [tool, "login", "--username", user, "--password-stdin", registry]
    done = subprocess.run(login, input=token, text=True, capture_output=True, check=False)
    if done.returncode != 0:
        raise ImageError(f"`{tool} login {registry}` failed: {done.stderr.strip() or done.stdout.strip()}")
    try:
        yield
    finally:
        subprocess.run([tool, "logout", registry], capture_output=True, check=False)


def push(tool: str, reference: str) -> str:
    """Push an image; the digest of what the registry now holds (sha256:...)."""
    if Path(tool).name == "podman":
        with tempfile.TemporaryDirectory() as scratch:
            digest_file = Path(scratch) / "digest"
            run(tool, "push", "--digestfile", str(digest_file), reference)
            return digest_file.read_text().strip()
    pushed = output(tool, "push", reference)  # a failure is a ToolError with docker's own message
    print(pushed)
    found = PUSHED_DIGEST.findall(pushed)
    if not found:
        raise ImageError(f"`{tool} push {reference}` printed no digest")
    return found[-1]


def push_image(
    version: str, bundle: Path | None, base_image: str | None, registry: str, repository: str
) -> tuple[str, str]:
    """Build a version's image (with `bundle` inside, if given) and push it as `<name>:X.Y.Z`;
    (name, digest), also in dist/image.txt."""
    name = image_name(registry, repository)  # checked before a build of a minute or more
    local = build_image(version, base_image, bundle, also_as=name)
    tool = engine()
    remote = f"{name}:{local.rpartition(':')[2]}"  # the build's own second tag
    with logged_in(tool, registry):
        digest = push(tool, remote)
    IMAGE_FILE.parent.mkdir(parents=True, exist_ok=True)
    IMAGE_FILE.write_text(f"{name}@{digest}\n")
    return name, digest


def stage_image(pinned_file: Path, stage: str, owner: str) -> str:
    """Tag the image pinned_file names with the stage, once its attestation is OWNER's; `<name>:<stage>`."""
    pinned = pinned_file.read_text().strip()
    found = PINNED.fullmatch(pinned)
    if not found:
        raise ImageError(f"{pinned_file} holds {pinned[:100]!r}, not <registry>/<repository>@sha256:<digest>")
    name, registry = found["name"], found["name"].partition("/")[0]
    staged = f"{name}:{checked('stage', stage)}"
    tool = engine()
    with logged_in(tool, registry):
        gh("attestation", "verify", f"oci://{pinned}", "--owner", checked("owner", owner))
        run(tool, "pull", pinned)
        run(tool, "tag", pinned, staged)
        digest = push(tool, staged)
    if digest != found["digest"]:
        raise ImageError(f"the registry holds {staged} as {digest}, not the attested {found['digest']}")
    return staged
