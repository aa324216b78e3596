"""Small builders for registry tests."""

from typing import Any

from sqlalchemy import text

from shadowfleet.registry.service import Registry

SOURCE = {
    "url": "https://www.example.org/report-2020",
    "title": "A public report",
    "publisher": "Example Institute",
}


def claim(value: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "source": SOURCE, **extra}


def table_counts(reg: Registry) -> dict[str, int]:
    names = ("sources", "entities", "statements", "entity_versions", "review_items", "users", "audit_log")
    with reg.db.engine.connect() as conn:
        counts = {n: conn.execute(text(f"select count(*) from {n}")).scalar_one() for n in names}
        counts["audit_head"] = conn.execute(text("select last_seq from audit_head")).scalar_one()
    return counts
