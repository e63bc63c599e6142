"""Project tasks. ``python -m pip install nox && nox -s tests`` is the whole setup.

Sessions: tests, lint, typecheck, docs, demo, examples, bench.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
# Example plugins (reference integrations) are installed like any third-party plugin.
EXAMPLE_PLUGINS = sorted(
    p for p in (ROOT / "examples").iterdir() if (p / "pyproject.toml").exists()
)

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

TOOLS = ["ruff>=0.6", "mypy>=1.11"]
DOCS = ["mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26", "pymdown-extensions"]


def _install_project(session: nox.Session, *, extras: str = "test") -> None:
    """Core and every plugin, editable, with their test extras."""
    args = ["-e", f".[{extras}]"] if extras else ["-e", "."]
    for plugin in PLUGINS:
        args += ["-e", f"{plugin}[{extras}]" if extras else str(plugin)]
    for plugin in EXAMPLE_PLUGINS:
        args += ["-e", str(plugin)]
    session.install(*args)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: core, plugins, contracts (examples), doctests."""
    _install_project(session)
    session.install("pytest-xdist>=3.5")
    env = {"PYTHONHASHSEED": "0"}
    args = session.posargs or [
        "-p",
        "no:cacheprovider",
        "-q",
        "tests",
        *[str(p / "tests") for p in PLUGINS if (p / "tests").exists()],
    ]
    session.run("pytest", *args, env=env)
    session.run(
        "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules", "src/s2c_core", env=env
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the core and the plugins."""
    _install_project(session)
    session.install(*TOOLS, "types-python-dateutil", "types-lxml")
    session.run("mypy", "src", *[str(p / "src") for p in PLUGINS])


@nox.session
def docs(session: nox.Session) -> None:
    """mkdocs build --strict (offline)."""
    _install_project(session, extras="")
    session.install(*DOCS)
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"))


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: a quarter of a Belgian wholesaler on SQLite (``-- --postgres URL``)."""
    _install_project(session, extras="")
    out = os.environ.get("S2C_DEMO_OUT", str(ROOT / "demo-output"))
    script = (
        "examples/demo.py" if (ROOT / "examples/demo.py").exists() else "examples/quickstart.py"
    )
    session.run("python", script, "--out", out, *session.posargs)


@nox.session
def examples(session: nox.Session) -> None:
    """Run every reference integration in examples/."""
    _install_project(session)
    session.run("pytest", "-q", "tests/contracts/test_examples_run.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: each workload beside its floor, ratios printed and written as JSON."""
    _install_project(session)
    session.run("python", "benchmarks/run.py", *session.posargs)
