from sqlalchemy import text

from shadowfleet.registry.service import Registry


def test_fresh_database_is_migrated_and_empty(registry: Registry) -> None:
    assert registry.initialised
    with registry.db.engine.connect() as conn:
        assert conn.execute(text("select count(*) from entities")).scalar_one() == 0
        assert conn.execute(text("select last_seq from audit_head")).scalar_one() == 0
