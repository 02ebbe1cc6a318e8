"""Reminders by email, through their own outbox (`emails`) with the push outbox's discipline: activity is queued
once (`activity.mailed_at`, in the same transaction), a mail is claimed ('sending') and its message frozen before
any SMTP conversation, a mailer that died leaves it 'sending' and the next run (holding the sender lock) sends
the same message again: at least once, with one Message-ID, so a rare resend is recognisably the same mail.

`replies`: one mail per reply or mention, now. `digest`: one mail a day (PRACTICA_PUSH_DIGEST_TIME, UTC) with
everything. Every mail is plain text (a post's words through `Rendered.text`, never HTML) and carries
List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) with a signed one-click link. Thank-you notes
(`notes.py`) come written, through the same outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from ..config import EmailSettings
from ..models import UTC, Activity, FeedState, Mail
from ..push.schedule import Rules
from ..store.base import Store
from ..talk import notices
from .unsubscribe import token

log = logging.getLogger("practica.mail")
DIRECT = ("reply", "mention", "question", "invitation")  # what `replies` mails one by one
STALE = dt.timedelta(days=1)  # activity older than this when first considered is not mailed (email just enabled)
MAX_ATTEMPTS, BACKOFF = 5, 60.0


class Mailer:
    """Queues and sends reminder mail over SMTP."""

    def __init__(self, settings: EmailSettings, rules: Rules) -> None:
        self.settings, self.rules = settings, rules

    def queue(self, store: Store, now: dt.datetime) -> int:
        """Consider every activity not yet considered: into a mail, or skipped. How many went into mail."""
        queued = 0
        while found := store.unmailed(500):
            with store.transaction():
                for activity, pref in found:
                    slot = self._slot(activity, pref, now)
                    if slot is None:
                        store.skip_mail(activity.id, now)
                    else:
                        store.queue_mail(activity.id, activity.subject, slot[0], slot[1], now)
                        queued += 1
        return queued

    def _slot(self, activity: Activity, pref: str, now: dt.datetime) -> tuple[str, dt.datetime] | None:
        if now - activity.created_at > STALE:
            return None
        if pref == "replies" and activity.kind in DIRECT:
            return f"activity:{activity.id}", now
        if pref == "digest":
            due = dt.datetime.combine(now.date(), self.rules.digest_time, tzinfo=UTC)
            due = due if due > now else due + dt.timedelta(days=1)
            return f"digest:{due.date().isoformat()}", due
        return None

    async def send_due(self, store: Store, now: dt.datetime) -> int:
        """Send every mail due by `now`; how many were sent."""
        found = store.feed_state()
        state = found.state if found else FeedState("Practica", "https://invalid/", None, {}, {})
        sent = 0
        while mails := self._claim(store, now, state):
            for mail in mails:
                sent += await asyncio.to_thread(self._send, store, mail, now)
        return sent

    def _claim(self, store: Store, now: dt.datetime, state: FeedState) -> list[Mail]:
        with store.transaction():
            return [self._freeze(store, mail, state) for mail in store.claim_mail(now, 50)]

    def _freeze(self, store: Store, mail: Mail, state: FeedState) -> Mail:
        if mail.message is not None or not mail.address or not mail.activities:
            return mail
        text = compose(mail, state, self.settings).as_string()
        store.set_message(mail.id, text)
        return Mail(mail.id, mail.subject, mail.address, mail.slot, mail.attempts, text, mail.activities)

    def _send(self, store: Store, mail: Mail, now: dt.datetime) -> int:
        if mail.message is None:
            store.finish_mail(mail.id, "failed", "no address or nothing left to say", None, now)
            return 0
        try:
            with smtplib.SMTP(self.settings.host, self.settings.port, timeout=30) as smtp:
                if self.settings.starttls:
                    smtp.starttls()
                if self.settings.user and self.settings.password is not None:
                    smtp.login(self.settings.user, self.settings.password.reveal())
                smtp.send_message(message_from_string(mail.message, policy=policy.SMTP))
        except smtplib.SMTPRecipientsRefused as exc:
            store.finish_mail(mail.id, "failed", f"recipient refused: {list(exc.recipients.values())[:1]}", None, now)
            return 0
        except (smtplib.SMTPException, OSError) as exc:
            again = mail.attempts < MAX_ATTEMPTS
            due = now + dt.timedelta(seconds=BACKOFF * 2 ** (mail.attempts - 1)) if again else None
            store.finish_mail(mail.id, "pending" if again else "failed", f"{type(exc).__name__}: {exc}"[:300], due,
                              now)
            log.warning("mail %d not sent (%s)%s", mail.id, type(exc).__name__, "; will retry" if again else "")
            return 0
        store.finish_mail(mail.id, "sent", None, None, now)
        return 1


def compose(mail: Mail, state: FeedState, settings: EmailSettings) -> EmailMessage:
    """The plain-text message for a mail's activities, with its unsubscribe headers."""
    assert mail.address is not None and settings.secret is not None
    activities = mail.activities
    if len(activities) == 1:
        subject = notices.headline(activities[0], state)
    else:
        subject = f"{state.title}: {len(activities)} new responses"
    blocks = [f"{notices.headline(a, state)}\n\n{_quoted(notices.text(a, state))}\n\n{notices.url(a, state)}"
              for a in activities]
    return envelope(mail.address, subject, "\n\n---\n\n".join(blocks), mail.subject, f"practica-mail-{mail.id}",
                    state.title, settings)


def envelope(address: str, subject: str, text: str, person: str, key: str, site: str, settings: EmailSettings
             ) -> EmailMessage:
    """A plain-text mail to `address` with its one-click unsubscribe headers (the person's signed link)."""
    assert settings.secret is not None
    link = f"{settings.service_url}/api/v1/unsubscribe/{token(person, settings.secret)}"
    footer = (f"You get this because you chose email reminders on {site}. To stop them, turn email off in "
              f"your notification settings, or use your mail app's unsubscribe button.")
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = settings.sender
    message["To"] = address
    message["Subject"] = _line(subject)
    message["Date"] = format_datetime(dt.datetime.now(UTC))
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(key, domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text + f"\n\n-- \n{footer}\n")
    return message


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines()) if text else "(the post was deleted)"


def _line(text: str) -> str:
    """A header value on one line: no CR or LF can smuggle in another header."""
    return " ".join(text.split())[:200]


async def mail(store: Store, mailer: Mailer, now: dt.datetime) -> tuple[int, int]:
    """One mail run as the only sender: resend mails a dead mailer left in flight, queue new activity, send what
    is due. (queued, sent)."""
    with store.sender_lock():
        store.requeue_mail()
        queued = mailer.queue(store, now)
        return queued, await mailer.send_due(store, now)


def mailer_for(settings: EmailSettings, rules: Rules) -> Mailer | None:
    """The mailer, or None when no SMTP host is set."""
    return Mailer(settings, rules) if settings.host else None
