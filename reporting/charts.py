"""Server-rendered bar charts: the geometry of a simple horizontal SVG bar chart, as plain values."""

from decimal import Decimal

from .disclosure import SUPPRESSED

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 190
PLOT_WIDTH = 250
VALUE_ROOM = 90


def bar_chart(
    title: str, rows: list[tuple[str, int | float | Decimal | str | None]], money: bool = False
) -> dict:
    """A chart the template draws: one bar per (label, value); the aria-label reads every value out."""
    # A figure under disclosure control ("*", reporting/disclosure.py) is drawn as no bar and read out as "*".
    values = [0.0 if value == SUPPRESSED else float(value or 0) for _label, value in rows]
    largest = max(values, default=0) or 1
    bars = []
    for index, ((label, value), number) in enumerate(zip(rows, values, strict=True)):
        if value == SUPPRESSED:
            shown = SUPPRESSED
        else:
            shown = f"£{Decimal(str(value or 0)):,.2f}" if money else f"{value if value is not None else 0}"
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(number / largest * PLOT_WIDTH) if number > 0 else 0
        bars.append(
            {
                "label": label,
                "shown": shown,
                "y": y,
                "text_y": y + BAR_HEIGHT - 6,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": title,
        "bars": bars,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + PLOT_WIDTH + VALUE_ROOM,
        "height": max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP),
        "aria_label": f"Bar chart, {title}: " + "; ".join(f"{b['label']} {b['shown']}" for b in bars),
    }
