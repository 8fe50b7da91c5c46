"""The ``openness`` command: serve, run all, issue tokens, migrate, rebuild read models."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from shared import migrations
from shared.application import ServiceApplication
from shared.audit_cli import audit, progress_bar
from shared.auth import ROLES, CannotMint, issue_token
from shared.persistence import Store
from shared.settings import SERVICES, get_settings

app = typer.Typer(help="openness 政务公开平台：服务、令牌、迁移与重建。", no_args_is_help=True, add_completion=False)
app.add_typer(audit, name="audit")


def _check_service(service: str) -> str:
    if service not in SERVICES:
        raise typer.BadParameter(f"choose one of: {', '.join(SERVICES)}")
    return service


ServiceArg = Annotated[
    str, typer.Argument(callback=_check_service, help="catalogue, interpretation, opinion, assessment")
]


def _spec(service: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"services.{service}.main").SPEC


@app.command()
def serve(
    service: ServiceArg,
    port: Annotated[int | None, typer.Option(help="default: OPENNESS_<SERVICE>_PORT or 8001-8004")] = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
) -> None:
    """Serve one service with uvicorn."""
    import uvicorn

    from shared.auth import CannotMint
    from shared.web import RefusedToStart

    settings = get_settings()
    module = importlib.import_module(f"services.{service}.main")
    try:
        served = module.create_app(settings)
    except (RefusedToStart, CannotMint, ValueError) as refused:
        typer.echo(f"openness serve {service}: {refused}", err=True)
        raise typer.Exit(2) from None
    server = uvicorn.Server(
        uvicorn.Config(
            served,
            host=host,
            port=port or settings.port_of(service),
            log_config=None,
            server_header=False,  # no banner naming the server software
            proxy_headers=False,  # X-Forwarded-For is believed only from OPENNESS_TRUSTED_PROXIES (shared.clientaddr)
        )
    )
    stop_serving = server.handle_exit

    def handle_exit(sig: int, frame: Any) -> None:
        # uvicorn waits for requests in flight before it stops: waiting long polls are answered
        # now (an empty page; their readers poll again, on another replica), not after 30 s.
        stop_serving(sig, frame)
        waiter = getattr(served.state, "feed_waiter", None)
        if waiter is not None:
            waiter.close()

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    server.run()


@app.command()
def run(host: Annotated[str, typer.Option()] = "127.0.0.1") -> None:
    """Start all four services in this terminal; Ctrl-C stops all of them."""
    settings = get_settings()
    children = [
        subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", service, "--host", host])  # noqa: S603
        for service in SERVICES
    ]
    for service in SERVICES:
        typer.echo(f"  {service:<15} http://{host}:{settings.port_of(service)}/docs")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [s for s, c in zip(SERVICES, children, strict=True) if c.returncode not in (0, -signal.SIGTERM)]
    if failed and not stopping:
        typer.echo(f"stopped because {', '.join(failed)} exited", err=True)
        raise typer.Exit(1)


@app.command()
def token(
    role: Annotated[list[str], typer.Option("--role", help="editor, head, office, auditor, platform (repeatable)")],
    dept: Annotated[str | None, typer.Option(help="department code, for editor and head")] = None,
    sub: Annotated[str, typer.Option(help="subject (user id)")] = "dev-user",
    hours: Annotated[int, typer.Option(min=1, help="lifetime, at most OPENNESS_JWT_MAX_LIFETIME_SECONDS")] = 12,
) -> None:
    """Print a bearer token signed with OPENNESS_JWT_SECRET (HS256 only: with an external identity
    provider, tokens come from it)."""
    unknown = [r for r in role if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {', '.join(unknown)}; choose from {', '.join(ROLES)}")
    settings = get_settings()
    if hours * 3600 > settings.jwt_max_lifetime_seconds:
        raise typer.BadParameter(
            f"{hours} h is longer than tokens may live here ({settings.jwt_max_lifetime_seconds} s, "
            "OPENNESS_JWT_MAX_LIFETIME_SECONDS): the services would refuse it",
            param_hint="--hours",
        )
    try:
        typer.echo(issue_token(settings, sub=sub, roles=role, dept=dept, ttl=timedelta(hours=hours)))
    except CannotMint as error:
        typer.echo(f"cannot mint a token: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def keygen(
    out: Annotated[Path, typer.Option("--out", "-o", help="where to write the private key (never overwritten)")],
) -> None:
    """Write a new Ed25519 log key (PKCS#8 PEM, mode 0600) for OPENNESS_LOG_KEY_FILE."""
    from shared.signednote import Signer, generate_key_file, load_private_key

    try:
        generate_key_file(out)
    except FileExistsError:
        typer.echo(f"{out} exists; a log key is never overwritten", err=True)
        raise typer.Exit(1) from None
    verifier = Signer(get_settings().log_origin, load_private_key(out)).verifier
    typer.echo(f"wrote {out}; its public key:\n{verifier.pem}")


@app.command()
def migrate(service: Annotated[str | None, typer.Argument(help="one service; default all")] = None) -> None:
    """Create or upgrade the schema (PostgreSQL) and read-model tables of each service."""
    settings = get_settings()
    for name in [_check_service(service)] if service else SERVICES:
        store = Store(name, settings)
        migrations.upgrade(store)
        store.dispose()
        typer.echo(f"{name}: migrated")


@app.command()
def revision(
    service: ServiceArg, message: Annotated[str, typer.Option("--message", "-m", help="what the revision changes")]
) -> None:
    """Write a new dated migration for SERVICE from the difference between its models and its database."""
    store = Store(service, get_settings())
    migrations.upgrade(store)
    migrations.revision(store, message)
    store.dispose()


@app.command()
def rebuild(
    service: ServiceArg,
    force: Annotated[
        bool, typer.Option("--force", help="rebuild even though the service answers at its address")
    ] = False,
) -> None:
    """Drop the service's read models and replay them from its events (stop the service first)."""
    import httpx

    settings = get_settings()
    url = settings.url_of(service)
    try:
        live = httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        live = False
    if live and not force:
        typer.echo(
            f"{service} is running at {url}: stop it (and its replicas) before a rebuild, which empties the "
            "read models it serves from (--force if that address is another installation)",
            err=True,
        )
        raise typer.Exit(1)
    store = Store(service, settings)
    migrations.upgrade(store)
    application: ServiceApplication = _spec(service).application_class(store=store, settings=settings)
    checked = application.verify_chain()  # replay only a log that is whole: a broken one is an auditor's case
    if not checked.ok:
        store.dispose()
        typer.echo(
            f"{service}: not rebuilt, its log is broken at position {checked.first_broken_position} "
            f"({checked.reason}); the read models were left as they were",
            err=True,
        )
        raise typer.Exit(1)
    with progress_bar(time_remaining=True) as progress:
        task = progress.add_task(f"rebuilding {service}", total=application.head_position() or None)
        replayed = application.rebuild(lambda done, total: progress.update(task, completed=done, total=total))
    store.dispose()
    typer.echo(f"{service}: {replayed} events replayed into fresh read models")
    if application.follower_tables:
        typer.echo(f"{service}: followed feeds will be read again from the start when the service runs")


@app.command()
def backup(
    out: Annotated[Path, typer.Argument(help="a new directory for the backup")],
    service: Annotated[
        list[str] | None, typer.Option("--service", help="one service (repeatable); default all")
    ] = None,
) -> None:
    """Back up the services' stores (SQLite online backup, or pg_dump per schema) with the signed
    checkpoint each log had just before; see docs/operations.md."""
    from shared import backup as backups

    chosen = [_check_service(s) for s in service] if service else list(SERVICES)
    with progress_bar() as progress:
        task = progress.add_task("backing up", total=len(chosen))
        try:
            backups.backup(
                get_settings(),
                out,
                chosen,
                on_saved=lambda saved: progress.update(task, advance=1, description=f"{saved.service} saved"),
            )
        except backups.BackupError as error:
            typer.echo(f"backup failed: {error}", err=True)
            raise typer.Exit(1) from None
    for name, saved in backups.read_manifest(out)["services"].items():
        typer.echo(f"{name}: {saved['file']}, tree size {saved['tree_size']}")
    typer.echo(f"prove it restores: deploy/restore-drill.sh {out} against a fresh store (docs/operations.md)")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="a directory written by openness backup")],
    force: Annotated[bool, typer.Option("--force", help="replace the stores that exist here")] = False,
) -> None:
    """Restore a backup into the configured store (stop the services first), then prove it with
    openness rebuild and openness audit verify --previous-checkpoint (docs/operations.md)."""
    from shared import backup as backups

    try:
        restored = backups.restore(get_settings(), source, force=force)
    except backups.BackupError as error:
        typer.echo(f"restore refused: {error}", err=True)
        raise typer.Exit(1) from None
    for service in restored:
        typer.echo(
            f"{service}: restored; prove it: openness rebuild {service}, then openness audit verify "
            f"<url>/{service} --previous-checkpoint {source / f'{service}.checkpoint'}"
        )


