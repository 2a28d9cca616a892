"""Stored and reflected XSS: a corpus of payloads in every free-text field, then every page
that can be opened is crawled as each role, and no payload may come back unescaped.

Values are stored directly (not through the forms), so the test also covers data that arrived
by import, by API or before a validation rule existed. Each field gets its own tag, and the
escaped tag must show up somewhere in the crawl: a field no page shows is listed by name.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from markupsafe import escape
from sqlalchemy import String

from kotaku_collab.models import (AgendaItem, AgreementPoint, Amendment, Cadence,
                                  CommitmentStatus, CommitmentUpdate, CoordinationMechanism,
                                  EvidenceFile, MechanismMeeting, MechanismType, Minutes,
                                  Organisation, Person, Registration, Role, Sector, SessionType,
                                  StrategicIssue, User, Verification, VerificationDecision,
                                  VoteSession, Workshop)
from tests import factories

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW = (SCRIPT, ATTRIBUTE, "<img src=x", "<script>alert")
JAVASCRIPT_LINK = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)

#: (model, column) → tag. Each value is TAG + one of the two payloads.
FIELDS = {
    (Workshop, "title"): "wti", (Workshop, "venue"): "wve",
    (Workshop, "invitation_number"): "win", (Workshop, "opened_by_position"): "wop",
    (Workshop, "cancel_reason"): "wcr", (Workshop, "data_note"): "wdn",
    (AgendaItem, "title"): "ati",
    (Organisation, "name"): "ona", (Organisation, "short_name"): "osn",
    (Organisation, "contact"): "oco",
    (Person, "name"): "pna", (Person, "title_prefix"): "ptp", (Person, "title_suffix"): "pts",
    (Person, "position"): "ppo",
    (StrategicIssue, "title"): "iti", (StrategicIssue, "description"): "ide",
    (CoordinationMechanism, "name"): "mna", (CoordinationMechanism, "description"): "mde",
    (CoordinationMechanism, "legal_basis"): "mlb",
    (MechanismMeeting, "notes"): "mmn",
    (AgreementPoint, "text"): "ate",
    ("Commitment", "title"): "cti", ("Commitment", "description"): "cde",
    ("Commitment", "location_text"): "clt", ("Commitment", "unit"): "cun",
    ("Commitment", "document_ref"): "cdr", ("Commitment", "integrated_into"): "cii",
    (CommitmentUpdate, "narrative"): "una",
    (Verification, "comment"): "vco",
    (EvidenceFile, "original_name"): "eon",
    (Registration, "delegate_name"): "rdn",
    (Minutes, "document_number"): "ndn", (Minutes, "opened_by"): "nob",
    (Minutes, "opening_remarks"): "nor", (Minutes, "presentations"): "npr",
    (Minutes, "discussion_summary"): "nds",
    (Amendment, "reason"): "xre", (Amendment, "summary"): "xsu",
    (User, "name"): "una2",
}

#: Fields that must be seen (escaped) on at least one page: the ones the issue names.
MUST_BE_SHOWN = {"wti", "wve", "ati", "ona", "pna", "ppo", "iti", "ide", "mna", "mde", "ate",
                 "cti", "cde", "una"}


def value(tag: str, n: int = 0) -> str:
    return tag + (SCRIPT if n % 2 == 0 else ATTRIBUTE)


def _fits(model, column: str, text: str) -> str:
    """Cut to the column's length (PostgreSQL enforces it), keeping the tag and '<'."""
    col = model.__table__.columns[column]
    if isinstance(col.type, String) and col.type.length and len(text) > col.type.length:
        return text[:col.type.length]
    return text


def fill(obj, n=0):
    model = type(obj)
    for (m, column), tag in FIELDS.items():
        if m is model or m == model.__name__:
            setattr(obj, column, _fits(model, column, value(tag, n)))
            n += 1
    return obj


