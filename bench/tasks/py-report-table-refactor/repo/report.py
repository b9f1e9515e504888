"""Plain-text reports."""

from typing import Dict, List


def sales_report(rows: List[Dict[str, object]]) -> str:
    """A table of sales (region, units, revenue in cents) with a total line."""
    header = ["Region", "Units", "Revenue"]
    body = []
    total_units = 0
    total_cents = 0
    for row in rows:
        units = int(row["units"])
        cents = int(row["revenue_cents"])
        total_units += units
        total_cents += cents
        sign = "-" if cents < 0 else ""
        money = f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
        body.append([str(row["region"]), str(units), money])
    sign = "-" if total_cents < 0 else ""
    total_money = f"{sign}{abs(total_cents) // 100:,}.{abs(total_cents) % 100:02d}"
    footer = ["Total", str(total_units), total_money]
    all_rows = [header] + body + [footer]
    widths = [max(len(r[i]) for r in all_rows) for i in range(3)]
    lines = []
    for r in all_rows:
        cells = [r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].rjust(widths[2])]
        lines.append("  ".join(cells).rstrip())
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([lines[0], rule] + lines[1:-1] + [rule, lines[-1]]) + "\n"
