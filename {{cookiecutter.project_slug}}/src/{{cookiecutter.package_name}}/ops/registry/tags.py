"""The model registry: git tags in GTO's conventions, read and written with GTO.

`<artifact>@vX.Y.Z` registers a version; `<artifact>#<stage>#N` assigns a
stage (.gto lists the allowed ones). dvc.yaml declares the artifact, so
`dvc artifacts get` finds it by version or stage too. `gto deprecate` writes
the tags that take them back: `<artifact>@vX.Y.Z!` deregisters a version,
`<artifact>#<stage>!#N` unassigns a stage, `<artifact>@deprecated` retires the
artifact. `event` names each tag by GTO's own event type, so CI publishes
and deploys only registrations and assignments.

    {{ cookiecutter.project_slug }} release 1.2.0        # make release VERSION=1.2.0
    {{ cookiecutter.project_slug }} promote 1.2.0 prod   # make promote VERSION=1.2.0 STAGE=prod
    {{ cookiecutter.project_slug }} ci ref REF           # CI: what a pushed tag means
"""

import re
import subprocess
from dataclasses import dataclass

from ..contract import ProjectError

ARTIFACT = "{{ cookiecutter.project_slug }}"
# The stage whose model is in production (.gto lists the stages): what monitor, inspect and the
# PR report use when no model is named.
PRODUCTION_STAGE = "prod"
PRODUCTION = f"{ARTIFACT}#{PRODUCTION_STAGE}"
# Semantic versions without pre-release or build parts: what GTO registers.
VERSION = re.compile(r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
# A registry reference: `name@v1.2.0`, `name@latest` or `name#prod`.
REFERENCE = re.compile(r"(?P<name>[a-z0-9][a-z0-9-]*)(?:@(?P<version>v[\w.]+|latest)|#(?P<stage>[\w-]+))")


class RegistryError(ProjectError):
    """A release or promotion was refused, or a registry reference does not resolve."""


@dataclass(frozen=True)
class Version:
    artifact: str
    version: str  # "v1.2.0"
    commit: str  # the commit the version tag points to

    @property
    def tag(self) -> str:
        return f"{self.artifact}@{self.version}"


def parse_version(text: str) -> str:
    """`1.2.0` or `v1.2.0` as GTO's `v1.2.0`; anything else is refused."""
    if not VERSION.fullmatch(text or ""):
        raise RegistryError(f"{text!r} is not a version: use MAJOR.MINOR.PATCH, e.g. `make release VERSION=1.2.0`")
    return "v" + text.removeprefix("v")


def git_output(*args: str) -> str:
    """A git command's standard output; CalledProcessError when it fails."""
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def release_blockers() -> list[str]:
    """Why HEAD cannot be released: uncommitted changes, a stale pipeline, a failed gate."""
    from dvc.repo import Repo

    from ..contract import load_params
    from ..gate import gate_failures, read_metrics

    if git_output("status", "--porcelain"):
        return ["the working tree has uncommitted changes: commit or stash them, so the tag names what you tested"]
    with Repo() as repo:
        stale = repo.status()
    if stale:
        return [
            f"`dvc status` is not clean ({', '.join(sorted(stale))}): run `make repro` and commit dvc.lock, "
            "or `dvc pull` the outputs"
        ]
    return [f"quality gate: {failure}" for failure in gate_failures(read_metrics(), load_params().gate)]


def release(version_text: str) -> Version:
    """Check HEAD, then tag it `<artifact>@vX.Y.Z` with GTO (an annotated tag)."""
    import gto.api
    from gto.exceptions import GTOException

    version = parse_version(version_text)
    blockers = release_blockers()
    if blockers:
        raise RegistryError(f"not releasing {ARTIFACT}@{version}: " + "; ".join(blockers))
    try:
        gto.api.register(".", ARTIFACT, ref="HEAD", version=version)
    except GTOException as err:
        raise RegistryError(f"not releasing {ARTIFACT}@{version}: {err}") from None
    return resolve(f"{ARTIFACT}@{version}")


def promote(version_text: str, stage: str) -> str:
    """Assign a stage to a registered version; return the tag, `<artifact>#<stage>#N`."""
    import gto.api
    from gto.exceptions import GTOException

    version = parse_version(version_text)
    try:
        return gto.api.assign(".", ARTIFACT, stage, version=version).tag
    except GTOException as err:
        raise RegistryError(f"cannot assign {stage} to {ARTIFACT}@{version}: {err}") from None


def is_reference(spec: str) -> bool:
    """Whether spec names a registry version (`name@...`, `name#...`) rather than a bundle's path.

    A path has a `/` or ends in .tar.gz; anything else with an `@` or `#` is a
    reference, resolved through the registry alone (and refused if malformed), so a
    file that happens to be called `name#prod` is never taken for the production model.
    """
    return "/" not in spec and not spec.endswith(".tar.gz") and ("@" in spec or "#" in spec)


def registry_versions() -> str:
    """The artifact's registered versions and their stages, for an error message."""
    import gto.api
    from gto.exceptions import GTOException

    try:
        found = gto.api.show(".", ARTIFACT)
    except GTOException:
        found = []
    described = []
    for row in found:  # newest first
        stages = [stage["stage"] for stage in row.get("stages", []) if stage.get("is_active", True)]
        described.append(row["version"] + (f" ({', '.join(stages)})" if stages else ""))
    return ", ".join(described) or "none yet (`make release VERSION=0.1.0`)"


def resolve(spec: str) -> Version:
    """The version a registry reference names: `name@v1.2.0`, `name@latest` or `name#stage`."""
    import gto.api
    from gto.exceptions import GTOException

    if subprocess.run(["git", "rev-parse", "--git-dir"], capture_output=True, check=False).returncode != 0:
        raise RegistryError(f"{spec}: the registry lives in the project's git tags; run this in a clone of it")
    match = REFERENCE.fullmatch(spec)
    if not match or match["name"] != ARTIFACT:
        raise RegistryError(
            f"{spec!r} is not a reference to this registry: use {ARTIFACT}@vX.Y.Z, {ARTIFACT}@latest or "
            f"{ARTIFACT}#<stage>, or a bundle's path (with a / or ending in .tar.gz); versions: {registry_versions()}"
        )
    try:
        found = gto.api.show(".", spec)
    except GTOException as err:
        raise RegistryError(f"{spec}: {err}; versions: {registry_versions()}") from None
    if not found:
        hint = "`make promote`" if match["stage"] else "`make release`"
        raise RegistryError(f"{spec}: no such version in the registry (see {hint}); versions: {registry_versions()}")
    return Version(found[0]["artifact"], found[0]["version"], found[0]["commit_hexsha"])


# What publish.yml does on each of GTO's event types (gto.base.BaseEvent.event, as `gto check-ref
# --json` names them): only these two start a job. A deregistration, an unassignment and a
# deprecation start nothing.
CI_ACTIONS = {"registration": "publish", "assignment": "deploy"}


def event(ref: str) -> dict[str, str]:
    """What a pushed tag means to the registry, for CI: GTO's event type, artifact, version, stage.

    GTO reads the annotated tag itself (`gto.api.check_ref`), so `<name>@vX.Y.Z!` is a
    deregistration and `<name>#<stage>!#N` an unassignment, never a registration or assignment.
    """
    import gto.api

    events = gto.api.check_ref(".", ref)
    if not events:
        raise RegistryError(
            f"{ref!r} is not a registry tag (or is a lightweight tag): expected an annotated "
            f"{ARTIFACT}@vX.Y.Z or {ARTIFACT}#<stage>#N made by `make release` or `make promote`"
        )
    if len(events) > 1:
        raise RegistryError(f"{ref!r} records {len(events)} registry events; CI expects one per tag")
    found = events[0]
    return {
        "event": found.event,
        "artifact": found.artifact,
        "version": getattr(found, "version", "") or "",
        "stage": getattr(found, "stage", "") or "",
        "ci": CI_ACTIONS.get(found.event, "none"),
    }
