"""Helpers to make cases the way families and staff do."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.concerns import intake
from portal.concerns.models import Case, CaseKind, Relationship
from portal.extensions import db
from portal.knowledge.models import Category
from portal.schools.models import School
from tests.conftest import demo_email

MONDAY = date(2026, 11, 16)


def category_id(code: str = "transportation") -> int:
    return db.session.scalar(select(Category.id).where(Category.code == code))


def school_id(code: str = "101") -> int:
    return db.session.scalar(select(School.id).where(School.code == code))


def user_id(role: Role) -> int:
    return db.session.scalar(select(User.id).where(User.email == demo_email(role)))


@pytest.fixture
def submit(app):  # noqa: ANN001, ANN201
    """A factory: submit a case through the intake service, as the public form does."""

    def make(*, today: date = MONDAY, key: str | None = None, **fields: object) -> intake.Receipt:
        with app.test_request_context():
            data = intake.Submission(
                submission_key=key or secrets.token_urlsafe(24),
                kind=fields.pop("kind", CaseKind.CONCERN),
                name=fields.pop("name", "Rosa Martínez"),
                relationship=fields.pop("relationship", Relationship.PARENT),
                category_id=fields.pop("category_id", None) or category_id(),
                description=fields.pop("description", "The bus is late every morning."),
                school_id=fields.pop("school_id", None) or school_id(),
                phone=fields.pop("phone", "+17205550142"),
                email=fields.pop("email", "rosa@example.org"),
                language=fields.pop("language", "es"),
                **fields,
            )
            return intake.submit(
                data, secret_key=app.config["SECRET_KEY"], today=today, ip="198.51.100.1"
            )

    return make


def load_case(reference: str) -> Case:
    return db.session.scalars(select(Case).where(Case.reference == reference)).one()
