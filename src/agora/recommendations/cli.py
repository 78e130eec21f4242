"""The ``agora recs`` commands: offline evaluation of the recommenders (and their training)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from agora.config import get_settings

if TYPE_CHECKING:
    from agora.core.db import Database
    from agora.recommendations.algorithms.splits import Interactions

recs_app = typer.Typer(help="Recommenders: offline evaluation and training.", no_args_is_help=True)


@recs_app.command("evaluate")
def evaluate(
    dataset: str = typer.Option(
        "all", help="movielens (MovieLens-100k) | demo (the demo's behaviour events) | all"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Score popularity, item-kNN and EASE offline: Recall@20 and NDCG@20 on two splits."""
    from agora.recommendations.algorithms.evaluate import DATASETS, format_report, run_evaluation

    if dataset not in (*DATASETS, "all"):
        raise typer.BadParameter(f"unknown dataset {dataset!r}; one of {', '.join(DATASETS)}, all")
    from agora.core.db import Database

    names = list(DATASETS) if dataset == "all" else [dataset]
    # Progress goes to stderr, so --json leaves one JSON object on stdout.
    database = Database(get_settings().database_url)
    try:
        report = run_evaluation(
            names,
            demo=lambda: demo_interactions(database),
            log=lambda line: typer.echo(line, err=True),
        )
    finally:
        database.dispose()
    typer.echo(json.dumps(report) if as_json else format_report(report))


def demo_interactions(database: Database) -> Interactions:
    """The demo's behaviour events as interactions: any kind but dismiss and search, in time order.

    Plain SQL on the events table, so the evaluation depends on no more than its columns.
    """
    import numpy as np
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from agora.recommendations.algorithms.evaluate import NotEnoughData
    from agora.recommendations.algorithms.splits import Interactions

    try:
        with database.read_session() as session:
            rows = session.execute(
                text(
                    "SELECT user_id, product_id FROM behaviour_events"
                    " WHERE product_id IS NOT NULL AND kind NOT IN ('dismiss', 'search')"
                    " ORDER BY occurred_at, id"
                )
            ).all()
    except DBAPIError as exc:
        raise NotEnoughData("no behaviour events table here: run `agora db upgrade`") from exc
    if not rows:
        raise NotEnoughData("no behaviour events yet: run `agora demo` and browse the shop")
    _, users = np.unique([str(row[0]) for row in rows], return_inverse=True)
    _, items = np.unique([str(row[1]) for row in rows], return_inverse=True)
    # Rows come in time order: their position is the time the temporal split needs.
    return Interactions.from_log(users, items, np.arange(len(rows), dtype=np.float64))


@recs_app.command("train")
def train(
    top_n: int = typer.Option(0, help="Picks kept per shopper (default: the recs_top_n setting)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object, no progress bar."),
) -> None:
    """Train on behaviour events and paid orders; write the model file the feeds are served from."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from agora.core.db import Database
    from agora.core.uow import UnitOfWork
    from agora.recommendations.training import train as run_training

    settings = get_settings()
    database = Database(settings.database_url)
    path = settings.recs_model_file()
    stages = {
        "load": "Reading interactions",
        "choose": "Choosing a model",
        "feeds": "Shoppers' picks",
        "similar": "Similar items",
        "prices": "Usual prices",
        "write": "Writing the model",
    }
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        disable=as_json,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stages.get(stage, stage), total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        report = run_training(
            UnitOfWork(database), path, top_n=top_n or settings.recs_top_n, progress=progress
        )
    database.dispose()
    summary = {
        "path": str(report.path),
        "trained_at": report.trained_at.isoformat(),
        "model": report.model,
        "params": report.params,
        "validation_recall_at_20": report.validation,
        "users": report.users,
        "items": report.items,
        "interactions": report.interactions,
    }
    typer.echo(json.dumps(summary) if as_json else json.dumps(summary, indent=2))
