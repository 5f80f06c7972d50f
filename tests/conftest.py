"""Test tiers: tests that run LibreOffice carry the `libreoffice` marker, so that a developer can run the fast
tier alone (``pytest -m "not libreoffice"``); CI runs everything."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libreoffice: runs LibreOffice (soffice) as a second client; slow")
