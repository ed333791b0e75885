"""Figures without pyplot: a headless matplotlib ``Figure`` and an atomic writer for it.

Figures are built with :class:`matplotlib.figure.Figure` directly, never through
``pyplot``: no global figure registry, no GUI backend, nothing to close, and the
Agg renderer draws them on a machine without a display. A notebook shows the
returned figure inline (``%matplotlib inline``); :func:`save_figure` writes it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import FormatError, UsageError
from kg.files import write_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: File formats :func:`save_figure` writes, by suffix.
FIGURE_FORMATS = ("png", "svg", "pdf")

#: Dots per inch of written PNG files (small enough to commit, sharp enough to read).
DPI = 110


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches, drawn by Agg (no display needed).

    Raises :class:`~kg.errors.FormatError` naming the extra to install when matplotlib is missing.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise FormatError("figures need matplotlib: pip install 'dmkg[plots]'") from exc
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def figure_format(path: Path, fmt: str | None = None) -> str:
    """The format to write ``path`` in: ``fmt`` if given, else its suffix.

    Examples
    --------
    >>> figure_format(Path("timeline.svg")), figure_format(Path("x"), "png")
    ('svg', 'png')
    """
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FIGURE_FORMATS:
        given = f"format {fmt!r}" if fmt else f"suffix of {str(path)!r}"
        raise FormatError(f"cannot write a figure from the {given}; choose one of {', '.join(FIGURE_FORMATS)}")
    return chosen


def figure_bytes(fig: Figure, fmt: str = "png", dpi: float = DPI) -> bytes:
    """The figure rendered as PNG, SVG or PDF bytes (metadata without dates, so output is reproducible).

    A PNG is stored with a 256-colour palette (Pillow, which matplotlib requires): these
    charts have few colours, and the file is about a third of the size.
    """
    from matplotlib import rc_context

    buffer = io.BytesIO()
    metadata = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
    with rc_context({"svg.hashsalt": "dmkg"}):     # stable SVG element ids
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, bbox_inches="tight")
    data = buffer.getvalue()
    return _palette_png(data) if fmt == "png" else data


def _palette_png(data: bytes) -> bytes:
    try:
        from PIL import Image
    except ImportError:     # pragma: no cover - Pillow is a dependency of matplotlib
        return data
    image = Image.open(io.BytesIO(data)).convert("RGB")      # the figures are opaque
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
    return out.getvalue()


def inline(dpi: float = 80) -> None:
    """Show figures in this IPython / Jupyter session as compact PNG (no ``%matplotlib`` needed).

    Registers :func:`figure_bytes` as the PNG formatter of matplotlib figures, so a
    cell that ends with a figure displays it, and a saved notebook stores the
    palette PNG (a third of the usual size).
    """
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        raise UsageError("kg.plots.inline() works inside IPython or Jupyter; elsewhere use kg.plots.save_figure")
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, lambda fig: figure_bytes(fig, "png", dpi=dpi))


def save_figure(fig: Figure, path: Path | str, fmt: str | None = None) -> Path:
    """Write ``fig`` to ``path`` atomically, as ``fmt`` or the format its suffix names; returns the path.

    Examples
    --------
    >>> import tempfile
    >>> fig = new_figure(2, 1)
    >>> out = save_figure(fig, Path(tempfile.mkdtemp()) / "empty.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    return write_atomic(path, figure_bytes(fig, figure_format(path, fmt)))
