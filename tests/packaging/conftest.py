"""The packaging fixtures: the runtime interface client's own venv, and the code asset and layers
unzipped as Lambda lays them out."""

from __future__ import annotations

import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from functions import all_actions, all_syncs
from infra.build import BUILD, build_code, build_layer, zip_dir

RIC_VERSION = "4.2.2"


@pytest.fixture(scope="session")
def ric_python() -> Path:
    """A separate venv holding only awslambdaric (what the Lambda runtime image provides)."""
    venv = BUILD / f"ric-venv-{RIC_VERSION}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"awslambdaric=={RIC_VERSION}"],
            check=True,
            capture_output=True,
        )
        (venv / ".complete").touch()
    return python


@pytest.fixture(scope="session")
def lambda_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """task/ (code asset) and opt/ (layers) unzipped from the same zips Lambda would get."""
    root = tmp_path_factory.mktemp("lambda")
    arch = platform.machine()
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    with zipfile.ZipFile(zip_dir(build_code(), root / "code.zip")) as zf:
        zf.extractall(root / "task")
    layers = sorted(
        {layer for a in all_actions().values() for layer in a.backend.layers} | {layer for f in all_syncs().values() for layer in f.layers}
    )
    if sys.version_info < (3, 13):
        layers.remove("media")  # it holds only audioop-lts, the 3.13+ backport of what this interpreter has in its standard library
    for name in layers:
        with zipfile.ZipFile(zip_dir(build_layer(name, arch=arch, python_version=py), root / f"{name}.zip")) as zf:
            zf.extractall(root / "opt")
    assert (root / "opt" / "python" / "dataactions" / "entry.py").exists()
    assert not (root / "opt" / "python" / "boto3").exists()
    return root
