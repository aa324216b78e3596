"""Registry fixtures: every test that takes `db_url` runs on SQLite and on a real PostgreSQL server."""

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from shadowfleet.registry.models import UserPublic
from shadowfleet.registry.service import Registry
from tests.registry.pgserver import PostgresServer, PostgresUnavailable

_counter = itertools.count()


class Backend:
    """Hands out fresh, migrated databases of one kind by copying a migrated template."""

    def __init__(self, kind: str, admin_url: str | None, workdir: Path) -> None:
        self.kind = kind
        self.admin_url = admin_url
        self.workdir = workdir
        self.template = self._make_template()

    def _psql(self, sql: str) -> None:
        assert self.admin_url is not None
        url = make_url(self.admin_url).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(sql)

    def _url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        assert self.admin_url is not None
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def _make_template(self) -> str:
        name = f"sf_template_{os.getpid()}"
        if self.kind == "postgresql":
            self._psql(f"DROP DATABASE IF EXISTS {name}")
            self._psql(f"CREATE DATABASE {name}")
        reg = Registry(self._url(name))
        reg.init()
        reg.close()
        return name

    def clean_url(self) -> str:
        """A migrated, empty database: a fresh SQLite copy, or the shared PostgreSQL one truncated."""
        if self.kind == "sqlite":
            return self.new_url()
        name = f"sf_shared_{os.getpid()}"
        if not getattr(self, "_shared_made", False):
            self._psql(f"CREATE DATABASE {name} TEMPLATE {self.template}")
            self._shared_made = True
        url = make_url(self._url(name)).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "TRUNCATE sources, entities, statements, entity_versions, review_items, users, audit_log RESTART IDENTITY CASCADE"
            )
            conn.execute("UPDATE audit_head SET last_seq = 0, last_hash = %s WHERE id = 1", ("0" * 64,))
        return self._url(name)

    def new_url(self) -> str:
        name = f"sf_test_{os.getpid()}_{next(_counter)}"
        if self.kind == "sqlite":
            shutil.copy(self.workdir / f"{self.template}.db", self.workdir / f"{name}.db")
        else:
            self._psql(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self._url(name)

    def empty_url(self) -> str:
        """A database with no tables at all (for `init` and restore tests)."""
        name = f"sf_empty_{os.getpid()}_{next(_counter)}"
        if self.kind == "postgresql":
            self._psql(f"CREATE DATABASE {name}")
        return self._url(name)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    override = os.environ.get("SHADOWFLEET_TEST_PG_URL")
    if override:
        yield override
        return
    try:
        server = PostgresServer()
        url = server.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"registry tests need PostgreSQL: {exc}")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    admin = request.getfixturevalue("pg_admin_url") if request.param == "postgresql" else None
    return Backend(request.param, admin, tmp_path_factory.mktemp(f"db-{request.param}"))


@pytest.fixture
def db_url(backend: Backend) -> str:
    return backend.clean_url()


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    reg = Registry(db_url)
    try:
        yield reg
    finally:
        reg.close()


OFAC_DIR = "ofac-sdn"
SDN_FILE = "sdn_2024-05-03.csv"
HISTORY_FILE = "derived_sdn_vessels_history_2021-08_to_2024-05.csv"


@pytest.fixture(scope="session")
def ofac_url(backend: Backend, shared_data: Path) -> str:
    """A database holding the real OFAC snapshot (with designation dates), shared read-only per backend."""
    from shadowfleet.registry import ofac

    url = backend.new_url()
    entries, listings = ofac.read_files(
        shared_data / OFAC_DIR / SDN_FILE, history=shared_data / OFAC_DIR / HISTORY_FILE
    )
    reg = Registry(url)
    with reg.db.session(ofac.ACTOR) as session:
        ofac.import_entries(session, entries, "2024-05-03", listings)
    reg.close()
    return url


@pytest.fixture
def users_of() -> dict[str, UserPublic]:
    """Signed-in contributor, editor and admin (as `authenticate` returns them; login has its own tests)."""
    return {
        role: UserPublic(id=i, username=f"{role}1", role=role)
        for i, role in enumerate(("contributor", "editor", "admin"), 1)
    }
