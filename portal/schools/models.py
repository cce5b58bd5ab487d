"""The district's networks of schools and the schools themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db

if TYPE_CHECKING:
    from portal.auth.models import User


class Network(db.Model):
    """A group of schools led by one instructional superintendent."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    superintendent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    superintendent: Mapped[User | None] = relationship()
    schools: Mapped[list[School]] = relationship(back_populates="network", order_by="School.name")

    def __repr__(self) -> str:
        return f"<Network {self.name}>"


class School(db.Model):
    """A school; families choose it by name, staff are scoped to it."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    title_i: Mapped[bool] = mapped_column(default=False)
    human_services_pilot: Mapped[bool] = mapped_column(default=False)
    street: Mapped[str] = mapped_column(String(160), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    active: Mapped[bool] = mapped_column(default=True)

    network: Mapped[Network] = relationship(back_populates="schools")

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, self.city, self.postal_code) if part)

    def __repr__(self) -> str:
        return f"<School {self.code}>"
