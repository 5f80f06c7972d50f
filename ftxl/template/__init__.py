"""The template workbook a finance user fills in: Start, Inputs, Results, Timeline, Questions, Labels
(the checks on the inputs sit beside Inputs).

`content` says what it asks and explains, `layout` where everything sits, one module per
sheet writes it (`inputs`, `labels`, `results`, `timeline`, `questions`, `checks`, `start`),
`builder` puts them together; `ranges` reads a filled template's input ranges back.
"""

from __future__ import annotations

from .builder import build_template, write_template

__all__ = ["build_template", "write_template"]
