"""The stand-ins' API areas are mixins over one app: no two areas may define the same name."""

import collections

import pytest

from local.standins import cxone, genesys


@pytest.mark.parametrize("package", [genesys, cxone])
def test_api_areas_do_not_shadow_each_other(package) -> None:
    seen = collections.defaultdict(list)
    for area in package.AREAS:
        for name in vars(area):
            if not name.startswith("__") and name not in ("RULES", "PUBLIC"):
                seen[name].append(area.__name__)
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}