@app.command()
def healthcheck() -> None:
    """Exit 0 when a service answers /healthz on this host at its configured port (a container's
    HEALTHCHECK: it needs no variable naming the port)."""
    import httpx

    settings = get_settings()
    for service in SERVICES:
        try:
            if httpx.get(f"http://127.0.0.1:{settings.port_of(service)}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            continue
    raise typer.Exit(1)


@app.command()
def demo(wait: Annotated[float, typer.Option(help="seconds to wait for the assessment to catch up")] = 30.0) -> None:
    """Load a realistic sample year into the running services (make run) through their HTTP APIs."""
    import httpx

    from shared.demo import Demo

    settings = get_settings()
    loader = Demo(settings)
    for service in SERVICES:
        try:
            httpx.get(f"{settings.url_of(service)}/healthz", timeout=3).raise_for_status()
        except httpx.HTTPError:
            typer.echo(
                f"{service} is not running at {settings.url_of(service)}: start the services with `make run`", err=True
            )
            raise typer.Exit(1) from None
    with progress_bar() as progress:
        steps = loader.steps()
        task = progress.add_task("loading the sample year", total=len(steps))
        for label, step in steps:
            progress.update(task, description=label)
            step()
            progress.advance(task)
    _show_league(settings, loader.today.year, wait)


def _show_league(settings: Any, year: int, wait: float) -> None:
    import httpx

    url = f"{settings.url_of('assessment')}/assessment/v1/scores"
    deadline = time.monotonic() + wait
    while True:
        sources = httpx.get(f"{settings.url_of('assessment')}/assessment/v1/sources", timeout=10).json()["items"]
        if all(s["lag_events"] == 0 for s in sources) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    league = httpx.get(url, params={"year": year}, timeout=30).json()["items"]
    typer.echo(f"\n{year} 年度政务公开考核（前 10 名）：")
    for entry in league[:10]:
        typer.echo(f"  {entry['rank']:>2}. {entry['department']:<10} {entry['score']:>6}")
    typer.echo(f"\neach score explained: {url}/<department>?year={year}")


def main() -> None:  # pragma: no cover - console entry point
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":
    app()
