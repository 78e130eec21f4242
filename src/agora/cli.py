"""The ``agora`` command: serve, worker, demo, db upgrade, ledger check, recs, bench."""

from __future__ import annotations

import asyncio
import json
import logging
import signal

import typer

from agora.config import get_settings
from agora.recommendations.cli import recs_app

app = typer.Typer(help="Agora — social commerce platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
app.add_typer(recs_app, name="recs")


def _prepare_sqlite_dir() -> None:
    path = get_settings().sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from agora.core.db import Database
    from agora.core.migrate import upgrade

    _prepare_sqlite_dir()
    database = Database(get_settings().database_url)
    upgrade(database.engine, revision)
    database.dispose()
    typer.echo(f"database at {revision}")


@ledger_app.command("check")
def ledger_check(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Replay every ledger entry; print what disagrees and exit non-zero if anything does."""
    from agora.core.db import Database
    from agora.core.uow import UnitOfWork
    from agora.ledger import check

    database = Database(get_settings().database_url)
    report = check(UnitOfWork(database))
    database.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "accounts": report.accounts,
                    "transfers": report.transfers,
                    "entries": report.entries,
                    "problems": report.problems,
                }
            )
        )
    else:
        for problem in report.problems:
            typer.echo(problem, err=True)
        verdict = "ledger ok" if report.ok else f"ledger BROKEN: {len(report.problems)} problem(s)"
        typer.echo(
            f"{verdict} — {report.accounts} accounts, {report.transfers} transfers, "
            f"{report.entries} entries"
        )
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = typer.Option(
        1,
        min=1,
        help="Server processes sharing the port (PostgreSQL and Redis beyond one: each has its "
        "own writer, token cache and gates, kept in step through the hub).",
    ),
    jobs: bool = typer.Option(
        True, help="Run the outbox relay and the scheduler here (off when agora worker runs)."
    ),
    reload: bool = False,
) -> None:
    """Serve the shop and the API."""
    import os

    import uvicorn

    _prepare_sqlite_dir()
    settings = get_settings()
    if workers > 1 and settings.sqlite_path() is not None:
        # One SQLite file has one writer; several processes would fight over its lock.
        raise typer.BadParameter("several server processes need PostgreSQL", param_hint="--workers")
    if not jobs:
        os.environ["AGORA_EMBEDDED_WORKERS"] = "false"
        get_settings.cache_clear()
    logging.basicConfig(level=get_settings().log_level)
    uvicorn.run(
        "agora.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        reload=reload,
        log_level="info",
        access_log=False,
        http="agora.http.protocol:HttpProtocol",
        # The chat socket refuses frames over its own limit (close 1009); this stops uvicorn
        # from first buffering up to its default 16 MiB of one.
        ws_max_size=4 * get_settings().chat_ws_max_frame_chars,
    )


@app.command()
def worker() -> None:
    """Run the outbox relay and the scheduler (for the scaled-out shape)."""
    # Contexts register their event handlers, deadlines and jobs on import; the schema imports
    # every context, so this relay and scheduler know them all (the server's routers do the same).
    import agora.schema  # noqa: F401
    from agora.runtime import Runtime

    logging.basicConfig(level=get_settings().log_level)

    async def main() -> None:
        from agora.recommendations.retrain import RETRAINER

        settings = get_settings()
        runtime = Runtime.build(settings)
        await runtime.start(workers=True)
        RETRAINER.enable(settings.recs_model_file(), top_n=settings.recs_top_n)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo("agora worker running (relay + scheduler); Ctrl-C to stop")
        await stop.wait()
        await runtime.shutdown()

    asyncio.run(main())


@app.command()
def demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only seed a database with no users."),
) -> None:
    """Load the demo shop (idempotent): stores, products, accounts, wallets and orders."""
    from agora.core.db import Database
    from agora.core.uow import UnitOfWork
    from agora.demo.seed import demo_is_loaded, print_accounts, seed
    from agora.media import open_storage

    settings = get_settings()
    database = Database(settings.database_url)
    uow = UnitOfWork(database)
    loaded = if_empty and demo_is_loaded(uow)
    if loaded:
        typer.echo("demo data already present")
    else:
        summary = seed(uow, media=open_storage(settings))
        typer.echo(json.dumps(summary))
    # The feeds' model, from the events just recorded (and again should its file have gone).
    model = settings.recs_model_file()
    if not loaded or not model.exists():
        from agora.demo.recs import train_demo

        typer.echo("training the recommenders ...")
        typer.echo(json.dumps(train_demo(uow, model)))
    print_accounts()
    database.dispose()


@app.command()
def bench(
    scenario: str = typer.Argument(
        ...,
        help="search | ledger | checkout | flash-sale | chat-fanout | group-buy | red-envelope"
        " | api-floor | recs | live-room",
    ),
    products: int = typer.Option(100_000, help="Products to generate (search, recs)."),
    queries: int = typer.Option(2_000, help="Queries to run (search)."),
    transfers: int = typer.Option(5_000, help="Transfers per shape (ledger)."),
    threads: int = typer.Option(
        4,
        help="Concurrent clients (ledger; team leaders and senders in group-buy, red-envelope;"
        " HTTP connections in recs).",
    ),
    connections: int = typer.Option(32, help="Buyers at once, a connection each (checkout)."),
    orders: int = typer.Option(2_000, help="Paid orders to make (checkout)."),
    buyers: int = typer.Option(
        2_000,
        help="Buyers arriving at once (flash-sale); shoppers, leaders included (group-buy);"
        " shoppers with behaviour (recs).",
    ),
    stock: int = typer.Option(100, help="Units on sale (flash-sale)."),
    viewers: int = typer.Option(2_000, help="Viewers in the room, all buying (live-room)."),
    units: int = typer.Option(100, help="Units of the flash deal (live-room)."),
    clients: int = typer.Option(1000, help="WebSocket clients (chat-fanout)."),
    groups: int = typer.Option(50, help="Groups the clients are spread over (chat-fanout)."),
    messages: int = typer.Option(100, help="Messages each group's sender posts (chat-fanout)."),
    teams: int = typer.Option(200, help="Teams opened before the joiners arrive (group-buy)."),
    team_size: int = typer.Option(5, help="People per team (group-buy)."),
    envelopes: int = typer.Option(20, help="Envelopes sent, one per group (red-envelope)."),
    grabbers: int = typer.Option(200, help="Members grabbing each envelope (red-envelope)."),
    shares: int = typer.Option(100, help="Shares per envelope (red-envelope)."),
    seconds: float = typer.Option(6.0, help="Load on each server, in seconds (api-floor, recs)."),
    driver: str = typer.Option(
        "auto", help="auto (wrk when installed) | wrk | loadgen: what drives the load (api-floor)."
    ),
    database_url: str = typer.Option("", help="Database to use; default a fresh SQLite file."),
    shape: str = typer.Option(
        "single",
        help="single: one agora serve; scaled: --workers server processes and one agora worker"
        " on PostgreSQL and Redis (checkout, flash-sale, group-buy, red-envelope, live-room).",
    ),
    workers: int = typer.Option(1, help="Server processes (--shape scaled)."),
    redis_url: str = typer.Option(
        "redis://127.0.0.1:6379/0", help="The Redis hub the processes share (--shape scaled)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Run a benchmark scenario against a fresh database and report throughput and latency."""
    from agora.bench import run_scenario

    try:
        result = run_scenario(
            scenario,
            products=products,
            queries=queries,
            transfers=transfers,
            threads=threads,
            connections=connections,
            orders=orders,
            buyers=buyers,
            stock=stock,
            viewers=viewers,
            units=units,
            clients=clients,
            groups=groups,
            messages=messages,
            teams=teams,
            team_size=team_size,
            envelopes=envelopes,
            grabbers=grabbers,
            shares=shares,
            seconds=seconds,
            driver=driver,
            database_url=database_url,
            shape=shape,
            processes=workers,
            redis_url=redis_url,
        )
    except KeyError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(json.dumps(result) if as_json else json.dumps(result, indent=2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
