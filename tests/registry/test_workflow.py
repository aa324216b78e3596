"""Editorial workflow, versions, optimistic locking, corrections on the record, retention, users."""

import json
import subprocess
from datetime import date

import pytest
from sqlalchemy import text

from shadowfleet.registry import ftm
from shadowfleet.registry.models import CorrectionCreate, EntityCreate, EntityUpdate, UserPublic
from shadowfleet.registry.queries import NotFound
from shadowfleet.registry.service import ConflictError, Registry, WorkflowError
from shadowfleet.registry.users import AuthenticationError, PermissionDenied
from tests.registry.helpers import claim


def _person(reg: Registry, user: UserPublic, name: str = "Colonel Example") -> str:
    return reg.create_draft(
        user, EntityCreate(schema="Person", properties={"name": [claim(name)], "title": [claim("Colonel")]})
    ).id


REVIEWER = UserPublic(id=9, username="reviewer1", role="editor")  # the second pair of eyes


def _publish(reg: Registry, editor: UserPublic, entity_id: str) -> int:
    """Submit (as `editor`) and publish (as a second editor, as entries naming people require)."""
    e = reg.entity(entity_id, include_unpublished=True)
    if e.status == "draft":
        e = reg.submit_for_review(editor, entity_id, e.version)
    return reg.publish(REVIEWER, entity_id, e.version).version


def test_draft_review_publish_retract(registry: Registry, users_of: dict[str, UserPublic]) -> None:
    contributor, editor = users_of["contributor"], users_of["editor"]
    pid = _person(registry, contributor)
    with pytest.raises(NotFound):
        registry.entity(pid)  # drafts are not public
    submitted = registry.submit_for_review(contributor, pid, 1)
    assert submitted.status == "in_review"
    with pytest.raises(PermissionDenied):
        registry.publish(contributor, pid, submitted.version)
    with pytest.raises(WorkflowError):
        registry.submit_for_review(contributor, pid, submitted.version)
    published = registry.publish(editor, pid, submitted.version)
    assert registry.entity(pid).values("name") == ["Colonel Example"]
    with pytest.raises(ValueError, match="reason"):
        registry.retract(editor, pid, "  ", published.version)
    retracted = registry.retract(editor, pid, "The source misidentified the person.", published.version)
    public = registry.entity(pid)
    assert (public.status, public.retraction_reason, public.statements) == (
        "retracted",
        "The source misidentified the person.",
        [],
    )
    history = registry.versions(pid)
    assert [(v.version, v.status) for v in history] == [
        (1, "draft"),
        (2, "in_review"),
        (3, "published"),
        (4, "retracted"),
    ]
    assert history[0].snapshot["statements"][0]["value"] in ("Colonel Example", "Colonel")
    assert retracted.version == 4


def test_every_version_is_kept_with_its_content(registry: Registry, users_of: dict[str, UserPublic]) -> None:
    editor = users_of["editor"]
    vid = registry.create_draft(
        editor, EntityCreate(schema="Vessel", properties={"name": [claim("OLD NAME")]})
    ).id
    registry.update_draft(
        editor,
        vid,
        EntityUpdate(expected_version=1, properties={"name": [claim("NEW NAME", start_date="2022-03")]}),
    )
    versions = registry.versions(vid)
    names = [[s["value"] for s in v.snapshot["statements"] if s["prop"] == "name"] for v in versions]  # type: ignore[union-attr,index]
    assert names == [["OLD NAME"], ["NEW NAME"]]
    assert registry.entity(vid, include_unpublished=True).caption == "NEW NAME"


