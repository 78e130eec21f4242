"""The ``agora recs`` commands: offline evaluation of the recommenders (and their training)."""

from __future__ import annotations

import json

import typer

from agora.config import get_settings

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
    names = list(DATASETS) if dataset == "all" else [dataset]
    report = run_evaluation(names, log=None if as_json else typer.echo)
    typer.echo(json.dumps(report) if as_json else format_report(report))


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
