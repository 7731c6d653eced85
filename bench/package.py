"""Asset sizes (each layer and the code asset, zipped and unzipped), synth time, and resources
per stack with every backend enabled (plus a second named configuration of each).

Short mode (the test suite) sizes the assets only: the real CLI synth takes 15-30 s and the
infra tests already run it (tests/infra/test_stacks.py::test_the_real_cdk_cli_synthesises)."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from infra.build import ROOT, build_code, build_layer, layer_names, tree_size, zip_dir
from infra.constructs import LAYER_ARCH, PYTHON_VERSION

ORG = "6f4b5a8e-1d2c-4e3f-9a8b-7c6d5e4f3a2b"


def main(short: bool = False) -> None:
    from functions import all_actions, all_backends, all_syncs

    users = {
        name: sorted({a.backend.kind for a in all_actions().values() if name in a.backend.layers})
        + sorted({f.family.kind + " (sync)" for f in all_syncs().values() if name in f.layers})
        for name in layer_names()
    }
    broken = []
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'asset':28} {'unzipped MB':>11} {'zipped MB':>9}  used by")
        for name in layer_names():
            try:
                path = build_layer(name, arch=LAYER_ARCH, python_version=PYTHON_VERSION)
            except RuntimeError as exc:  # shown, not hidden; fatal only for a layer a deployed function needs
                print(
                    f"{'layer ' + name:28} cannot be built: {str(exc).splitlines()[0]}  used by {', '.join(users[name]) or 'no deployed function yet'}"
                )
                if users[name]:
                    broken.append(name)
                continue
            z = zip_dir(path, Path(tmp) / f"{name}.zip").stat().st_size
            print(
                f"{'layer ' + name:28} {tree_size(path) / 1e6:11.2f} {z / 1e6:9.2f}  {', '.join(users[name]) or '(no deployed function yet)'}"
            )
        code = build_code()
        z = zip_dir(code, Path(tmp) / "code.zip").stat().st_size
        print(f"{'code asset (functions/)':28} {tree_size(code) / 1e6:11.2f} {z / 1e6:9.2f}  every function")
        if broken:
            raise RuntimeError(f"layers that deployed functions need cannot be built: {', '.join(broken)}")
        if short:
            print("\ncdk synth skipped in short mode: the infra tests run the real CLI synth (test_the_real_cdk_cli_synthesises)")
            return

        kinds = list(all_backends())
        spec = ",".join(kinds + [f"{k}:second" for k in kinds])
        out = Path(tmp) / "cdk.out"
        cmd = [
            str(ROOT / "node_modules/.bin/cdk"),
            "synth",
            "-q",
            "--output",
            str(out),
            "-c",
            f"genesysOrgId={ORG}",
            "-c",
            "account=123456789012",
            "-c",
            "region=us-east-1",
            "-c",
            f"backends={spec}",
        ]
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        elapsed = time.perf_counter() - t
        print(f"\ncdk synth (real CLI, layers cached, cdk-nag on): {elapsed:.1f} s for backends={spec}")
        for template in sorted(out.glob("*.template.json")):
            n = len(json.loads(template.read_text())["Resources"])
            print(f"  {template.name.removesuffix('.template.json'):28} {n:4d} resources (limit 500)")
