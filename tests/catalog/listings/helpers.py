"""Build the listing form's fields (API names, rows as `regional_prices-0-price`) from `listing_data`."""

from __future__ import annotations

import re

from tests.factories import listing_data


def form_data(reference: dict, *, national_price: bool = True, action: str = "draft", **overrides) -> dict:
    """What a browser posts for a valid listing, with `overrides` under their API names."""
    data = listing_data(reference, **overrides)
    posted: dict[str, str] = {"action": action}
    for key, value in data.items():
        if key in ("specifications", "regional_prices"):
            for index, row in enumerate(value):
                for sub, cell in row.items():
                    posted[f"{key}-{index}-{sub}"] = str(cell)
        elif key == "is_domestic":
            posted[key] = "1" if value else "0"
        elif value is not None:
            posted[key] = str(value)
    if national_price:
        posted["national_price"] = "y"
    return posted


def error_for(html: str, path: str) -> str | None:
    """The message shown next to the input of `path` (`price`, `regional_prices.1.price`)."""
    dashed = path.replace(".", "-")
    match = re.search(rf'<p class="error" id="{re.escape(dashed)}-error"[^>]*>([^<]*)</p>', html)
    return match.group(1) if match else None


def input_value(html: str, name: str) -> str | None:
    """The value of the text input named `name` as the page shows it."""
    for tag in re.findall(r"<input[^>]*>", html):
        if re.search(rf'name="{re.escape(name)}"', tag):
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None
