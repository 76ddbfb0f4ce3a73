"""Container images on this host: podman with the harness's settings, a local base, a local registry.

No image registry is reachable here, so the base image comes from Debian's mirror
(mmdebstrap), and publish.yml pushes to Debian's `docker-registry` (the CNCF distribution
registry, 2.8) serving on 127.0.0.1 with an htpasswd login, as a real registry asks for one.
podman reads its runtime settings from tests/containers.conf (runc, ulimits), never from
/etc; a Registry's users (publish.yml under act, and the tests that pull what it pushed) also
get its registries.conf (plain HTTP), its login file and an image store of their own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import bcrypt
import httpx
from act import ACTOR, TOKEN

from conftest import run

LOCAL_BASE = "localhost/harness-bookworm-python"
PODMAN_ENV = {"CONTAINERS_CONF": str(Path(__file__).with_name("containers.conf")), "CONTAINER_ENGINE": "podman"}
# The login the registry asks for: what publish.yml logs in with under act (github.actor, github.token).
REGISTRY_USER, REGISTRY_TOKEN = ACTOR, TOKEN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ready(url: str, seconds: float = 60) -> bool:
    """Whether a server at url says it is ready (Open Inference Protocol health) within seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v2/health/ready", timeout=1).json() == {"ready": True}:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def podman(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run("podman", *args, cwd=Path.cwd(), env=PODMAN_ENV | (env or {}), check=check)


def local_base(scratch: Path, env: dict[str, str] | None = None) -> str:
    """Debian bookworm with Python 3.11 (the default answer), from Debian's mirror with mmdebstrap,
    in podman's default image store or the one env names."""
    if podman("image", "exists", LOCAL_BASE, env=env, check=False).returncode != 0:
        rootfs = scratch / "rootfs.tar"
        packages = "--include=python3,python3-venv,ca-certificates"
        run("mmdebstrap", "--quiet", "--variant=minbase", packages, "bookworm", str(rootfs), cwd=scratch)
        podman("import", str(rootfs), LOCAL_BASE, env=env)
    return LOCAL_BASE


class Registry:
    """A real OCI registry on 127.0.0.1 that asks REGISTRY_USER for REGISTRY_TOKEN; stop() ends it."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.host = f"127.0.0.1:{free_port()}"
        hashed = bcrypt.hashpw(REGISTRY_TOKEN.encode(), bcrypt.gensalt(rounds=4)).decode()
        (root / "htpasswd").write_text(f"{REGISTRY_USER}:{hashed}\n")
        (root / "config.yml").write_text(
            "version: 0.1\nlog:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.host}\n"
            f"auth:\n  htpasswd:\n    realm: harness\n    path: {root / 'htpasswd'}\n"
        )
        (root / "registries.conf").write_text(f'[[registry]]\nlocation = "{self.host}"\ninsecure = true\n')
        # An image store of its own: another pytest worker's `make image` tags `<slug>:X` too, and
        # in one store a build here could be tagged and pushed as the other's.
        store = f'[storage]\ndriver = "overlay"\ngraphroot = "{root / "store"}"\nrunroot = "{root / "run"}"\n'
        (root / "storage.conf").write_text(store)
        # podman's settings for this registry's users: plain HTTP, the login kept beside it, the store.
        self.env = {
            "CONTAINERS_REGISTRIES_CONF": str(root / "registries.conf"),
            "REGISTRY_AUTH_FILE": str(root / "auth.json"),
            "CONTAINERS_STORAGE_CONF": str(root / "storage.conf"),
        }
        self.log = root / "registry.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(["docker-registry", "serve", str(root / "config.yml")], stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:  # 401: it answers, and asks for the login
                if httpx.get(f"http://{self.host}/v2/", timeout=1).status_code == 401:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"docker-registry did not answer on {self.host}:\n{self.log.read_text()}")

    def login(self) -> None:
        """podman logged in here (REGISTRY_AUTH_FILE), as a cluster's pull secret would be."""
        command = ["podman", "login", "--username", REGISTRY_USER, "--password-stdin", self.host]
        subprocess.run(command, input=REGISTRY_TOKEN, text=True, check=True, env=os.environ | PODMAN_ENV | self.env)

    def tags(self, repository: str) -> list[str]:
        answer = httpx.get(f"http://{self.host}/v2/{repository}/tags/list", auth=(REGISTRY_USER, REGISTRY_TOKEN))
        return sorted(answer.json().get("tags") or []) if answer.status_code == 200 else []

    def digest(self, repository: str, tag: str) -> str:
        """The manifest digest the registry serves for repository:tag."""
        accept = ", ".join(
            f"application/vnd.{kind}+json"
            for kind in ("docker.distribution.manifest.v2", "oci.image.manifest.v1", "oci.image.index.v1")
        )
        answer = httpx.head(
            f"http://{self.host}/v2/{repository}/manifests/{tag}",
            auth=(REGISTRY_USER, REGISTRY_TOKEN),
            headers={"Accept": accept},
        )
        answer.raise_for_status()
        return answer.headers["Docker-Content-Digest"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
