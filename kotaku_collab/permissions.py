"""The single authorisation policy. Routes, templates and the API all ask `can()`.

Each action is a named rule taking (user, obj). Region scope is decided here too: organisers
and reviewers act only inside the regions on their account (or everywhere when national);
stakeholders see the region of their organisation and edit only their organisation's records.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import false, or_, true

from kotaku_collab.models import Role


def _is(user, *roles: Role) -> bool:
    return user is not None and user.is_authenticated and user.role in roles


def scope_codes(user) -> list[str] | None:
    """Region codes a user may see, or None for everywhere."""
    if user.role is Role.ADMIN or user.is_national:
        return None
    if user.role is Role.STAKEHOLDER:
        org = user.organisation
        return [org.region_code] if org is not None and org.region_code else None
    return user.region_codes


def in_scope(user, region_code: str | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    codes = scope_codes(user)
    if codes is None:
        return True
    if not region_code:
        return False
    return any(region_code == c or region_code.startswith(c + ".") for c in codes)


def scope_clause(user, column):
    """A SQL condition limiting `column` (a region code) to the user's scope."""
    codes = scope_codes(user)
    if codes is None:
        return true()
    if not codes:
        return false()
    return or_(*(or_(column == c, column.like(c + ".%")) for c in codes))


def _manages_region(user, region_code) -> bool:
    return _is(user, Role.ADMIN) or (_is(user, Role.ORGANISER) and in_scope(user, region_code))


def _own_organisation(user, organisation_id) -> bool:
    return _is(user, Role.STAKEHOLDER) and organisation_id is not None \
        and user.organisation_id == organisation_id


RULES: dict[str, Callable] = {
    "admin.access": lambda u, o: _is(u, Role.ADMIN),
    "user.manage": lambda u, o: _is(u, Role.ADMIN),
    "audit.view": lambda u, o: _is(u, Role.ADMIN),
    "workshop.list": lambda u, o: u is not None and u.is_authenticated,
    "workshop.create": lambda u, o: _is(u, Role.ADMIN, Role.ORGANISER),
    "workshop.view": lambda u, o: in_scope(u, o.region_code),
    "workshop.manage": lambda u, o: _manages_region(u, o.region_code),
    # Scheduling a workshop in a region (obj is the Region).
    "workshop.create_in": lambda u, o: _manages_region(u, o.code),
    # Marking a finalised workshop as reviewed by Bappeda.
    "workshop.review": lambda u, o: _is(u, Role.ADMIN)
    or (_is(u, Role.REVIEWER) and in_scope(u, o.region_code)),
    # Phone numbers and e-mail addresses of participants (UU PDP: only those who need them).
    "participant.view_personal": lambda u, o: _manages_region(u, o.region_code),
    "outcome.edit": lambda u, o: _manages_region(u, o.region_code),
    # Reading a workshop's outcomes (issues, vote, mechanisms, minutes; obj is the Workshop):
    # stakeholders, reviewers and organisers in scope.
    "outcome.view": lambda u, o: in_scope(u, o.region_code),
    "commitment.view": lambda u, o: in_scope(u, o.region_code)
    or _own_organisation(u, o.organisation_id),
    "commitment.edit": lambda u, o: _manages_region(u, o.region_code)
    or _own_organisation(u, o.organisation_id),
    "commitment.verify": lambda u, o: _is(u, Role.ADMIN)
    or (_is(u, Role.REVIEWER) and in_scope(u, o.region_code)),
    # The commitment lists (each row still passes commitment.view through the region scope).
    "commitment.list": lambda u, o: u is not None and u.is_authenticated,
    # Logging a new commitment: organisers for any organisation, stakeholders for their own.
    "commitment.create": lambda u, o: _is(u, Role.ADMIN, Role.ORGANISER)
    or (_is(u, Role.STAKEHOLDER) and u.organisation_id is not None),
    # Recording commitments on behalf of any organisation (stakeholders only for their own).
    "commitment.record_for_others": lambda u, o: _is(u, Role.ADMIN, Role.ORGANISER),
    # The quick-entry table and the progress spreadsheet of a workshop (obj is the Workshop).
    "commitment.quick_entry": lambda u, o: _manages_region(u, o.region_code),
    # An organisation's own progress spreadsheet (obj is the Organisation).
    "commitment.organisation_sheet": lambda u, o: _own_organisation(u, o.id),
    # The reminders page with WhatsApp links (organisations in the user's regions).
    "commitment.remind": lambda u, o: _is(u, Role.ADMIN, Role.ORGANISER),
    "review.dashboard": lambda u, o: _is(u, Role.ADMIN, Role.REVIEWER),
    # Reviewer exports (XLSX workbook, CSV per table, dashboard PDF): aggregates and outcomes,
    # never participants' phone numbers or e-mail addresses.
    "review.export": lambda u, o: _is(u, Role.ADMIN, Role.REVIEWER),
    # Entering or importing 100-0-100 figures (obj is the kab/kota Region, or None for the
    # import page, where each row's region is checked with this rule again).
    "indicator.manage": lambda u, o: _is(u, Role.ADMIN)
    or (_is(u, Role.REVIEWER) and (o is None or in_scope(u, o.code))),
    # Reading a kab/kota's 100-0-100 figures (obj is the Region, or None for the index, which
    # lists only the regions in the user's scope).
    "indicator.view": lambda u, o: _is(u, Role.ADMIN, Role.REVIEWER, Role.ORGANISER)
    and (o is None or in_scope(u, o.code)),
    # Creating and revoking one's own personal API tokens (obj is the ApiToken, when given).
    "api_token.manage": lambda u, o: o is None or o.user_id == u.id,
    # The organisation registry and the people directory (/manage/organisations, /manage/people).
    "organisation.manage": lambda u, o: _is(u, Role.ADMIN, Role.ORGANISER),
    "organisation.merge": lambda u, o: _is(u, Role.ADMIN),
    "person.manage": lambda u, o: _is(u, Role.ADMIN, Role.ORGANISER),
    "person.merge": lambda u, o: _is(u, Role.ADMIN),
    # A directory entry's full phone and e-mail (obj is the Person): admins and organisers whose
    # scope holds the region of the person's organisation; without one, national organisers.
    "person.view_personal": lambda u, o: _manages_region(
        u, o.organisation.region_code if o.organisation is not None else None),
}


def can(user, action: str, obj=None) -> bool:
    """True if `user` may perform `action` (on `obj`, when the rule is about an object)."""
    try:
        rule = RULES[action]
    except KeyError:
        raise LookupError(f"no permission rule named {action!r}") from None
    if user is None or not user.is_authenticated:
        return False
    return bool(rule(user, obj))


def require(action: str, obj=None) -> None:
    """Abort with 403 unless the current user may perform `action`."""
    if not can(current_user, action, obj):
        abort(403)


def authorize(action: str):
    """Route decorator: login required, then `require(action)` (for rules without an object)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from kotaku_collab.extensions import login_manager

                return login_manager.unauthorized()
            require(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def load_or_404(model, object_id, action: str, view_action: str | None = None):
    """Load an object and check `action`; 404 when the user may not even see it, else 403."""
    from kotaku_collab.extensions import db

    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    if can(current_user, action, obj):
        return obj
    if view_action and can(current_user, view_action, obj):
        abort(403)
    abort(404)
