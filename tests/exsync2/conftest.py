from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.exsync2.support import Stack, context, start_stack


@pytest.fixture
def stack() -> Iterator[Stack]:
    """A fresh Genesys org (users, queues, wrap-up codes of the seeded CXone tenant) and CXone tenant."""
    s = start_stack()
    yield s
    s.stop()


@pytest.fixture
def ctx():
    return context()
