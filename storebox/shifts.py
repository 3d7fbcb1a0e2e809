"""Shifts (交班): who holds the cash drawer, with what float, and what it should hold now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storebox import outbox
from storebox.db.models import DayClose, Shift
from storebox.errors import RuleViolation
from storebox.ids import new_id
from storebox.money import check_amount
from storebox.shop import Shop
from storebox.users import Actor


@dataclass(frozen=True)
class ShiftInfo:
    id: str
    user_id: str
    business_day: str
    float_fen: int
    status: str


def current_shift(session: Session, shop: Shop) -> Shift | None:
    return session.scalars(
        select(Shift).where(Shift.device_id == shop.device_id, Shift.status == "open")
    ).first()


def require_open_shift(session: Session, shop: Shop) -> Shift:
    """The open shift of this device; money cannot move at the till without one."""
    shift = current_shift(session, shop)
    if shift is None:
        raise RuleViolation("请先开班 / open a shift first (count the float into the drawer)")
    return shift


def open_shift(shop: Shop, actor: Actor, float_fen: int) -> ShiftInfo:
    check_amount(float_fen, "备用金 / float")
    now = shop.now()
    day = shop.business_day(now)
    try:
        with shop.store.write() as session:
            if current_shift(session, shop) is not None:
                raise RuleViolation("已有未交班的班次 / a shift is already open on this till")
            if session.get(DayClose, (shop.device_id, day)) is not None:
                raise RuleViolation(f"{day} 已日结 / business day {day} is already closed")
            shift = Shift(
                id=new_id(),
                device_id=shop.device_id,
                user_id=actor.user_id,
                business_day=day,
                status="open",
                opened_at=now,
                float_fen=float_fen,
            )
            session.add(shift)
            session.flush()
            outbox.record(
                session,
                at=now,
                kind="shift.opened",
                ref_id=shift.id,
                payload={
                    "user_id": actor.user_id,
                    "business_day": day.isoformat(),
                    "float_fen": float_fen,
                },
            )
            return ShiftInfo(shift.id, actor.user_id, day.isoformat(), float_fen, "open")
    except IntegrityError:
        # The partial unique index caught a second till process opening at the same moment.
        raise RuleViolation("已有未交班的班次 / a shift is already open on this till") from None
