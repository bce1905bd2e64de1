"""Command line: serve, adduser, demo, member, group (``python -m stemgui.server --help``)."""

from __future__ import annotations

import argparse
import logging
import sys

from stemgui.private_files import private_dir
from stemgui.server import admin
from stemgui.server.settings import Settings, install, server_workers

log = logging.getLogger("stemgui.server")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stemgui.server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    db_help = "SQLAlchemy database URL (default: SQLite file in $STEMGUI_DATA_DIR, default ./data)"

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--log-level", default="warning")
    workers_help = "server processes sharing the port (default: $STEMGUI_SERVER_WORKERS, else 1)"
    serve.add_argument("--workers", type=int, default=None, help=workers_help)

    adduser = commands.add_parser("adduser", help="create a user (or reset their password)")
    adduser.add_argument("username")
    adduser.add_argument("--email", required=True)
    adduser.add_argument("--password", required=True)
    adduser.add_argument("--superuser", action="store_true")

    demo = commands.add_parser("demo", help="load the demo lab (idempotent)")
    demo.add_argument("--member", action="append", default=[], metavar="USERNAME",
                      help="make this existing user an owner of the demo projects (repeatable)")  # fmt: skip

    member = commands.add_parser("member", help="make a user a member of a project")
    member.add_argument("username")
    member.add_argument("project_name")
    member.add_argument("--can-change", action="store_true")
    member.add_argument("--manager", action="store_true")
    member.add_argument("--owner", action="store_true")

    group = commands.add_parser("group", help="create a group and add users to it")
    group.add_argument("name")
    group.add_argument("--user", action="append", default=[], metavar="USERNAME", help="repeatable")

    for sub in (serve, adduser, demo, member, group):
        sub.add_argument("--db", default=None, help=db_help)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    from stemgui.server.serving import serve

    workers = server_workers(args.workers or settings.workers)
    log.info("serving %s on http://%s:%s/ (%d process%s)", args.db.split("@")[-1], args.host, args.port,
             workers, "" if workers == 1 else "es")  # fmt: skip
    serve(args.db, args.host, args.port, workers, args.log_level)


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status."""
    args = _parser().parse_args(argv)
    settings = install(Settings.from_env())  # read once, for every command
    if not args.db:
        private_dir(settings.data_dir)  # the data dir holds the database: owner only, also if older
        args.db = settings.default_db_url
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            _serve(args, settings)
        elif args.command == "adduser":
            admin.ensure_user(args.db, args.username, args.email, args.password, args.superuser)
            log.info("user %s is ready", args.username)
        elif args.command == "demo":
            admin.load_demo(args.db, args.member)
            log.info("demo data is loaded")
        elif args.command == "group":
            admin.ensure_group(args.db, args.name, args.user)
            log.info("group %s is ready", args.name)
        else:
            admin.add_member(args.db, args.username, args.project_name, can_change=args.can_change,
                             is_manager=args.manager, is_owner=args.owner)  # fmt: skip
            log.info("%s is a member of %s", args.username, args.project_name)
    except admin.AdminError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    return 0
