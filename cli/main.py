"""Entry point of the ``talentmap`` command."""

from __future__ import annotations

import typer

from cli import docs, governance, matching, planning, reference, resumes, store, training

app = typer.Typer(
    name="talentmap",
    help="TalentMap: talent-strategy analytics for HR teams at AI companies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (store, reference, docs, resumes, matching, training, governance, planning):
    module.register(app)


if __name__ == "__main__":
    app()
