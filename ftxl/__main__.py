"""`python -m ftxl` and the `ftxl` console script."""

from __future__ import annotations

import gc
import sys

CLI_EXTRAS = {"click", "rich"}


def main() -> None:
    """Run the command line, or say which extra to install when its libraries are missing."""
    try:
        from .cli import cli
    except ImportError as missing:  # the base install stays small so that xlwings Lite can take it
        if missing.name not in CLI_EXTRAS:
            raise
        sys.stderr.write(f"ftxl's command line needs its extras ({missing.name} is missing): pip install 'ftxl[cli]'\n")
        raise SystemExit(2) from None
    try:
        cli()
    finally:
        # The process ends here. Python would first walk every object left for reference cycles (a
        # compiled model: a quarter of a second); files are closed and output flushed by then.
        gc.freeze()


if __name__ == "__main__":
    main()
