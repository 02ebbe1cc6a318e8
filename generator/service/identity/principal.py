"""The signed-in reader, as every part of the service sees them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """A signed-in reader. `subject` is the stable key (the SSO's `sub`, never the email, which changes);
    `email` and `name` are attributes as the SSO sent them this time; `person` is the site's person id whose
    `contact.email` matches the email (from the last feed read), if any."""

    subject: str
    email: str | None
    name: str | None
    mode: str  # jwt, header or demo
    person: str | None = None

    @property
    def demo(self) -> bool:
        """A demo identity, picked rather than proven: the site says so wherever it shows it."""
        return self.mode == "demo"


class IdentityRefused(Exception):
    """The request carries an identity that does not hold up (bad signature, expired, wrong audience…)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
