"""``openness audit``: export, verify and replay a service's log without its database."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from shared import bundle
from shared.signednote import Checkpoint, NoteError, Verifier
from shared.verify import Report, default_workers, open_checkpoint, verify_events

audit = typer.Typer(help="审计：导出、离线验证与重算。", no_args_is_help=True, add_completion=False)

EXIT_FAILED, EXIT_UNREADABLE = 1, 2
TokenOption = Annotated[
    str | None,
    typer.Option(envvar="OPENNESS_TOKEN", help="auditor bearer token (default: one minted from local settings)"),
]


def _token(token: str | None) -> str:
    if token:
        return token
    from shared.auth import CannotMint, ServiceCredentials
    from shared.settings import get_settings

    try:
        header = ServiceCredentials(get_settings(), sub="cli:audit", roles=["auditor"]).header()
    except CannotMint as error:
        typer.echo(f"{error}; or pass --token", err=True)
        raise typer.Exit(2) from None
    return header["Authorization"].removeprefix("Bearer ")


def progress_bar(*, time_remaining: bool = False) -> Progress:
    """The progress bar of every long CLI step (the whole CLI uses this one)."""
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn()]
    return Progress(*columns, *([TimeRemainingColumn()] if time_remaining else []))


@audit.command()
def export(
    service: Annotated[str, typer.Argument(help="catalogue, interpretation, opinion, assessment")],
    out: Annotated[Path, typer.Option("--out", "-o", help="where to write the .tar.gz bundle")],
    url: Annotated[str | None, typer.Option(help="the service's base URL (default: OPENNESS_<SERVICE>_URL)")] = None,
    after: Annotated[int, typer.Option(min=0, help="only events after this position")] = 0,
    size: Annotated[int | None, typer.Option(min=1, help="tree size (default: the log's current size)")] = None,
    token: TokenOption = None,
) -> None:
    """Download SERVICE's audit bundle (checkpoint, keys, events.jsonl, README.txt)."""
    from shared.settings import get_settings

    base = (url or get_settings().url_of(service)).rstrip("/")
    params: dict[str, Any] = {"after": after} | ({"size": size} if size else {})
    headers = {"Authorization": f"Bearer {_token(token)}"}
    try:
        with httpx.stream("GET", f"{base}/{service}/v1/audit/export", params=params, headers=headers, timeout=600) as r:
            r.raise_for_status()
            with out.open("wb") as handle:
                for block in r.iter_bytes():
                    handle.write(block)
    except httpx.HTTPError as error:
        typer.echo(f"export failed: {error}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    typer.echo(f"{out}: {out.stat().st_size} bytes")


@audit.command()
def verify(
    source: Annotated[
        str, typer.Argument(help="a bundle (.tar.gz) or a service URL such as http://host:8001/catalogue")
    ],
    previous_checkpoint: Annotated[
        Path | None,
        typer.Option(help="a checkpoint saved earlier, or an earlier bundle: the log must still extend it"),
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="the log's verifier key (vkey line) to trust; default: the key the log ships")
    ] = None,
    save_checkpoint: Annotated[Path | None, typer.Option(help="write the verified checkpoint here")] = None,
    token: TokenOption = None,
) -> None:
    """Check every link, the checkpoint's signature, the Merkle root and consistency with an
    earlier checkpoint, with no access to the database. Exit 0: verified; 1: a check failed;
    2: the input could not be read."""
    try:
        log = _open_source(source, token)
        verifiers = [Verifier.parse(key.read_text(encoding="utf-8"))] if key else log["verifiers"]
        earlier = _previous(previous_checkpoint) if previous_checkpoint else None
    except (NoteError, OSError, httpx.HTTPError, ValueError, KeyError) as error:
        typer.echo(f"cannot verify: {error}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    if key is None:
        typer.echo("note: trusting the key the log itself ships; pass --key to pin the published one", err=True)
    try:
        checkpoint = open_checkpoint(log["checkpoint"], verifiers, log.get("origin"))
        previous = open_checkpoint(earlier[0], verifiers, checkpoint.origin) if earlier else None
    except NoteError as error:
        typer.echo(f"FAILED: {error}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    with progress_bar() as progress:
        task = progress.add_task(f"verifying {checkpoint.origin}", total=checkpoint.size - log["frontier_size"])
        report = verify_events(
            log["events"],
            algorithm=log["algorithm"],
            checkpoint=checkpoint,
            frontier_size=log["frontier_size"],
            frontier=log["frontier"],
            previous=previous,
            previous_hashes=earlier[1] if earlier else None,
            progress=lambda done: progress.update(task, completed=done),
            workers=log["workers"],
        )
    _print(report, checkpoint)
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)
    if save_checkpoint is not None:
        save_checkpoint.write_text(log["checkpoint"], encoding="utf-8")


def _previous(path: Path) -> tuple[str, dict[int, str] | None]:
    """A saved checkpoint note, or an earlier bundle (its checkpoint and its events' hashes)."""
    if tarfile.is_tarfile(path):
        earlier = bundle.read(path)
        try:
            return earlier.checkpoint_note, {int(i["position"]): str(i["hash"]) for i in earlier.events()}
        finally:
            earlier.close()
    return path.read_text(encoding="utf-8"), None


def _print(report: Report, checkpoint: Checkpoint) -> None:
    if report.ok:
        typer.echo(f"verified: {report.checked} events, tree size {report.tree_size}, root {report.root}")
        typer.echo(f"checkpoint signed by {checkpoint.origin}")
        return
    at = f" at position {report.first_broken_position}" if report.first_broken_position is not None else ""
    typer.echo(f"FAILED{at}: {report.reason} ({report.checked} events checked before)", err=True)


def _open_source(source: str, token: str | None) -> dict[str, Any]:
    if source.startswith(("http://", "https://")):
        return _from_url(source.rstrip("/"), token)
    opened = bundle.read(Path(source))
    return {
        "checkpoint": opened.checkpoint_note,
        "verifiers": opened.verifiers,
        "origin": opened.log.get("origin"),
        "algorithm": opened.log["hash_algorithm"],
        "frontier_size": opened.frontier_size,
        "frontier": opened.frontier,
        "events": opened.lines(),
        "workers": default_workers(),
    }


def _from_url(service_url: str, token: str | None) -> dict[str, Any]:
    """``http://host:port/<service>``: the public checkpoint and keys, the feed as an auditor."""
    service = service_url.rsplit("/", 1)[-1]
    client = httpx.Client(
        base_url=f"{service_url}/v1", timeout=60, headers={"Authorization": f"Bearer {_token(token)}"}
    )
    note = client.get("/audit/checkpoint").raise_for_status().text
    keys = client.get("/audit/keys").raise_for_status().json()
    head = client.get("/audit/head").raise_for_status().json()
    return {
        "checkpoint": note,
        "verifiers": [Verifier.parse(k["vkey"]) for k in keys["keys"]],
        "origin": keys["origin"],
        "algorithm": head["algorithm"],
        "frontier_size": 0,
        "frontier": [],
        "events": _pages(client, service),
        "workers": 1,  # items arrive parsed, page by page: checking them here costs less than shipping them
    }


def _pages(client: httpx.Client, service: str) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        page = client.get("/events", params={"after": after, "limit": 1000}).raise_for_status().json()
        yield from page["items"]
        if not page["has_more"] or not page["items"]:
            return
        after = page["items"][-1]["position"]


@audit.command()
def replay(
    catalogue: Annotated[Path, typer.Option(help="the catalogue's bundle")],
    interpretation: Annotated[Path, typer.Option(help="the interpretation service's bundle")],
    opinion: Annotated[Path, typer.Option(help="the opinion service's bundle")],
    as_of: Annotated[datetime, typer.Option("--as-of", help="the instant to judge at (ISO 8601 with offset)")],
    year: Annotated[int | None, typer.Option(help="the year judged (default: the year of --as-of)")] = None,
    assessment: Annotated[
        Path | None, typer.Option(help="the assessment's own bundle: its schemes and accountability actions")
    ] = None,
    compare_url: Annotated[
        str | None, typer.Option(help="the assessment service to compare with (default: OPENNESS_ASSESSMENT_URL)")
    ] = None,
    offline: Annotated[bool, typer.Option(help="do not compare with the live service")] = False,
) -> None:
    """Re-derive the league table and every department's breakdown from the bundles alone, with
    the rules the assessment uses, and print any difference from the live service."""
    from services.assessment.replay import differences, replay_bundles
    from shared.settings import get_settings

    if as_of.tzinfo is None:
        raise typer.BadParameter("--as-of needs an offset, e.g. 2026-12-31T23:59:59+08:00")
    settings = get_settings()
    try:
        bundles = {"catalogue": catalogue, "interpretation": interpretation, "opinion": opinion}
        derived = replay_bundles(settings, bundles, assessment, as_of=as_of, year=year)
    except (NoteError, OSError, ValueError, KeyError) as error:
        typer.echo(f"cannot replay: {error}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    for entry in derived["items"]:
        typer.echo(f"  {entry['rank']:>2}. {entry['department']:<10} {entry['score']:>7}")
    if offline:
        return
    base = (compare_url or settings.url_of("assessment")).rstrip("/")
    params = {"year": derived["year"], "as_of": as_of.isoformat()}
    live = httpx.get(f"{base}/assessment/v1/scores", params=params, timeout=120).raise_for_status().json()
    found = differences(derived, live)
    if found:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        typer.echo(f"{len(found)} difference(s) from {base}", err=True)
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"identical to {base}/assessment/v1/scores at {as_of.isoformat()}")
