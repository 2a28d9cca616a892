"""`flask kotaku ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from kotaku_collab.extensions import db, passwords
from kotaku_collab.models import Role
from kotaku_collab.services import DomainError


@click.group()
def kotaku():
    """KOTAKU Collab administration commands."""


@kotaku.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (defaults to the e-mail's name part).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_id", type=int, default=None,
              help="Organisation id (required for stakeholders).")
@click.option("--region", "region_codes", multiple=True,
              help="Kemendagri region code in scope (repeatable), e.g. 51.05.")
@click.option("--national", is_flag=True, help="Organiser or reviewer for every region.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(email, name, role, organisation_id, region_codes, national, password):
    """Create an account (the first admin is made this way)."""
    from kotaku_collab.services.accounts import create_user

    try:
        user = create_user(db.session, passwords, email=email, name=name or email.split("@")[0],
                           role=Role(role), password=password, organisation_id=organisation_id,
                           region_codes=list(region_codes), is_national=national)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@kotaku.command("import-regions")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, readable=True,
                                            path_type=Path))
@with_appcontext
def import_regions_command(csv_file):
    """Create or rename regions from a CSV file with the header `code,name` (all or nothing)."""
    from kotaku_collab.database import masked_url
    from kotaku_collab.services.regions import import_regions

    try:
        with csv_file.open("rb") as stream:
            report = import_regions(db.session, stream)
        if report.ok:
            db.session.commit()
    except OSError as error:
        raise click.ClickException(f"Cannot read {csv_file}: {error.strerror}") from None
    except SQLAlchemyError as error:
        db.session.rollback()
        raise click.ClickException(
            f"Database error ({error.__class__.__name__}) at {masked_url(db.engine.url)}. "
            "Is the database reachable and up to date (flask db upgrade)?") from None
    if not report.ok:
        for problem in report.problems:
            click.echo(f"{csv_file}: {problem}", err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(report.problems)} problem(s) in {csv_file}.")
    click.echo(f"Imported {csv_file}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged.")


@kotaku.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it already exists.")
@with_appcontext
def backup_command(path, force):
    """Write a verified copy of the live SQLite database to PATH (PostgreSQL: use pg_dump)."""
    from kotaku_collab.database import masked_url
    from kotaku_collab.services.backup import backup_database

    try:
        result = backup_database(db.engine, path, force=force)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"Cannot write {path}: {error.strerror}") from None
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"Cannot read the database at {masked_url(db.engine.url)} "
            f"({error.__class__.__name__}).") from None
    click.echo(f"Backup written to {result.path}: {result.size_bytes:,} bytes, "
               f"integrity check {result.integrity}.")


@kotaku.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the 2019 Klungkung and Kota Pasuruan demo data and one account per role.

    Running it again adds only what is missing. Refused where ALLOW_DEMO_DATA is false
    (production), because the demo accounts share a published password.
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from kotaku_collab.database import masked_url
    from kotaku_collab.services.demo import seed_demo

    if not current_app.config.get("ALLOW_DEMO_DATA"):
        raise click.ClickException(
            "Demo data is disabled in this configuration (ALLOW_DEMO_DATA is false, as in "
            "production): the demo accounts share a published password. Nothing was written.")
    try:
        report = seed_demo(db.session, passwords)
        db.session.commit()
    except (OperationalError, ProgrammingError) as error:
        db.session.rollback()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else ""
        raise click.ClickException(
            f"The database at {masked_url(db.engine.url)} is unreachable or has no tables yet "
            f"({reason or error.__class__.__name__}). Check DATABASE_URL and run "
            "`flask db upgrade` first. Nothing was written.") from None
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"Demo data not loaded: {error.message}") from None
    for note in report.notes:
        click.echo(note)
    if report.nothing_new:
        click.echo("Demo data already present: nothing new.")
    else:
        created = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in report.created.items())
        click.echo(f"Demo data created: {created}.")
    click.echo("\nDemo logins (one shared password; for demonstrations only):")
    click.echo(f"  {'E-mail':<36} {'Role':<12} {'Password':<24} Scope")
    for login in report.logins:
        click.echo(f"  {login.email:<36} {login.role.value:<12} {login.password:<24} {login.scope}")


@kotaku.command("seed-scale")
@click.option("--scale", default=1.0, show_default=True, type=float,
              help="Multiply every count (1.0: 270 kab/kota, 3,000 workshops, 120,000 "
                   "registrations, 200,000 commitments, 400,000 progress updates).")
@click.option("--seed", default=20191, show_default=True, type=int, help="Random seed.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the accounts, ids and counts to this JSON file.")
@click.option("--force", is_flag=True,
              help="Run even where ALLOW_DEMO_DATA is false (the accounts share a password).")
@with_appcontext
def seed_scale_command(scale, seed, report_path, force):
    """Fill an empty database with a deterministic national-scale synthetic dataset (benchmarks).

    Refused where ALLOW_DEMO_DATA is false (production) unless --force, because the benchmark
    accounts share a published password.
    """
    import json
    import time

    from kotaku_collab.services.scale_seed import seed_scale

    if not current_app.config.get("ALLOW_DEMO_DATA") and not force:
        raise click.ClickException(
            "Synthetic data is disabled in this configuration (ALLOW_DEMO_DATA is false, as in "
            "production): its accounts share a published password. Use --force on a "
            "throw-away database only. Nothing was written.")
    started = time.perf_counter()
    try:
        report = seed_scale(db.session, passwords, scale=scale, seed=seed)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    with db.engine.begin() as connection:  # fresh statistics for the query planner
        connection.exec_driver_sql("ANALYZE")
    seconds = time.perf_counter() - started
    data = {**report.as_dict(), "scale": scale, "seed": seed, "seconds": round(seconds, 1)}
    if report_path:
        report_path.write_text(json.dumps(data, indent=2))
    counts = ", ".join(f"{n:,} {table}" for table, n in report.counts.items())
    click.echo(f"Seeded in {seconds:.1f} s: {counts}.")
    click.echo(f"Accounts (password {report.password}): "
               + ", ".join(f"{l.email} ({l.role.value}, {l.scope})" for l in report.logins))


@kotaku.command("send-notifications")
@click.option("--retry-failed", is_flag=True, help="Try again the messages that failed before.")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
@with_appcontext
def send_notifications_command(retry_failed, limit):
    """Send queued e-mails (confirmations, waiting-list promotions, schedule changes)."""
    from flask_mail import Message

    from kotaku_collab.extensions import mail
    from kotaku_collab.services.delivery import deliver_pending
    from kotaku_collab.services.delivery import retry_failed as clear_failures

    if retry_failed:
        click.echo(f"Retrying {clear_failures(db.session)} failed message(s).")

    def send(notification):
        mail.send(Message(subject=notification.subject, recipients=[notification.email],
                          body=notification.body))

    report = deliver_pending(db.session, send, limit=limit)
    click.echo(f"Sent {report.sent}, failed {report.failed}, skipped (no e-mail) {report.skipped}.")


@kotaku.command("send-reminders")
@click.option("--date", "on_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Remind as of this date (YYYY-MM-DD; default: today in the app's time zone).")
@click.option("--queue-only", is_flag=True,
              help="Only queue the digests; send-notifications delivers them later.")
@with_appcontext
def send_reminders_command(on_date, queue_only):
    """Queue each organisation's digest of commitments due within 14 days, overdue or without a
    report for 30 days, then send the outbox. Run daily from cron; a second run the same day
    queues nothing new."""
    from flask import url_for
    from flask_mail import Message

    from kotaku_collab.extensions import mail
    from kotaku_collab.services.commitments import local_today
    from kotaku_collab.services.delivery import deliver_pending
    from kotaku_collab.services.reminders import queue_reminders

    today = on_date.date() if on_date else local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    # Links need to know the site's address, which only SERVER_NAME tells a command.
    url = url_for("commitments.mine", _external=True) if current_app.config.get("SERVER_NAME") \
        else None
    report = queue_reminders(db.session, today, url=url)
    db.session.commit()
    click.echo(f"Reminders for {today.isoformat()}: {report.organisations} organisation(s), "
               f"{report.queued} message(s) queued, {report.already_queued} already queued "
               f"earlier, {report.without_recipient} organisation(s) without an e-mail address.")
    if queue_only:
        return

    def send(notification):
        mail.send(Message(subject=notification.subject, recipients=[notification.email],
                          body=notification.body))

    delivery = deliver_pending(db.session, send)
    click.echo(f"Sent {delivery.sent}, failed {delivery.failed}, "
               f"skipped (no e-mail) {delivery.skipped}.")
