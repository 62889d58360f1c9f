"""What the private writer lets go of before its PDFs are printed.

Printing is most of a build with PDFs (20,000 workers: about half an hour of one browser), and
the writer's process lives through it beside the browser, within the build's memory budget
(printing.MEMORY_BUDGET_MB, the whole tree's). By then every document is rendered and its
fingerprint worked out: what the writer worked out per table to fingerprint and render them
(every row of the dossiers' tables as the slices encode it, the columns they were encoded from,
the batches as every dossier shows them, the printed date cells) is not asked for again, except
by a workbook set aside to be written while the browsers print, which works it out again if it
must (caches, never results). Let go of and handed back to the system before the browser
starts, it leaves the records themselves (inherited from the build's process) and the
fingerprints still to be saved.
"""

from __future__ import annotations

from ..gcpause import give_back
from ..record_views import _origin

# what dossiers.py (table_values, table_columns, _shown_batches) keeps in the records' __dict__
KEPT_WITH_RECORDS = ("_row_values", "_row_columns", "_shown_batches")


def before_printing(records) -> None:
    """Drop what the documents' fingerprints and renders kept for the build (see the module), then
    collect and hand the memory back."""
    from . import dossiers

    kept = _origin(records).__dict__
    for name in KEPT_WITH_RECORDS:
        kept.pop(name, None)
    dossiers._DATE_LINES.clear()
    dossiers._CELL_LINES.clear()
    give_back()
