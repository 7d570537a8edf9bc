"""Monthly trend charts drawn server-side as inline SVG: no chart library, nothing to download."""

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 24


def trend_svg(
    points: Sequence[tuple[str, float | None]], *, target: float, title: str, percent: bool
) -> Markup:
    """A line chart of monthly values with the target as a dashed line; months without data
    are gaps. `percent` shows the axis as percentages."""
    values = [value for _, value in points if value is not None]
    top = max([target, *values]) * 1.15 or 1.0
    bottom = 0.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - bottom) / (top - bottom))

    def label(value: float) -> str:
        return f"{value * 100:.3g}%" if percent else f"{value:.3g}"

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{label(top)}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
        f'<line class="target" x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{y(target):.1f}"/>',
        f'<text class="tick target-label" x="{LEFT - 4}" y="{y(target) + 4:.1f}" '
        f'text-anchor="end">{label(target)}</text>',
    ]
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, (month, value) in enumerate(points):
        x = LEFT + index * step
        if index == 0 or index == len(points) - 1 or len(points) <= 6:
            # The first and last labels are anchored inwards so that they are not clipped.
            anchor = "start" if index == 0 else "end" if index == len(points) - 1 else "middle"
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">'
                f"{escape(month)}</text>"
            )
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x:.1f},{y(value):.1f}")
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y(value):.1f}" r="2.5">'
            f"<title>{escape(month)}: {label(value)}</title></circle>"
        )
    if segment:
        segments.append(segment)
    parts.extend(
        f'<polyline class="line" points="{" ".join(line)}"/>' for line in segments if len(line) > 1
    )
    parts.append("</svg>")
    return Markup("".join(parts))
