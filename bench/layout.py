"""Interpreters laid out as Lambda lays a function out, for the cold start benchmarks.

A Lambda container's ``sys.path`` is the code asset (``/var/task``), the layers merged into
``/opt/python`` (a later layer's file replaces an earlier one's), the runtime's own packages
(``/var/runtime``: boto3, botocore) and the standard library; nothing from a development
virtualenv. Here the same layout is built once under ``build/bench/``, for this machine's
architecture and Python:

* ``ours(layers)``: the code asset and the layers, built by ``infra/build.py`` exactly as the
  stacks build them, merged (hard links, no copies) into one ``opt/python``;
* ``naive()``: what a hand-written function would ship: pydantic, httpx, AWS Lambda Powertools,
  phonenumbers and google-auth at the versions the layers pin, and its code (``bench/naive.py``);
* both get boto3/botocore, pinned as in ``requirements-dev.txt``, from a separate directory that
  plays ``/var/runtime``.

Each interpreter starts isolated (``python -I -S``: no site-packages, no PYTHON* variables, no
current directory on the path) and puts exactly those directories in front of the standard
library. Every tree is compiled to bytecode once, as a layer compiled for its runtime would be
(see the README's known limits: the deployed layers are not, today).
"""

from __future__ import annotations

import compileall
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.build import BUILD, ROOT, build_code, build_layer

ARCH = platform.machine()
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
HOME = BUILD / "bench"
NAIVE_CODE = Path(__file__).resolve().parent / "naive.py"
RIC = "awslambdaric==4.2.2"  # the AWS Lambda runtime interface client, as tests/packaging pins it


@dataclass(frozen=True)
class Layout:
    """A Lambda-like ``sys.path``: code asset, ``/opt/python``, runtime packages (in that order)."""

    name: str
    paths: tuple[str, ...]

    def command(self, code: str) -> list[str]:
        """argv of an isolated interpreter running ``code`` with this layout's path."""
        # Lambda imports a handler from its runtime interface client's bootstrap: what that has
        # loaded already (json, logging, decimal, re, ...) costs the handler nothing.
        prelude = f"import sys; sys.path[:0] = {list(self.paths)!r}; import awslambdaric.bootstrap\n"
        return [sys.executable, "-I", "-S", "-c", prelude + code]


def _pins(path: Path, *names: str) -> list[str]:
    """``name==version`` lines of a requirements file, for the named packages."""
    found = {}
    for line in path.read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if "==" in spec:
            found[spec.split("==", 1)[0].strip().lower()] = spec
    return [found[n] for n in names]


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def _link(src: str, dst: str) -> None:
    """Hard-link one file; a later layer's file replaces an earlier one's, as Lambda merges layers."""
    if os.path.lexists(dst):
        os.unlink(dst)
    try:
        os.link(src, dst)
    except OSError:  # another filesystem
        shutil.copy2(src, dst)


def _compile(*trees: Path) -> None:
    for tree in trees:
        compileall.compile_dir(str(tree), quiet=2, workers=0)


def _finish(out: Path) -> Path:
    (out / ".complete").touch()
    return out


def _pip_target(target: Path, requirements: list[str]) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    cmd += ["--platform", f"manylinux2014_{ARCH}", "--implementation", "cp", "--python-version", PYTHON, "--only-binary=:all:"]
    cmd += ["--target", str(target), *requirements]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not build {target.name}:\n{done.stderr[-4000:]}")
    shutil.rmtree(target / "bin", ignore_errors=True)


def runtime() -> Path:
    """The directory that plays ``/var/runtime``: the runtime interface client that imports the
    handler, and boto3 and botocore, as the Lambda runtime has them."""
    pins = [*_pins(ROOT / "requirements-dev.txt", "boto3", "botocore"), RIC]
    out = HOME / f"runtime-{ARCH}-py{PYTHON}-{_key(*pins)}"
    if not (out / ".complete").exists():
        shutil.rmtree(out, ignore_errors=True)
        _pip_target(out / "python", pins)
        _compile(out)
        _finish(out)
    return out / "python"


def ours(layers: tuple[str, ...]) -> Layout:
    """The code asset and the named layers, merged in order, as one function of ours sees them."""
    built = [build_layer(name, arch=ARCH, python_version=PYTHON) for name in layers]
    code = build_code()
    out = HOME / f"lambda-{'+'.join(layers)}-{ARCH}-py{PYTHON}-{_key(code.name, *(p.name for p in built))}"
    if not (out / ".complete").exists():
        shutil.rmtree(out, ignore_errors=True)
        for layer in built:
            shutil.copytree(layer / "python", out / "opt" / "python", dirs_exist_ok=True, copy_function=_link)
        shutil.copytree(code, out / "task", dirs_exist_ok=True, copy_function=_link, ignore=shutil.ignore_patterns(".complete"))
        _compile(out)
        _finish(out)
    return Layout("+".join(layers), (str(out / "task"), str(out / "opt" / "python"), str(runtime())))


def naive() -> Layout:
    """A hand-written function's layout: its own code (``bench/naive.py``) and one dependency layer."""
    layers = ROOT / "layers"
    pins = [
        *(line for line in (layers / "core" / "requirements.txt").read_text().splitlines() if "==" in line.split("#", 1)[0]),
        *_pins(layers / "sync" / "requirements.txt", "aws-lambda-powertools"),
        *_pins(layers / "phone" / "requirements.txt", "phonenumberslite"),
        *(line for line in (layers / "google" / "requirements.txt").read_text().splitlines() if "==" in line.split("#", 1)[0]),
    ]
    deps = HOME / f"naive-deps-{ARCH}-py{PYTHON}-{_key(*pins)}"
    if not (deps / ".complete").exists():
        shutil.rmtree(deps, ignore_errors=True)
        _pip_target(deps / "python", pins)
        for pkg in ("boto3", "botocore"):  # the runtime provides them, for the naive function too
            if (deps / "python" / pkg).exists():
                raise RuntimeError(f"the naive layer pulled in {pkg}")
        _compile(deps)
        _finish(deps)
    source = NAIVE_CODE.read_bytes()
    task = HOME / f"naive-task-{hashlib.sha256(source).hexdigest()[:12]}"
    if not (task / ".complete").exists():
        shutil.rmtree(task, ignore_errors=True)
        task.mkdir(parents=True)
        (task / "naive.py").write_bytes(source)
        _compile(task)
        _finish(task)
    return Layout("naive", (str(task), str(deps / "python"), str(runtime())))
