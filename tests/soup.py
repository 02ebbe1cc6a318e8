"""Reading parsed HTML in tests: each helper returns what it was asked for, or fails the test saying what is missing."""

from __future__ import annotations

from bs4 import Tag


def one(scope: Tag, selector: str) -> Tag:
    """The first element in `scope` (a Tag or a whole BeautifulSoup) that the CSS `selector` matches."""
    found = scope.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def after(element: Tag, name: str | list[str]) -> Tag:
    """The first `name` element (or any of several names) after `element` in the document."""
    found = element.find_next(name)
    assert found is not None, f"no {name!r} element after <{element.name} id={element.get('id')!r}>"
    return found


def attr(element: Tag, name: str) -> str:
    """The value of `element`'s attribute `name`, which must be there as one string (not a list, as `class` is)."""
    value = element.get(name)
    assert isinstance(value, str), f"<{element.name}> has {name}={value!r}, not one string"
    return value
