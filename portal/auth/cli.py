import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.auth.passwords import policy_errors
from portal.auth.services import find_user, normalise_username, set_password
from portal.extensions import db
from portal.models import Organisation, Role, User

users_cli = AppGroup("users", help="Manage accounts.")


def _checked_password(password: str, username: str) -> str:
    errors = policy_errors(password, username)
    if errors:
        raise click.ClickException(" ".join(errors))
    return password


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="The person's full name.")
@click.option("--organisation", required=True, help="Organisation code, e.g. exempelkommun.")
@click.option("--email", default=None)
@click.option(
    "--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), default=["learner"]
)
@click.password_option(help="Asked for when not given.")
def create_command(username, full_name, organisation, email, roles, password) -> None:
    """Create an account (use --role admin for an organisation's first administrator)."""
    username = normalise_username(username)
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == organisation))
    if org is None:
        raise click.ClickException(f"No organisation with code {organisation!r}.")
    if find_user(username) is not None:
        raise click.ClickException(f"The username {username!r} is taken.")
    if Role.MANAGER.value in roles:
        raise click.ClickException("Give the manager role in the admin pages, where units are chosen.")
    user = User(organisation_id=org.id, username=username, full_name=full_name, email=email)
    user.set_roles({Role(role) for role in roles})
    set_password(user, _checked_password(password, username))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {username} in {org.name} with roles {', '.join(sorted(roles))}.")


@users_cli.command("set-password")
@click.argument("username")
@click.password_option(help="Asked for when not given.")
def set_password_command(username: str, password: str) -> None:
    """Set a new password; every session of the account is signed out."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No account {username!r}.")
    set_password(user, _checked_password(password, user.username))
    db.session.commit()
    click.echo(f"New password set for {user.username}.")
