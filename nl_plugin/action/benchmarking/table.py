"""The benchmarks' result tables."""
from typing import Sequence


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                markdown: bool) -> None:
    """Markdown, or columns padded to their widest cell."""
    if markdown:
        for row in [header, ['---'] * len(header)] + list(rows):
            print('| ' + ' | '.join(row) + ' |')
        return
    widths = [
        max(len(r[i]) for r in [header] + list(rows))
        for i in range(len(header))
    ]
    for row in [header] + list(rows):
        print('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
