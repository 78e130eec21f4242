"""The ``agora recs`` commands: offline evaluation of the recommenders (and their training)."""

from __future__ import annotations

import json

import typer

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
