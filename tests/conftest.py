"""Test tiers: tests that run LibreOffice carry the `libreoffice` marker, so that a developer can run the fast
tier alone (``pytest -m "not libreoffice and not heavy"``); tests that take seconds of CPU or a GB of memory on
purpose (attacks with bounds) carry `heavy`. CI runs everything."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libreoffice: runs LibreOffice (soffice) as a second client; slow")
    config.addinivalue_line("markers", "heavy: an attack that takes seconds or a GB on purpose, to show its bound")
