"""Account pages under /account: a signed-in user's personal API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from kotaku_collab.extensions import db
from kotaku_collab.i18n import _
from kotaku_collab.models import ApiToken
from kotaku_collab.permissions import authorize, load_or_404
from kotaku_collab.services import DomainError
from kotaku_collab.services.api_tokens import (create_token, revoke_token, token_state,
                                               user_tokens)

from .forms import RevokeTokenForm, TokenForm

bp = Blueprint("account", __name__)


def _render(form: TokenForm, created=None):
    return render_template("account/tokens.html", form=form, created=created,
                           tokens=user_tokens(db.session, current_user),
                           state=token_state)


@bp.route("/tokens", methods=["GET", "POST"])
@authorize("api_token.manage")
def tokens():
    """The user's tokens and the form for a new one."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form)
    try:
        created = create_token(db.session, current_user, name=form.name.data,
                               expires_in_days=form.expires_in_days.data)
    except DomainError as error:
        form.add_domain_error(error)
        return _render(form)
    db.session.commit()
    # The secret is shown on this response only, not after a redirect: that would need it in
    # the session cookie, and it must live nowhere but on the user's screen.
    return _render(TokenForm(formdata=None), created=created)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@authorize("api_token.manage")
def revoke(token_id: int):
    """Revoke one of the user's own tokens."""
    token = load_or_404(ApiToken, token_id, "api_token.manage")
    form = RevokeTokenForm()
    if form.validate_on_submit():
        try:
            revoke_token(db.session, current_user, token)
        except DomainError as error:
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash(_("The token %(name)s was revoked; it no longer opens the API.",
                    name=token.name), "success")
    return redirect(url_for("account.tokens"))
