"""Fixtures the admin tests share with the concerns tests."""

from tests.concerns.conftest import submit  # noqa: F401 - a fixture, re-exported
