"""API prices per million tokens from genai-prices' bundled snapshot, offline.

genai-prices (pydantic's maintained table of LLM API prices) ships its table inside the package. ftxl reads
only that bundled snapshot: it never calls the package's update functions, so no price is fetched at run time
and a figure moves only when the installed package does (the `cli` extra pins its version). Prices are
US dollars per million tokens on the date asked for (a table holds dated price changes); typed prices always
win over these (see `ftxl.cost_builder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from .errors import InputError

PRICE_KINDS = ("input", "cached", "output")
"""Which price of a model: input tokens, cached input tokens, output tokens."""
_FIELDS = {"input": "input_mtok", "cached": "cache_read_mtok", "output": "output_mtok"}


@dataclass(frozen=True)
class ApiPrices:
    """One model's token prices on one date, US dollars per million tokens (None: the table has none)."""

    provider: str
    model: str
    on: date
    input: float | None
    cached: float | None
    output: float | None

    def price(self, kind: str) -> float:
        """The `kind` price, refused by name when the table has none."""
        value = getattr(self, kind)
        if value is None:
            raise InputError(f"the price table has no {kind} price for {self.model}: type it")
        return float(value)


def _genai_prices() -> Any:
    try:
        from genai_prices import data_snapshot
    except ImportError:  # an optional dependency: the Python API and the add-in run without it
        raise InputError("the price table is not installed (pip install 'ftxl[cli]'): type the prices") from None
    return data_snapshot


@cache
def snapshot() -> str:
    """Which table answers, for the reader: "genai-prices 0.2.5 (bundled snapshot, newest price change dated
    2027-01-01)"."""
    from importlib.metadata import version

    _genai_prices()
    return f"genai-prices {version('genai-prices')} (bundled snapshot, newest price change dated {_newest():%Y-%m-%d})"


@cache
def _newest() -> date:
    """The latest start date of a dated price in the bundled table: how recent the snapshot is."""
    snapshot_ = _genai_prices()._bundled_snapshot()
    dates = [
        conditional.constraint.start_date
        for provider in snapshot_.providers
        for model in provider.models
        if isinstance(model.prices, list)
        for conditional in model.prices
        if getattr(conditional.constraint, "start_date", None) is not None
    ]
    return max(dates, default=date(1970, 1, 1))


def _value(price: Decimal | Any, input_tokens: float) -> float | None:
    """A price per million tokens; a tiered price (a cliff on the request's tokens) at `input_tokens`."""
    if price is None:
        return None
    if isinstance(price, Decimal):
        return float(price)
    tiers = [tier for tier in price.tiers if tier.start <= input_tokens]
    return float(max(tiers, key=lambda tier: tier.start).price if tiers else price.base)


def api_prices(model: str, provider: str | None = None, on: date | None = None, input_tokens: float = 0) -> ApiPrices:
    """The token prices of `model` (as the provider names it: "gpt-4o") on date `on` (default: today, UTC),
    from the bundled snapshot; `input_tokens` per request picks a tier where prices are tiered.

    >>> api_prices("gpt-4o", "openai", date(2026, 12, 1)).input
    2.5
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError("model must name an API model, as its provider does (e.g. gpt-4o)")
    return _api_prices(model.strip(), provider or None, on or datetime.now(UTC).date(), input_tokens)


@cache
def _api_prices(model: str, provider: str | None, day: date, input_tokens: float) -> ApiPrices:
    """`api_prices` once per question: the table is fixed for the process, so the same lookup gives the same
    prices (a workbook asks for each price in every copy a batch recalculates)."""
    snapshot_ = _genai_prices()._bundled_snapshot()
    try:
        found_provider, found = snapshot_.find_provider_model(model, None, provider, None)
    except LookupError:
        where = f" of provider {provider}" if provider else ""
        raise InputError(f"model {model!r}{where} is not in the price table ({snapshot()}): type its prices") from None
    prices = found.get_prices(datetime(day.year, day.month, day.day, tzinfo=UTC))
    values = {kind: _value(getattr(prices, field, None), input_tokens) for kind, field in _FIELDS.items()}
    return ApiPrices(found_provider.id, found.id, day, values["input"], values["cached"], values["output"])
