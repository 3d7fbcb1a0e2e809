"""X and Z reports and closing the day (日结): figures, who may see them, day boundaries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from storebox import integrity, outbox, reports, shifts
from storebox.clock import FixedClock
from storebox.db.models import DayClose, OutboxEvent
from storebox.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from storebox.shop import Shop
from storebox.users import Actor
from tests.core.test_shifts import make_cashier, make_owner, refund, sell, snapshot, void

CONTRACT_KEYS = {
    "sales_count",
    "sales_total_fen",
    "refunds_count",
    "refunds_total_fen",
    "bill_payments_count",
    "bill_payments_total_fen",
    "pending_sync_events",
    "business_day",
    "tenders",
    "shifts",
}
DAY = dt.date(2026, 11, 25)


@pytest.fixture
def owner(shop: Shop) -> Actor:
    return make_owner(shop)


@pytest.fixture
def cashier(shop: Shop, owner: Actor) -> Actor:
    return make_cashier(shop, owner)


def pending_in_db(shop: Shop) -> int:
    with shop.store.read() as session:
        return len(
            session.scalars(select(OutboxEvent.seq).where(OutboxEvent.status == "pending")).all()
        )


def a_busy_day(shop: Shop, clock: FixedClock, owner: Actor, cashier: Actor) -> dict[str, int]:
    """Two shifts on the 25th; returns what the day should add up to, counted by hand."""
    shifts.open_shift(shop, cashier, 20_000)
    s1 = sell(shop, cashier, ("cash", 1_250, 2_000), items=(1_000, 250))
    s2 = sell(shop, cashier, ("card", 6_000))
    sell(shop, cashier, ("wallet", 880))
    sell(shop, cashier, ("cash", 500), ("wallet", 1_500))
    refund(shop, cashier, s1, "cash", 250)
    void(shop, cashier, 3_300)
    shifts.cash_out(shop, cashier, 10_000, "存入保险柜")
    clock.advance(hours=5)
    shifts.close_shift(shop, cashier, 11_400)  # expected 20000+1250+500-250-10000 = 11500
    shifts.open_shift(shop, owner, 11_400)
    sell(shop, owner, ("cash", 2_000))
    refund(shop, owner, s2, "card", 6_000)
    void(shop, owner, 100)
    shifts.cash_in(shop, owner, 3_000, "补零钱")
    return {
        "sales_count": 5,
        "sales_total_fen": 1_250 + 6_000 + 880 + 2_000 + 2_000,
        "cash": 1_250 + 500 + 2_000,
        "card": 6_000,
        "wallet": 880 + 1_500,
        "refunds_count": 2,
        "refunds_total_fen": 6_250,
        "cash_refunds": 250,
        "card_refunds": 6_000,
        "voids_count": 2,
        "voids_total_fen": 3_400,
        "cash_in_fen": 3_000,
        "cash_out_fen": 10_000,
    }


# --- X report ----------------------------------------------------------------------------------


def test_x_report_any_time_shows_the_shift_so_far_and_changes_nothing(
    shop: Shop, cashier: Actor
) -> None:
    opened = shifts.open_shift(shop, cashier, 10_000)
    empty = reports.x_report(shop, cashier)
    assert empty.shift.tally.sales_count == 0
    assert empty.shift.expected_cash_fen == 10_000

    sale = sell(shop, cashier, ("cash", 1_500, 5_000), items=(1_000, 500))
    sell(shop, cashier, ("card", 2_500))
    refund(shop, cashier, sale, "cash", 500)
    void(shop, cashier, 999)
    shifts.cash_in(shop, cashier, 2_000, "补零钱")
    shifts.cash_out(shop, cashier, 1_000, "买水")
    before = snapshot(shop)
    x = reports.x_report(shop, cashier)
    assert snapshot(shop) == before
    d = x.as_dict()
    assert d["report"] == "x"
    assert d["shift_id"] == opened.id
    assert d["status"] == "open"
    assert d["float_fen"] == 10_000
    assert (d["sales_count"], d["sales_total_fen"]) == (2, 4_000)
    assert d["tenders"]["cash"] == {"sales_fen": 1_500, "refunds_fen": 500, "net_fen": 1_000}
    assert d["tenders"]["card"] == {"sales_fen": 2_500, "refunds_fen": 0, "net_fen": 2_500}
    assert d["tenders"]["wallet"] == {"sales_fen": 0, "refunds_fen": 0, "net_fen": 0}
    assert (d["refunds_count"], d["refunds_total_fen"]) == (1, 500)
    assert (d["voids_count"], d["voids_total_fen"]) == (1, 999)
    assert (d["cash_in_fen"], d["cash_out_fen"]) == (2_000, 1_000)
    assert d["expected_cash_fen"] == 10_000 + 1_500 - 500 + 2_000 - 1_000
    assert d["counted_fen"] is None
    assert d["variance_fen"] is None
    json.dumps(d)  # one JSON document, no stray types

    text = x.render_text()
    assert "X 报表" in text
    assert "小王" in text
    assert "¥120.00" in text  # expected cash
    assert "¥40.00" in text  # sales


def test_x_report_of_a_closed_shift_shows_count_and_variance(
    shop: Shop, cashier: Actor, clock: FixedClock
) -> None:
    opened = shifts.open_shift(shop, cashier, 10_000)
    sell(shop, cashier, ("cash", 3_000))
    clock.advance(hours=8)
    shifts.close_shift(shop, cashier, 12_950, "少了五毛")
    x = reports.x_report(shop, cashier, opened.id)
    d = x.as_dict()
    assert (d["status"], d["expected_cash_fen"], d["counted_fen"], d["variance_fen"]) == (
        "closed",
        13_000,
        12_950,
        -50,
    )
    text = x.render_text()
    assert "实点现金" in text
    assert "-¥0.50" in text
    assert "少了五毛" in text


def test_x_report_with_no_open_shift_is_not_found(shop: Shop, cashier: Actor) -> None:
    with pytest.raises(NotFound, match="no open shift"):
        reports.x_report(shop, cashier)


def test_a_cashier_sees_only_their_own_shift_report(
    shop: Shop, owner: Actor, cashier: Actor, clock: FixedClock
) -> None:
    other = make_cashier(shop, owner, "小李")
    mine = shifts.open_shift(shop, cashier, 10_000)
    sell(shop, cashier, ("cash", 700))
    before = snapshot(shop)
    with pytest.raises(PermissionDenied, match="own shift"):
        reports.x_report(shop, other)  # the till's open shift is not theirs
    with pytest.raises(PermissionDenied, match="own shift"):
        reports.x_report(shop, other, mine.id)
    assert snapshot(shop) == before
    assert reports.x_report(shop, cashier, mine.id).shift.id == mine.id
    assert reports.x_report(shop, owner, mine.id).shift.id == mine.id  # the owner sees all
    clock.advance(hours=1)
    shifts.close_shift(shop, cashier, 10_700)
    with pytest.raises(PermissionDenied):
        reports.x_report(shop, other, mine.id)  # closed or not


def test_reports_need_someone_the_shell_admin_is_explicit(shop: Shop, cashier: Actor) -> None:
    opened = shifts.open_shift(shop, cashier, 10_000)
    with pytest.raises(PermissionDenied, match="log in"):
        reports.x_report(shop, None, opened.id)
    with pytest.raises(PermissionDenied, match="log in"):
        reports.x_report(shop, None)
    with pytest.raises(PermissionDenied, match="log in"):
        reports.z_report(shop, DAY)
    assert reports.x_report(shop, None, as_admin=True).shift.id == opened.id
    assert reports.z_report(shop, DAY, as_admin=True).business_day == DAY
    with pytest.raises(ValueError, match="as_admin"):
        reports.z_report(shop, DAY, actor=cashier, as_admin=True)  # no elevating a cashier


def test_the_z_report_is_the_owners(shop: Shop, owner: Actor, cashier: Actor) -> None:
    with pytest.raises(PermissionDenied, match="owner"):
        reports.z_report(shop, DAY, actor=cashier)
    assert reports.z_report(shop, DAY, actor=owner).business_day == DAY


# --- Z report ----------------------------------------------------------------------------------


def test_z_report_totals_are_the_days_sales_per_tender_refunds_and_voids(
    shop: Shop, owner: Actor, cashier: Actor, clock: FixedClock
) -> None:
    want = a_busy_day(shop, clock, owner, cashier)
    before = snapshot(shop)
    z = reports.z_report(shop, DAY, actor=owner)
    assert snapshot(shop) == before
    d = z.as_dict()
    assert set(d) >= CONTRACT_KEYS
    assert d["business_day"] == "2026-11-25"
    for key in (
        "sales_count",
        "sales_total_fen",
        "refunds_count",
        "refunds_total_fen",
        "voids_count",
        "voids_total_fen",
        "cash_in_fen",
        "cash_out_fen",
    ):
        assert d[key] == want[key], key
    assert d["bill_payments_count"] == 0
    assert d["bill_payments_total_fen"] == 0
    assert {k: v["sales_fen"] for k, v in d["tenders"].items()} == {
        "cash": want["cash"],
        "card": want["card"],
        "wallet": want["wallet"],
    }
    assert sum(v["sales_fen"] for v in d["tenders"].values()) == d["sales_total_fen"]
    assert {k: v["refunds_fen"] for k, v in d["tenders"].items()} == {
        "cash": want["cash_refunds"],
        "card": want["card_refunds"],
        "wallet": 0,
    }
    assert sum(v["refunds_fen"] for v in d["tenders"].values()) == d["refunds_total_fen"]
    assert d["net_fen"] == want["sales_total_fen"] - want["refunds_total_fen"]

    # Every shift of the day, with its variance; the sums of the shifts are the day's.
    assert [(s["user_name"], s["status"], s["variance_fen"]) for s in d["shifts"]] == [
        ("小王", "closed", -100),
        ("老板", "open", None),
    ]
    assert sum(s["sales_total_fen"] for s in d["shifts"]) == d["sales_total_fen"]
    assert sum(s["refunds_total_fen"] for s in d["shifts"]) == d["refunds_total_fen"]
    assert d["open_shifts"] == 1
    assert d["variance_total_fen"] == -100
    assert d["closed"] is False
    json.dumps(d)
    assert integrity.check(shop).ok  # shifts, cash moves and reports keep the books whole


def test_pending_sync_events_is_the_outbox_still_pending(
    shop: Shop, owner: Actor, cashier: Actor, clock: FixedClock
) -> None:
    a_busy_day(shop, clock, owner, cashier)
    z = reports.z_report(shop, DAY, actor=owner)
    assert z.pending_sync_events == pending_in_db(shop) > 0
    with shop.store.write() as session:  # the agent sent some, one was rejected for good
        seqs = session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).all()
        session.execute(
            update(OutboxEvent).where(OutboxEvent.seq.in_(seqs[:5])).values(status="sent")
        )
        session.execute(update(OutboxEvent).where(OutboxEvent.seq == seqs[5]).values(status="dead"))
    left = reports.z_report(shop, DAY, actor=owner).pending_sync_events
    assert left == pending_in_db(shop) == len(seqs) - 6
    # All of them, whatever day they were made on: the agent will send them all.
    assert (
        reports.z_report(shop, DAY + dt.timedelta(days=1), actor=owner).pending_sync_events == left
    )


def test_sales_before_the_cutoff_belong_to_the_previous_business_day(
    shop: Shop, owner: Actor, clock: FixedClock
) -> None:
    clock.advance(hours=12)  # 22:00 on the 25th in Shanghai
    shifts.open_shift(shop, owner, 10_000)
    first = sell(shop, owner, ("cash", 100))
    clock.advance(hours=5, minutes=30)  # 03:30 on the 26th: still the 25th's business
    assert clock.now().astimezone(shop.settings.zone).date() == dt.date(2026, 11, 26)
    sell(shop, owner, ("cash", 200))
    shifts.close_shift(shop, owner, 10_300)
    clock.advance(hours=1)  # 04:30 on the 26th: a new business day
    shifts.open_shift(shop, owner, 10_300)
    sell(shop, owner, ("card", 400))
    refund(shop, owner, first, "cash", 100)  # yesterday's sale, refunded today: today's refund
    shifts.cash_in(shop, owner, 500, "补零钱")

    late = reports.z_report(shop, DAY, actor=owner)
    assert (late.tally.sales_count, late.tally.sales_total_fen) == (2, 300)
    assert (late.tally.refunds_count, late.tally.cash_in_fen) == (0, 0)
    assert dict(late.tally.tender_refunds_fen) == {"cash": 0, "card": 0, "wallet": 0}
    assert len(late.shifts) == 1
    assert late.shifts[0].variance_fen == 0
    next_day = reports.z_report(shop, "2026-11-26", actor=owner)
    assert (next_day.tally.sales_count, next_day.tally.sales_total_fen) == (1, 400)
    assert next_day.tally.tender_sales_fen["card"] == 400
    assert (next_day.tally.refunds_count, next_day.tally.refunds_total_fen) == (1, 100)
    assert next_day.tally.tender_refunds_fen["cash"] == 100
    assert next_day.tally.cash_in_fen == 500
    assert [s.float_fen for s in next_day.shifts] == [10_300]
    assert reports.z_report(shop, actor=owner).business_day == dt.date(2026, 11, 26)  # today


@pytest.mark.parametrize(
    "day", ["2026-13-01", "yesterday", "", dt.datetime(2026, 11, 25, tzinfo=dt.UTC)]
)
def test_a_bad_day_is_refused(shop: Shop, owner: Actor, day: object) -> None:
    with pytest.raises(InvalidInput, match="date"):
        reports.z_report(shop, day, actor=owner)  # type: ignore[arg-type]
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="date"):
        reports.close_day(shop, owner, day)  # type: ignore[arg-type]
    assert snapshot(shop) == before


# --- closing the day ---------------------------------------------------------------------------


def test_close_day_is_refused_while_a_shift_is_open_and_then_freezes_the_z_report(
    shop: Shop, owner: Actor, cashier: Actor, clock: FixedClock
) -> None:
    a_busy_day(shop, clock, owner, cashier)
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="still open"):
        reports.close_day(shop, owner, DAY)
    assert snapshot(shop) == before

    clock.advance(hours=3)
    shifts.close_shift(shop, owner, 16_400)  # expected 11400 + 2000 + 3000 = 16400
    pending_before = pending_in_db(shop)
    z = reports.close_day(shop, owner, DAY)
    assert z.closed_at == clock.now()
    assert z.pending_sync_events == pending_before
    assert pending_in_db(shop) == pending_before + 1  # the day.closed event itself
    with shop.store.read() as session:
        row = session.get_one(DayClose, (shop.device_id, DAY))
        frozen = json.loads(row.report_json)
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "day.closed")).one()
    assert frozen == json.loads(json.dumps(z.as_dict()))
    assert frozen["closed"] is True
    assert frozen["sales_total_fen"] == 12_130
    assert frozen["variance_total_fen"] == -100
    assert reports.frozen_z_report(shop, DAY, actor=owner) == frozen
    payload = json.loads(event.payload_json)
    assert payload["business_day"] == "2026-11-25"
    assert payload["report"]["sales_count"] == 5

    live = reports.z_report(shop, DAY, actor=owner)
    assert live.closed_at == z.closed_at
    assert live.tally == z.tally
    assert "已日结" in live.render_text()


def test_close_day_twice_is_refused(shop: Shop, owner: Actor) -> None:
    reports.close_day(shop, owner, DAY)
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="already closed"):
        reports.close_day(shop, owner, DAY)
    assert snapshot(shop) == before


def test_after_close_day_no_shift_opens_on_that_day(shop: Shop, owner: Actor) -> None:
    reports.close_day(shop, owner, DAY)
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="already closed"):
        shifts.open_shift(shop, owner, 0)
    assert snapshot(shop) == before


def test_only_the_owner_closes_the_day(shop: Shop, cashier: Actor) -> None:
    before = snapshot(shop)
    with pytest.raises(PermissionDenied, match="owner"):
        reports.close_day(shop, cashier, DAY)
    with pytest.raises(PermissionDenied, match="owner"):
        reports.close_day(shop, None, DAY)  # type: ignore[arg-type]  # the shell cannot either
    assert snapshot(shop) == before


def test_a_day_that_has_not_begun_cannot_be_closed(shop: Shop, owner: Actor) -> None:
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="has not begun"):
        reports.close_day(shop, owner, DAY + dt.timedelta(days=1))
    assert snapshot(shop) == before


def test_a_shift_from_an_earlier_day_still_open_blocks_closing_a_later_day(
    shop: Shop, owner: Actor, clock: FixedClock
) -> None:
    shifts.open_shift(shop, owner, 0)  # on the 25th, never closed
    clock.advance(days=1, hours=12)  # 22:00 on the 26th
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="still open"):
        reports.close_day(shop, owner, "2026-11-26")
    assert snapshot(shop) == before


# --- text for the receipt printer --------------------------------------------------------------


def test_display_width_counts_cjk_as_two_columns() -> None:
    assert reports.display_width("abc") == 3
    assert reports.display_width("销售金额") == 8
    assert reports.display_width("¥12.34") == 6
    assert reports.display_width("￥，") == 4  # full-width forms


def test_rows_align_by_display_width() -> None:
    assert reports.row("现金", "¥12.34", 20) == "现金" + " " * 10 + "¥12.34"
    assert reports.row("cash", "¥12.34", 20) == "cash" + " " * 10 + "¥12.34"
    long = reports.row("很长很长很长的标签", "¥1,234,567.89", 20)
    first, second = long.split("\n")
    assert first == "很长很长很长的标签"
    assert reports.display_width(second) == 20


def test_z_report_text_lines_fit_the_receipt_and_values_line_up(
    shop: Shop, owner: Actor, cashier: Actor, clock: FixedClock
) -> None:
    a_busy_day(shop, clock, owner, cashier)
    text = reports.z_report(shop, DAY, actor=owner).render_text()
    lines = text.rstrip("\n").split("\n")
    assert all(reports.display_width(line) <= reports.RECEIPT_WIDTH for line in lines)
    money_lines = [line for line in lines if "¥" in line]
    assert money_lines
    # Every amount ends at the right edge, whatever mix of CJK and ASCII its label has.
    assert all(reports.display_width(line) == reports.RECEIPT_WIDTH for line in money_lines)
    for label, amount in (
        ("销售金额", "¥121.30"),
        ("退款金额", "¥62.50"),
        ("作废金额", "¥34.00"),
        ("取出现金", "¥100.00"),
        ("存入现金", "¥30.00"),
    ):
        assert any(line.startswith(label) and line.endswith(amount) for line in lines), label
    assert any(line.startswith("  差额") and line.endswith("-¥1.00") for line in lines)
    assert "Z 报表" in text
    assert "待同步事件" in text


def test_outbox_count_helper_agrees(shop: Shop, owner: Actor) -> None:
    shifts.open_shift(shop, owner, 0)
    with shop.store.read() as session:
        assert outbox.pending_count(session) == pending_in_db(shop) == 1
