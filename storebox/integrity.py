"""`storebox db check`: is the local store whole, and does the books' evidence hold?

Four layers, cheapest first: SQLite's own page-level check, foreign keys, the journal's hash
chain (names the first broken link), and the shop's invariants across tables — each sale's
lines and payments add up to its total, each product's stock equals the sum of its stock moves,
each refunded quantity equals its refund lines, each journal entry has its outbox event.
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
