"""`storebox db check`: is the local store whole, and does the books' evidence hold?

Four layers, cheapest first: SQLite's own page-level check, foreign keys, the journal's hash
chain (names the first broken link), and the shop's invariants across tables — each sale's
lines and payments add up to its total, each product's stock equals the sum of its stock moves,
each refunded quantity equals its refund lines, each journal entry has its outbox event.

Bill payments (便民缴费, `storebox.billpay`) are the platform's money in the shop's drawer or on
its terminal, so they get invariants of their own: a payment's money (cash handed over, or the
card attempt that charged it) is its amount on its tender; a failed payment has exactly one
refund task and nothing else has one; a task's money is the payment's and a refunded task's
money went out on that tender (the card refund's attempt); every payment's
`bill_payment.accepted` (and every refund's `bill_payment.refunded`) event is in the outbox with
its payment_id, so the hub hears of it; and each closed shift's frozen expected cash counts the
bill cash taken and refunded in it, as `shifts.expected_cash` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from storebox import journal
from storebox.shop import Shop

#: name → SQL returning offending rows (an id and a short description); empty means it holds.
INVARIANTS: dict[str, str] = {
    "sale_without_lines": """
        SELECT s.number FROM sales s
        WHERE NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id) LIMIT 20""",
    "sale_lines_do_not_add_up": """
        SELECT s.number FROM sales s
        JOIN (SELECT sale_id, SUM(line_total_fen) AS t FROM sale_lines GROUP BY sale_id) l
          ON l.sale_id = s.id
        WHERE l.t <> s.total_fen LIMIT 20""",
    "sale_payments_do_not_add_up": """
        SELECT s.number FROM sales s
        LEFT JOIN (SELECT sale_id, SUM(amount_fen) AS t FROM payments GROUP BY sale_id) p
          ON p.sale_id = s.id
        WHERE COALESCE(p.t, 0) <> s.total_fen LIMIT 20""",
    "sale_stock_moves_missing": """
        SELECT s.number FROM sales s
        WHERE (SELECT COUNT(*) FROM sale_lines l WHERE l.sale_id = s.id)
            > (SELECT COUNT(*) FROM stock_moves m WHERE m.ref_id = s.id AND m.reason = 'sale')
        LIMIT 20""",
    "stock_differs_from_ledger": """
        SELECT p.name FROM products p
        LEFT JOIN (SELECT product_id, SUM(qty_delta) AS q FROM stock_moves GROUP BY product_id) m
          ON m.product_id = p.id
        WHERE COALESCE(m.q, 0) <> p.stock_qty LIMIT 20""",
    "refunded_qty_differs_from_refunds": """
        SELECT l.id FROM sale_lines l
        LEFT JOIN (SELECT sale_line_id, SUM(qty) AS q FROM refund_lines GROUP BY sale_line_id) r
          ON r.sale_line_id = l.id
        WHERE COALESCE(r.q, 0) <> l.refunded_qty LIMIT 20""",
    "refund_payments_do_not_add_up": """
        SELECT f.number FROM refunds f
        LEFT JOIN (SELECT refund_id, SUM(amount_fen) AS t FROM refund_payments GROUP BY refund_id) p
          ON p.refund_id = f.id
        WHERE COALESCE(p.t, 0) <> f.total_fen LIMIT 20""",
    "journal_entry_without_outbox_event": """
        SELECT j.seq FROM journal j
        WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = j.id) LIMIT 20""",
    "money_event_without_journal_entry": """
        SELECT s.number FROM sales s
        WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.ref_id = s.id AND j.kind = 'sale.completed')
        UNION ALL
        SELECT f.number FROM refunds f
        WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.ref_id = f.id AND j.kind = 'refund.completed')
        LIMIT 20""",
    # --- bill payments (storebox.billpay) -------------------------------------------------------
    # cash: handed over = amount + change, no card attempt; card: no change, and the card
    # attempt it names charged exactly the amount and was used by it
    "bill_payment_money_differs": """
        SELECT b.number FROM bill_payments b
        LEFT JOIN payment_attempts a ON a.reference = b.card_reference
        WHERE b.tendered_fen <> b.amount_fen + b.change_fen
           OR (b.tender = 'cash' AND b.card_reference IS NOT NULL)
           OR (b.tender = 'card' AND (b.change_fen <> 0 OR a.id IS NULL OR a.kind <> 'card'
               OR a.operation <> 'sale' OR a.amount_fen <> b.amount_fen OR a.status <> 'used'))
           OR b.tender NOT IN ('cash', 'card')
        LIMIT 20""",
    # one refund task per failed payment (UNIQUE says at most one; this says at least one, and
    # none for a payment that did not fail)
    "bill_refund_task_not_one_per_failed_payment": """
        SELECT b.number FROM bill_payments b
        WHERE (SELECT COUNT(*) FROM bill_refunds r WHERE r.payment_id = b.id)
           <> CASE WHEN b.status = 'failed' THEN 1 ELSE 0 END
        UNION ALL
        SELECT r.id FROM bill_refunds r
        WHERE NOT EXISTS (SELECT 1 FROM bill_payments b WHERE b.id = r.payment_id)
        LIMIT 20""",
    # a task owes the payment's amount on its tender; once refunded, a card refund's attempt
    # gave back exactly that, and a cash refund came out of a shift's drawer
    "bill_refund_money_differs": """
        SELECT b.number FROM bill_refunds r
        JOIN bill_payments b ON b.id = r.payment_id
        LEFT JOIN payment_attempts a ON a.reference = r.reference
        WHERE r.amount_fen <> b.amount_fen OR r.tender <> b.tender
           OR (r.status = 'done' AND r.tender = 'card' AND (a.id IS NULL OR a.kind <> 'card'
               OR a.operation <> 'refund' OR a.amount_fen <> r.amount_fen OR a.status <> 'used'))
           OR (r.status = 'done' AND r.tender = 'cash'
               AND (r.reference IS NOT NULL OR r.shift_id IS NULL))
        LIMIT 20""",
    # the hub hears of every payment and every refund only through these events
    "bill_payment_event_missing": """
        SELECT b.number FROM bill_payments b
        WHERE NOT EXISTS (
            SELECT 1 FROM outbox o WHERE o.kind = 'bill_payment.accepted'
              AND json_extract(o.payload_json, '$.payment_id') = b.id
              AND json_extract(o.payload_json, '$.amount_fen') = b.amount_fen
              AND json_extract(o.payload_json, '$.tender') = b.tender)
        UNION ALL
        SELECT b.number FROM bill_refunds r JOIN bill_payments b ON b.id = r.payment_id
        WHERE r.status = 'done' AND NOT EXISTS (
            SELECT 1 FROM outbox o WHERE o.kind = 'bill_payment.refunded'
              AND json_extract(o.payload_json, '$.payment_id') = b.id
              AND json_extract(o.payload_json, '$.amount_fen') = r.amount_fen)
        LIMIT 20""",
    # a closed shift's expected cash, frozen at closing, is its drawer's ledger: the float,
    # cash sales less cash refunds, cash in less cash out, and the bill payments taken in cash
    # less the bill refunds paid out in cash (the platform's money is in the same drawer)
    "shift_expected_cash_differs": """
        SELECT sh.id FROM shifts sh
        WHERE sh.status = 'closed' AND sh.expected_fen IS NOT NULL AND sh.expected_fen <> (
            sh.float_fen
            + (SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p
               JOIN sales s ON s.id = p.sale_id WHERE s.shift_id = sh.id AND p.kind = 'cash')
            - (SELECT COALESCE(SUM(rp.amount_fen), 0) FROM refund_payments rp
               JOIN refunds f ON f.id = rp.refund_id WHERE f.shift_id = sh.id AND rp.kind = 'cash')
            + (SELECT COALESCE(SUM(m.amount_fen), 0) FROM cash_movements m
               WHERE m.shift_id = sh.id AND m.kind = 'in')
            - (SELECT COALESCE(SUM(m.amount_fen), 0) FROM cash_movements m
               WHERE m.shift_id = sh.id AND m.kind = 'out')
            + (SELECT COALESCE(SUM(b.amount_fen), 0) FROM bill_payments b
               WHERE b.shift_id = sh.id AND b.tender = 'cash')
            - (SELECT COALESCE(SUM(r.amount_fen), 0) FROM bill_refunds r
               WHERE r.shift_id = sh.id AND r.status = 'done' AND r.tender = 'cash'))
        LIMIT 20""",
}


@dataclass
class CheckReport:
    integrity: str = "ok"
    foreign_key_violations: int = 0
    chain: journal.ChainReport | None = None
    broken_invariants: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.integrity == "ok"
            and self.foreign_key_violations == 0
            and self.chain is not None
            and self.chain.ok
            and not self.broken_invariants
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "integrity": self.integrity,
            "foreign_key_violations": self.foreign_key_violations,
            "journal": self.chain.as_dict() if self.chain else None,
            "broken_invariants": self.broken_invariants,
        }

    def render_text(self) -> str:
        lines = [f"数据库完整性 / integrity_check: {self.integrity}"]
        lines.append(f"外键 / foreign key violations: {self.foreign_key_violations}")
        if self.chain is not None:
            if self.chain.ok:
                lines.append(f"日记账哈希链 / journal chain: ok ({self.chain.entries} entries)")
            else:
                lines.append(
                    f"日记账哈希链断裂 / journal chain BROKEN at entry {self.chain.first_broken_seq}: "
                    f"{self.chain.problem}"
                )
        for name, rows in self.broken_invariants.items():
            lines.append(f"不一致 / {name}: {', '.join(rows)}")
        lines.append("结果 / result: " + ("OK" if self.ok else "PROBLEMS FOUND"))
        return "\n".join(lines)


def check(shop: Shop) -> CheckReport:
    report = CheckReport()
    with shop.store.read() as session:
        rows = [str(r[0]) for r in session.execute(text("PRAGMA integrity_check")).all()]
        report.integrity = "ok" if rows == ["ok"] else "; ".join(rows[:10])
        report.foreign_key_violations = len(session.execute(text("PRAGMA foreign_key_check")).all())
        report.chain = journal.verify(session)
        for name, sql in INVARIANTS.items():
            bad = [str(r[0]) for r in session.execute(text(sql)).all()]
            if bad:
                report.broken_invariants[name] = bad
    return report