def test_second_editor_gets_a_conflict_and_nothing_is_lost(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    editor, admin = users_of["editor"], users_of["admin"]
    vid = registry.create_draft(
        editor, EntityCreate(schema="Vessel", properties={"name": [claim("SHARED")]})
    ).id
    loaded_by_a = registry.entity(vid, include_unpublished=True).version
    loaded_by_b = registry.entity(vid, include_unpublished=True).version
    registry.update_draft(
        editor, vid, EntityUpdate(expected_version=loaded_by_a, properties={"flag": [claim("pa")]})
    )
    b_changes = EntityUpdate(expected_version=loaded_by_b, properties={"flag": [claim("lr")]})
    with pytest.raises(ConflictError) as err:
        registry.update_draft(admin, vid, b_changes)
    assert (err.value.expected, err.value.current) == (1, 2)
    assert err.value.attempted == b_changes  # the second editor's work comes back to them
    now = registry.entity(vid, include_unpublished=True)
    assert now.values("flag") == ["pa"] and now.version == 2
    assert len(registry.versions(vid)) == 2
    with pytest.raises(ConflictError):
        registry.submit_for_review(admin, vid, loaded_by_b)


def test_corrections_and_replies_are_answered_on_the_record(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    editor = users_of["editor"]
    pid = _person(registry, editor)
    _publish(registry, editor, pid)
    request = registry.submit_correction(
        CorrectionCreate(
            kind="reply",
            entity_id=pid,
            message="I left the post in 2019.",
            submitter_name="C. Example",
            submitter_contact="private@example.org",
        )
    )
    queue = registry.review_queue(editor, kind="reply")
    assert [i.id for i in queue] == [request.id]
    assert "private@example.org" not in json.dumps([i.model_dump(mode="json") for i in queue])
    assert registry.person(pid).corrections == []  # unanswered requests are not yet public
    with pytest.raises(PermissionDenied):
        registry.answer_correction(users_of["contributor"], request.id, "no")
    registry.answer_correction(
        editor, request.id, "Checked against the embassy list; the end date is now recorded."
    )
    [answered] = registry.person(pid).corrections
    assert (
        answered.answer and answered.message == "I left the post in 2019." and answered.status == "answered"
    )
    assert "private@example.org" not in answered.model_dump_json()
    assert registry.review_queue(editor, kind="reply") == []


def _occupancy(reg: Registry, editor: UserPublic, person_id: str, start: str, end: str | None) -> None:
    post = reg.create_draft(
        editor,
        EntityCreate(
            schema="Position", properties={"name": [claim("Military attaché")], "country": [claim("ve")]}
        ),
    )
    _publish(reg, editor, post.id)
    props = {
        "holder": [claim(person_id)],
        "post": [claim(post.id)],
        "startDate": [claim(start)],
        "location": [claim("Caracas")],
        "confidence": [claim("high")],
    }
    if end:
        props["endDate"] = [claim(end)]
    occ = reg.create_draft(editor, EntityCreate(schema="Occupancy", properties=props))
    _publish(reg, editor, occ.id)


def test_retention_hides_people_long_out_of_post(registry: Registry, users_of: dict[str, UserPublic]) -> None:
    editor = users_of["editor"]
    this_year = date.today().year
    cases = {
        "in post": (None,),
        "left recently": (str(this_year - 2),),
        "left long ago": (str(this_year - 7),),
    }
    ids = {}
    for label, (end,) in cases.items():
        ids[label] = _person(registry, editor, f"Officer {label}")
        _publish(registry, editor, ids[label])
        _occupancy(registry, editor, ids[label], str(this_year - 10), end)
    listed = {p.person.id for p in registry.list_persons()}
    assert listed == {ids["in post"], ids["left recently"]}
    person = registry.person(ids["in post"])
    [occ] = person.occupancies
    assert (occ.location, occ.confidence, occ.post.caption if occ.post else None) == (
        "Caracas",
        "high",
        "Military attaché",
    )
    with pytest.raises(NotFound):
        registry.person(ids["left long ago"])
    with pytest.raises(NotFound):
        registry.entity(ids["left long ago"])
    with registry.db.session() as s:
        exported = {e["id"] for e in ftm.export_entities(s, registry.retention_years)}
    assert ids["left recently"] in exported and ids["left long ago"] not in exported
    assert (
        registry.entity(ids["left long ago"], include_unpublished=True).caption == "Officer left long ago"
    )  # kept for editors


def test_users_argon2_and_authentication(registry: Registry) -> None:
    user = registry.create_user("editor.ana", "a long passphrase", "editor")
    assert registry.authenticate("editor.ana", "a long passphrase") == user
    with pytest.raises(AuthenticationError):
        registry.authenticate("editor.ana", "wrong passphrase")
    with pytest.raises(AuthenticationError):
        registry.authenticate("nobody", "a long passphrase")
    with pytest.raises(ValueError, match="role"):
        registry.create_user("x", "a long passphrase", "superuser")
    with pytest.raises(ValueError, match="already exists"):
        registry.create_user("editor.ana", "another passphrase", "editor")
    with registry.db.engine.connect() as conn:
        stored = conn.execute(text("select password_hash from users")).scalar_one()
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored


def test_cli_users_create_reads_password_from_stdin(
    db_url: str, cli_cmd: list[str], cli_env: dict[str, str]
) -> None:
    args = [
        *cli_cmd,
        "users",
        "create",
        "--db",
        db_url,
        "--username",
        "ed",
        "--role",
        "editor",
        "--password-stdin",
    ]
    done = subprocess.run(args, input="correct horse battery\n", capture_output=True, text=True, env=cli_env)
    assert done.returncode == 0, done.stderr
    reg = Registry(db_url)
    try:
        assert reg.authenticate("ed", "correct horse battery").role == "editor"
    finally:
        reg.close()
    again = subprocess.run(args, input="short\n", capture_output=True, text=True, env=cli_env)
    assert again.returncode == 2 and "password" in again.stderr


def test_row_version_guards_a_write_racing_past_the_check(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    """Both editors passed the version check; the database still refuses the stale write."""
    from sqlalchemy.orm.exc import StaleDataError

    from shadowfleet.registry.tables import Entity

    editor = users_of["editor"]
    vid = registry.create_draft(
        editor, EntityCreate(schema="Vessel", properties={"name": [claim("RACE")]})
    ).id
    with pytest.raises(StaleDataError), registry.db.session("editor2") as slow:
        stale = slow.get(Entity, vid)
        assert stale is not None and stale.row_version == 1
        registry.update_draft(
            editor, vid, EntityUpdate(expected_version=1, properties={"flag": [claim("pa")]})
        )
        stale.caption = "STALE WRITE"
        slow.flush()
    now = registry.entity(vid, include_unpublished=True)
    assert (now.caption, now.version, now.values("flag")) == ("RACE", 2, ["pa"])


def test_cli_users_list_disable_enable(db_url: str, cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli_cmd, "users", *args, "--db", db_url],
            input=stdin,
            capture_output=True,
            text=True,
            env=cli_env,
        )

    assert (
        run(
            "create",
            "--username",
            "ed",
            "--role",
            "editor",
            "--password-stdin",
            stdin="correct horse battery\n",
        ).returncode
        == 0
    )
    assert run("create", "--username", "cy", "--password-stdin", stdin="another long one\n").returncode == 0
    listed = run("list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [r[:3] for r in rows] == [["cy", "contributor", "active"], ["ed", "editor", "active"]]
    assert "argon2" not in listed.stdout
    assert run("disable", "ed").returncode == 0
    reg = Registry(db_url)
    try:
        with pytest.raises(AuthenticationError):
            reg.authenticate("ed", "correct horse battery")
        assert [u["active"] for u in reg.list_users()] == [True, False]
        assert run("enable", "ed").returncode == 0
        assert reg.authenticate("ed", "correct horse battery").username == "ed"
    finally:
        reg.close()
    missing = run("disable", "nobody")
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr


def test_an_entry_naming_a_person_is_published_by_a_second_editor(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    editor = users_of["editor"]
    pid = _person(registry, editor)
    submitted = registry.submit_for_review(editor, pid, 1)
    with pytest.raises(WorkflowError, match="second editor"):
        registry.publish(editor, pid, submitted.version)
    with pytest.raises(WorkflowError, match="second editor"):
        registry.publish(
            users_of["admin"].model_copy(update={"username": editor.username}), pid, submitted.version
        )
    published = registry.publish(REVIEWER, pid, submitted.version)
    assert published.status == "published"
    versions = registry.versions(pid)
    assert [(v.actor, v.status) for v in versions][-1] == (REVIEWER.username, "published")


def test_entries_not_naming_people_need_no_second_editor(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    editor = users_of["editor"]
    company = registry.create_draft(
        editor, EntityCreate(schema="Company", properties={"name": [claim("Example Ltd")]})
    )
    submitted = registry.submit_for_review(editor, company.id, company.version)
    assert registry.publish(editor, company.id, submitted.version).status == "published"
