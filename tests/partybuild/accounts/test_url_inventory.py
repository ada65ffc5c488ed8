"""Every URL of the portal is accounted for: a new view cannot slip in without a login check.

The inventory walks the URL resolver, so adding a view without adding it to PUBLIC or to the
scope tests here fails this test.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from branches.models import OrgStatus, PositionTitle
from branches.services import position_assign
from meetings.models import MeetingStatus, MeetingType
from meetings.services import attachment_add
from members.development.models import DevelopmentStage
from members.development.services import development_apply
from members.imports.models import ImportStatus
from members.transfers.application_services import transfer_apply
from members.transfers.models import TransferKind, TransferStatus
from partybuild.notifications.models import Notification
from tests.conftest import World, login
from tests.factories import valid_id_number
from tests.meetings.conftest import at, hold
from tests.members.imports.files import BASIC_HEADERS, member_row, person_id, start, write_csv

# Reachable without logging in, on purpose.
PUBLIC = {"accounts:login", "healthz", "api:token"}


def _walk(patterns: list, ns: str | None = None, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, p.namespace or ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            name = f"{ns}:{p.name}" if ns else p.name
            found.append((name, prefix + str(p.pattern)))
    return found


def _concrete(route: str, pk: int) -> str | None:
    if "format" in route:
        return None  # the .json suffix twins of API routes
    # The router's pk pattern first: it holds a "^" of its own ([^/.]+).
    path = re.sub(r"<int:pk>|\(\?P<pk>\[\^/\.\]\+\)", str(pk), route)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    # A 发展党员 record's step and correction forms are named by a slug.
    path = path.replace("<slug:step>", "talk").replace("<slug:fact>", "talk")
    if "<" in path or "(?" in path:
        return None
    return "/" + path


def _portal_routes() -> list[tuple[str, str]]:
    return [(n, r) for n, r in _walk(get_resolver().url_patterns) if not n.startswith("admin:")]


def test_every_url_needs_a_login_except_the_public_ones(client: Client, world: World) -> None:
    checked = 0
    for name, route in _portal_routes():
        url = _concrete(route, world.member_a.pk if name.startswith(("members", "api:member")) else world.branch_a.pk)
        if url is None or name in PUBLIC:
            continue
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), f"{name} {url} answered {response.status_code} without login"
        else:
            assert response.status_code in (302, 405), f"{name} {url} answered {response.status_code} without login"
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), name
        checked += 1
    assert checked >= 24


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_urls_are_still_there(name: str) -> None:
    names = {n for n, _ in _portal_routes()}
    assert name in names


# Every URL that names an object by its pk, and what the scope test below hands it. A URL added
# with a pk and no entry here fails the test until it gets one: its 404 must prove scope.
PROBE_OF_URL = {
    "branches:detail": "organization",
    "branches:children": "organization",
    "branches:edit": "organization",
    "branches:move": "organization",
    "branches:dissolve": "organization",
    "branches:position_add": "organization",
    "branches:position_candidates": "organization",
    "branches:position_end": "position",
    "notifications:open": "notification",
    "members:detail": "member",
    "members:edit": "member",
    "members:state": "member",
    "members:import_detail": "roster_import",
    "members:import_status": "roster_import",
    "members:import_confirm": "roster_import",
    "members:import_cancel": "roster_import",
    "members:import_errors": "roster_import",
    "members:import_file": "roster_import",
    "meetings:detail": "meeting",
    "meetings:edit": "meeting",
    "meetings:cancel": "meeting",
    "meetings:print": "meeting",
    "meetings:attachment_upload": "meeting",
    "meetings:attachment_download": "meeting",
    "meetings:attachment_remove": "meeting",
    "transfers:detail": "transfer",
    "transfers:approve_out": "transfer",
    "transfers:accept": "transfer",
    "transfers:return": "transfer",
    "transfers:suspend": "transfer",
    "transfers:resume": "transfer",
    "development:detail": "development_record",
    "development:step": "development_record",
    "development:person": "development_record",
    "development:correct": "development_record",
    "api:organization-detail": "organization",
    "api:organization-children": "organization",
    "api:organization-dissolve": "organization",
    "api:organization-move": "organization",
    "api:member-detail": "member",
    "api:member-change-state": "member",
    "api:member-timeline": "member",
    "api:meeting-detail": "meeting",
    "api:meeting-attendance": "meeting",
    "api:meeting-cancel": "meeting",
    "api:transfer-detail": "transfer",
    "api:transfer-accept": "transfer",
    "api:transfer-approve-out": "transfer",
    "api:transfer-resume": "transfer",
    "api:transfer-return": "transfer",
    "api:transfer-suspend": "transfer",
    "api:dues-branch-month": "organization",
    "api:dues-branch-year": "organization",
    "api:member-dues-detail": "member",
    "api:development-detail": "development_record",
    "api:development-activist": "development_record",
    "api:development-admission-approve": "development_record",
    "api:development-admission-vote": "development_record",
    "api:development-candidate": "development_record",
    "api:development-confirm": "development_record",
    "api:development-confirmation-vote": "development_record",
    "api:development-extend": "development_record",
    "api:development-person": "development_record",
    "api:development-political-review": "development_record",
    "api:development-pre-review": "development_record",
    "api:development-probation-cancel": "development_record",
    "api:development-publicity": "development_record",
    "api:development-talk": "development_record",
    "api:development-terminate": "development_record",
    "api:development-training": "development_record",
}
# Other ids in a URL, by the name of their parameter.
PROBE_OF_PARAMETER = {"attachment_pk": "attachment", "member_pk": "member"}
# A 发展党员 record's step and correction forms are named by a slug.
SLUG_OF_PARAMETER = {"step": "talk", "fact": "talk"}

_PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_PARAMETER = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _parameters(route: str) -> list[str]:
    """The names of the route's parameters, DRF's regex groups and path converters alike."""
    names = _REGEX_PARAMETER.findall(route) + [name for _, name in _PATH_PARAMETER.findall(_REGEX_PARAMETER.sub("", route))]
    return [name for name in names if name != "format"]


def _probe_of(name: str, route: str, parameter: str) -> str:
    if parameter == "pk":
        assert name in PROBE_OF_URL, (
            f"{name} ({route}) takes a pk but has no probe object: add it to PROBE_OF_URL in "
            "tests/partybuild/accounts/test_url_inventory.py (and create that object in branch A if it is new)"
        )
        return PROBE_OF_URL[name]
    assert parameter in PROBE_OF_PARAMETER, (
        f"{name} ({route}) takes <{parameter}>, which has no probe object: add it to PROBE_OF_PARAMETER "
        "(or SLUG_OF_PARAMETER) in tests/partybuild/accounts/test_url_inventory.py"
    )
    return PROBE_OF_PARAMETER[parameter]


def _object_url(name: str, route: str, pks: dict[str, int]) -> str:
    """The route with every id replaced by its probe object's pk; a parameter without a probe object
    fails here, saying what to add."""

    def value(parameter: str) -> str:
        if parameter in SLUG_OF_PARAMETER:
            return SLUG_OF_PARAMETER[parameter]
        return str(pks[_probe_of(name, route, parameter)])

    path = _REGEX_PARAMETER.sub(lambda m: value(m[1]), route)
    path = _PATH_PARAMETER.sub(lambda m: value(m[2]), path)
    path = path.replace("^", "").replace("/?$", "").replace("$", "").replace("\\", "")
    return "/" + path


def _rolled_back(request: Callable[[], HttpResponse]) -> HttpResponse:
    """Answer a request and undo whatever it wrote, so probing as someone allowed changes nothing."""
    with transaction.atomic():
        response = request()
        transaction.set_rollback(True)
    return response


def _post(client: Client, url: str, form: dict[str, str]) -> HttpResponse:
    """A URL that only takes POST is posted to: JSON for the API, the form for a page."""
    if url.startswith("/api/"):
        return client.post(url, {}, content_type="application/json")
    return client.post(url, form)


def test_every_url_with_a_pk_has_a_probe_object() -> None:
    """The tables above follow the URLconf both ways: every id a URL takes has a probe object (or
    this fails naming the URL and what to add), and no entry stays behind for a URL that is gone."""
    with_pk: set[str] = set()
    for name, route in _portal_routes():
        for parameter in _parameters(route):
            if parameter not in SLUG_OF_PARAMETER:
                _probe_of(name, route, parameter)
            if parameter == "pk":
                with_pk.add(name)
    gone = sorted(PROBE_OF_URL.keys() - with_pk)
    assert not gone, f"PROBE_OF_URL names URLs the URLconf no longer has: {gone}"


def test_secretary_b_gets_404_on_every_page_about_branch_a(world: World, settings, tmp_path) -> None:
    """The outsider meets 'not found' on every object URL, and every object it probes exists in
    branch A (or belongs to someone there): the organization, its member, a position, a notification
    of its secretary, a roster import of branch A's rows, a meeting with its attachment, a transfer
    from branch A to branch C and a 发展党员 record. A URL that only takes POST is posted to as well.
    The same URL answers its owner (the secretary of branch A; the import's uploader) with something
    other than 404, so each 404 is about scope, not about an object that is not there."""
    settings.MEDIA_ROOT = tmp_path / "media"
    record = development_apply(
        branch=world.branch_a,
        applied_on=datetime.date(2024, 3, 1),
        actor=world.secretary_a,
        name="陈申请",
        id_number=valid_id_number(datetime.date(1995, 5, 5)),
    )
    meeting = hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 3, 5), actor=world.secretary_a)
    scan = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 scan")
    attachment = attachment_add(actor=world.secretary_a, meeting=meeting, upload=scan, kind="sign_in")
    position = position_assign(
        org=world.branch_a, member=world.member_a, title=PositionTitle.PUBLICITY, started_on=datetime.date(2025, 1, 5)
    )
    note = Notification.objects.create(recipient=world.secretary_a, title="给甲支部书记的", dedupe_key="probe")
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_province",
        member=world.member_a2,
        to_org=world.branch_c,
        reason="借调",
    )
    bad_checksum = person_id(2)[:-1] + ("1" if person_id(2)[-1] == "0" else "0")
    rows = [member_row("甲", person_id(1)), member_row("乙", bad_checksum)]
    roster_import = start(world.staff, write_csv(tmp_path / "花名册.csv", BASIC_HEADERS, rows))
    assert roster_import.error_total  # so that its error report exists
    pks = {
        "organization": world.branch_a.pk,
        "member": world.member_a.pk,
        "position": position.pk,
        "notification": note.pk,
        "roster_import": roster_import.pk,
        "meeting": meeting.pk,
        "attachment": attachment.pk,
        "transfer": transfer.pk,
        "development_record": record.pk,
    }
    client = login(world.secretary_b)
    secretary_a = login(world.secretary_a)
    uploader = login(world.staff)
    checked_meeting_routes = 0
    checked_development_actions = 0
    checked_development_forms = 0
    probed: set[str] = set()
    for name, route in _portal_routes():
        parameters = [p for p in _parameters(route) if p not in SLUG_OF_PARAMETER]
        if not parameters or "(?P<format>" in route:
            continue  # the .json suffix twins of API routes: the same view as the plain route
        url = _object_url(name, route, pks)
        form = {"talk-talked_on": "2024-03-05", "fix-talk-talked_on": "2024-03-05"} if name.startswith("development:") else {}
        owner = uploader if _probe_of(name, route, parameters[0]) == "roster_import" else secretary_a
        answer = _rolled_back(lambda: owner.get(url))  # noqa: B023 (called at once)
        if answer.status_code == 405:
            answer = _rolled_back(lambda: _post(owner, url, form))  # noqa: B023 (called at once)
        assert answer.status_code != 404, f"{name} {url} answered 404 to its owner: the probe object is not there"

        response = client.get(url)
        assert response.status_code in (404, 405), f"{name} {url} answered {response.status_code}"
        if response.status_code == 405:
            response = _post(client, url, form)
            assert response.status_code == 404, f"POST {name} {url} answered {response.status_code}"
            checked_development_actions += name.startswith("api:development")
            checked_development_forms += name.startswith("development:")
        checked_meeting_routes += name.startswith("meetings:")
        probed.add(name)
    assert probed >= PROBE_OF_URL.keys()
    assert checked_meeting_routes >= 7
    assert checked_development_actions >= 15
    assert checked_development_forms >= 3  # a step, the person, a correction
    record.refresh_from_db()
    assert (record.stage, record.history.count()) == (DevelopmentStage.APPLICANT, 1)
    attachment.refresh_from_db()
    meeting.refresh_from_db()
    assert attachment.removed_at is None
    assert meeting.status == MeetingStatus.HELD
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.INVALID
    note.refresh_from_db()
    assert note.read_at is None
    world.refresh()
    assert world.branch_a.status == OrgStatus.ACTIVE
