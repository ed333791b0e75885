"""Plain-text tables for the terminal, shared by every command that prints rows."""

from __future__ import annotations

import os
import shutil


def table(headers: list[str], rows: list[list[str]], title: str | None = None) -> str:
    """A boxed table as text (rich does the layout; wraps long cells to the terminal width)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = int(os.environ.get("COLUMNS", 0)) or shutil.get_terminal_size((140, 24)).columns
    grid = Table(title=Text(title) if title else None, show_lines=False, header_style="bold", title_justify="left")
    for header in headers:
        grid.add_column(Text(header), overflow="fold")
    for row in rows:
        grid.add_row(*(Text(str(cell)) for cell in row))  # cells are data, never rich markup
    console = Console(width=max(width, 60), record=True, file=open(os.devnull, "w"), color_system=None)
    console.print(grid)
    text = console.export_text()
    if not rows:
        text += "(no rows)\n"
    return text
