"""Thank-you notes by email (issue 23): to each author of a thanked item who chose email reminders, one mail per
thanks, written when queued (so a resend is the same mail), at once for `replies` and at the digest time for
`digest`; through the mail outbox, so the mailer's guarantee holds."""

from __future__ import annotations

import datetime as dt

from ..config import EmailSettings
from ..models import UTC, FeedItem, FeedState
from ..push.schedule import Rules
from ..store.base import Store
from .mailer import envelope


def mail_thanks(store: Store, item: FeedItem, count: int, state: FeedState, settings: EmailSettings, rules: Rules,
                now: dt.datetime) -> int:
    """Queue "a reader thanked you" to the item's authors who chose email; how many mails were queued."""
    if not settings.host or settings.secret is None:
        return 0
    queued = 0
    for subject in sorted(store.subjects_of(item.people)):
        person = store.person(subject)
        if person is None or not person.email or person.email_pref == "off":
            continue
        text = (f"Someone thanked you for “{item.title}”.\n\n{item.url}\n\n{count} reader"
                f"{'s have' if count != 1 else ' has'} thanked you for it so far.")
        message = envelope(person.email, f"A reader thanked you for “{item.title}”", text, subject,
                           f"practica-thanks-{count}", state.title, settings)
        queued += store.queue_written_mail(subject, f"thanks:{item.id}:{count}", _due(person.email_pref, now, rules),
                                           message.as_string(), now)
    return queued


def _due(pref: str, now: dt.datetime, rules: Rules) -> dt.datetime:
    if pref != "digest":
        return now
    due = dt.datetime.combine(now.date(), rules.digest_time, tzinfo=UTC)
    return due if due > now else due + dt.timedelta(days=1)