@pytest.fixture
def corpus(db, app, tmp_path, monkeypatch):
    """One Klungkung workshop with everything filled with payloads; ids for URLs."""
    region = factories.make_region("51.05")
    workshop = fill(factories.make_workshop("51.05", objectives=[value("wob"), value("wo2", 1)]))
    org = fill(factories.make_organisation("x", sector=Sector.MASYARAKAT))
    org.normalised_name = "xss-org"
    person = fill(factories.make_person(organisation=org, phone="+6281234567890",
                                        email="ayu@example.org"))
    workshop.opened_by = person
    registration = fill(factories.make_registration(workshop, person))
    issue = fill(factories.make_issue(workshop))
    commitment = fill(factories.make_commitment(org, workshop))
    commitment.committed_by_id = person.id
    item = fill(AgendaItem(workshop_id=workshop.id, title="x", session_type=SessionType.DISKUSI_KELOMPOK,
                           starts_at=workshop.starts_at, moderator_id=person.id,
                           ends_at=workshop.starts_at + timedelta(minutes=30)))
    mechanism = fill(CoordinationMechanism(workshop_id=workshop.id,
                                           type=MechanismType.RAPAT_POKJA_PKP, name="x",
                                           cadence=Cadence.TRIWULANAN,
                                           lead_organisation_id=org.id,
                                           contact_channel="javascript:alert(1)"))
    point = fill(AgreementPoint(workshop_id=workshop.id, number=1, text="x"))
    update = fill(CommitmentUpdate(commitment_id=commitment.id, reported_on=date(2030, 1, 10),
                                   status=CommitmentStatus.DILAKSANAKAN, percent_complete=10))
    minutes = fill(Minutes(workshop_id=workshop.id,
                           signatories=[{"name": value("nsn"), "position": value("nsp", 1),
                                         "organisation": value("nso")}]))
    vote = VoteSession(workshop_id=workshop.id, votes_per_participant=3)
    db.session.add_all([item, mechanism, point, update, minutes, vote])
    db.session.flush()
    stored = "b" * 32 + ".pdf"
    evidence = fill(EvidenceFile(update_id=update.id, stored_name=stored, original_name="x",
                                 content_type="application/pdf", size_bytes=8))
    meeting = fill(MechanismMeeting(mechanism_id=mechanism.id, held_on=date(2030, 1, 15)))
    verification = fill(Verification(update_id=update.id, decision=VerificationDecision.NEEDS_REVISION))
    amendment = fill(Amendment(workshop_id=workshop.id, reason="x", summary="x"))
    db.session.add_all([evidence, meeting, verification, amendment])
    users = {
        "admin": fill(factories.make_user(Role.ADMIN)),
        "organiser": fill(factories.make_user(Role.ORGANISER, regions=["51.05"])),
        "stakeholder": fill(factories.make_user(Role.STAKEHOLDER, organisation=org)),
        "reviewer": fill(factories.make_user(Role.REVIEWER, regions=["51.05"])),
    }
    db.session.flush()
    ids = {
        "workshop_id": workshop.id, "code": workshop.code, "item_id": item.id,
        "registration_id": registration.id, "registration_code": registration.code,
        "user_id": users["stakeholder"].id, "region_code": region.code,
        "entity_type": "Workshop", "entity_id": workshop.id, "organisation_id": org.id,
        "person_id": person.id, "issue_id": issue.id, "mechanism_id": mechanism.id,
        "meeting_id": meeting.id, "point_id": point.id, "commitment_id": commitment.id,
        "update_id": update.id, "evidence_id": evidence.id, "token": "not-a-token",
    }
    tokens = {role: user.session_token for role, user in users.items()}
    db.session.commit()
    monkeypatch.setitem(app.config, "EVIDENCE_UPLOAD_DIR", str(tmp_path))
    (tmp_path / stored).write_bytes(b"%PDF-1.4")
    return ids, tokens


def _urls(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), "1")), rule.rule)
        yield rule.endpoint, url


def _client(app, token=None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if token:
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["auth_at"] = datetime.now(timezone.utc).timestamp()
    return client


def _check(html: str, where) -> None:
    for raw in RAW:
        assert raw not in html, (where, raw, html[max(html.find(raw) - 200, 0):html.find(raw) + 50])
    assert not JAVASCRIPT_LINK.search(html), where


def _crawl(app, tokens, ids, query=""):
    """Every GET page as every role; HTML bodies checked. Returns all HTML seen, joined."""
    seen = []
    for role in (None, "admin", "organiser", "stakeholder", "reviewer"):
        client = _client(app, tokens.get(role))
        for endpoint, url in _urls(app, ids):
            response = client.get(url + query)
            assert response.status_code < 500, (role, url, response.status_code)
            if response.mimetype == "text/html":
                html = response.get_data(as_text=True)
                _check(html, (role, endpoint))
                seen.append(html)
            response.close()
    return "\n".join(seen)


def test_stored_payloads_come_back_escaped_on_every_page(app, corpus):
    ids, tokens = corpus
    pages = _crawl(app, tokens, ids)
    shown = {tag for tag in set(FIELDS.values()) | {"wob", "nsn"}
             if str(escape(tag + "<")) in pages or str(escape(tag + '"')) in pages}
    missing = MUST_BE_SHOWN - shown
    assert not missing, f"fields no page showed (the crawl did not test them): {missing}"


def test_reflected_query_values_come_back_escaped(app, corpus):
    """Search boxes and filters echo what was typed: the payload goes into every common
    query parameter of every page."""
    ids, tokens = corpus
    names = ("q", "search", "name", "organisation", "sector", "status", "when", "region",
             "page", "next", "kind", "province", "kabkota", "start", "end", "action",
             "entity_type", "workshop_id", "actor_id")
    from urllib.parse import urlencode

    query = "?" + urlencode({n: value(n, i) for i, n in enumerate(names)})
    pages = _crawl(app, {"admin": tokens["admin"]}, ids, query=query)
    assert str(escape(value("q"))) in pages  # at least the search box echoed it, escaped


def test_javascript_links_are_never_made_clickable(app, corpus, db):
    ids, tokens = corpus
    client = _client(app, tokens["organiser"])
    page = client.get(f"/workshops/{ids['workshop_id']}/outcomes/mechanisms/"
                      f"{ids['mechanism_id']}").get_data(as_text=True)
    assert "javascript:alert(1)" in page  # shown as text
    assert not JAVASCRIPT_LINK.search(page)
