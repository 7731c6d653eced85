"""Build the Lambda assets without Docker: the shared code asset and the dependency layers.

Layers are installed by pip for the Lambda platform (``--platform manylinux2014_<arch>
--only-binary=:all: --python-version <runtime>``) from the pinned ``layers/<name>/requirements.txt``;
the ``core`` layer also carries the shared runtime package ``dataactions``. Results are cached in
``build/`` by a hash of their inputs, so repeated synths do not reinstall.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "layers"
BUILD = ROOT / "build"
NEVER_BUNDLED = ("boto3", "botocore", "s3transfer", "jmespath")  # the Lambda runtime provides them
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def _digest(paths: list[Path], *extra: str) -> str:
    h = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    for e in extra:
        h.update(e.encode())
    return h.hexdigest()[:16]


def layer_names() -> list[str]:
    return sorted(p.name for p in LAYERS.iterdir() if (p / "requirements.txt").exists())


def build_layer(name: str, *, arch: str = "aarch64", python_version: str = "3.13") -> Path:
    """The layer's directory (containing ``python/``), built once per input hash."""
    src = LAYERS / name
    key = _digest([src], arch, python_version)
    out = BUILD / "layers" / f"{name}-{arch}-py{python_version}-{key}"
    if (out / ".complete").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    target = out / "python"
    target.mkdir(parents=True)
    # Two steps: ``pip download`` resolves for the Lambda interpreter (its platform, its version and
    # the packages' Requires-Python against it); ``pip install --target`` would check Requires-Python
    # against this interpreter instead, refusing e.g. a 3.13+ only package (audioop-lts) on 3.11.
    wheels = out / "wheels"
    target_args = ["--platform", f"manylinux2014_{arch}", "--implementation", "cp", "--python-version", python_version]
    quiet = ["--quiet", "--disable-pip-version-check"]
    download = [sys.executable, "-m", "pip", "download", *quiet, *target_args, "--only-binary=:all:", "--dest", str(wheels)]
    done = subprocess.run([*download, "-r", str(src / "requirements.txt")], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not build layer {name}:\n{done.stderr[-4000:]}")
    install = [sys.executable, "-m", "pip", "install", *quiet, "--no-compile", *target_args, "--only-binary=:all:"]
    install += ["--no-index", "--find-links", str(wheels), "--ignore-requires-python", "--target", str(target)]
    done = subprocess.run([*install, "-r", str(src / "requirements.txt")], capture_output=True, text=True)
    shutil.rmtree(wheels, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not build layer {name}:\n{done.stderr[-4000:]}")
    for own in sorted((src / "python").glob("*")) if (src / "python").exists() else []:
        if own.is_dir():
            shutil.copytree(own, target / own.name, ignore=IGNORED)
    requested = (src / "requirements.txt").read_text().lower()
    for pkg in NEVER_BUNDLED:
        if re.search(rf"^{pkg}\b", requested, re.M):
            raise RuntimeError(f"layer {name} lists {pkg}; the Lambda runtime already provides it")
        # a dependency of a listed package (powertools needs jmespath): the runtime's own copy serves it
        shutil.rmtree(target / pkg, ignore_errors=True)
        for info in target.glob(f"{pkg}-*.dist-info"):
            shutil.rmtree(info)
    shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts are of no use in a layer
    for junk in target.rglob("__pycache__"):
        shutil.rmtree(junk, ignore_errors=True)
    (out / ".complete").touch()
    return out


def build_code() -> Path:
    """The shared code asset: the ``functions`` package only (no tests, no local tooling)."""
    src = ROOT / "functions"
    key = _digest([src])
    out = BUILD / "code" / key
    if (out / ".complete").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src, out / "functions", ignore=IGNORED)
    (out / ".complete").touch()
    return out


def zip_dir(directory: Path, dest: Path) -> Path:
    """Zip a directory as Lambda receives it (deterministic order, no build markers)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for f in sorted(directory.rglob("*")):
            if f.is_file() and f.name != ".complete":
                zf.write(f, f.relative_to(directory))
    return dest


def tree_size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
