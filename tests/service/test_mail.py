"""Reminders by email, against a local SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives: a reply
mailed exactly once to who chose `replies`, plain text, with RFC 8058 headers whose link turns email off and is
refused when tampered with; a digest; a crash between claim and send neither drops nor duplicates."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from generator.service.mail.mailer import Mailer, mail, mailer_for
from generator.service.models import FeedState, utcnow
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules

from .conftest import T0, ReceiverClient
from .forum import Forum, new_key, ok, refused, running
from .test_activity import question
from .test_ask import ask_feed

pytestmark = pytest.mark.both_backends

SECRET = "a-test-secret-of-at-least-32-characters!"


class Inbox:
    """aiosmtpd's handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start() checks the port it was given)
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient, inbox: Inbox) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, smtp_host="127.0.0.1", smtp_port=str(inbox.port),
                 smtp_from="Practica <learning@example.org>", smtp_starttls="false",
                 smtp_service_url="https://community.example.org", smtp_secret=SECRET) as started:
        yield started


def run_mail(forum: Forum, now: dt.datetime | None = None) -> tuple[int, int]:
    """One mail run, as serve's loop and `practica push send` make it."""
    mailer = mailer_for(forum.settings.email, _rules(forum))
    assert mailer is not None
    return asyncio.run(mail(forum.store, mailer, now or utcnow()))


def _rules(forum: Forum) -> Rules:
    s = forum.settings
    return Rules(s.digest_time, s.digest_weekday, s.daily_cap)


def choose(forum: Forum, name: str, choice: str) -> dict[str, Any]:
    return dict(ok(forum.send("PUT", "/me/preferences", name, {"lock_screen": None, "email": choice})))


def test_a_reply_is_mailed_once_as_plain_text_with_one_click_unsubscribe(forum: Forum, inbox: Inbox) -> None:
    assert choose(forum, "alan", "replies")["email_reminders"] == "replies"
    tid, _ = question(forum)
    answer = ok(forum.reply("robert", tid, "Use a <script>alert(1)</script> **LEFT** JOIN."), 201)
    assert run_mail(forum) == (1, 1)
    assert run_mail(forum) == (0, 0)  # nothing twice
    [message] = inbox.messages
    assert message["To"] == "alan@example.org"
    assert message["Subject"] == "Robert Example replied in “How do I join two tables?”"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert "> Use a <script>alert(1)</script> LEFT JOIN." in body  # the words as text; no HTML was made
    assert f"#post-{answer['id']}" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://community.example.org/api/v1/unsubscribe/")
    token = link.rsplit("/", 1)[1]
    refused(forum.send("POST", f"/unsubscribe/{token[:-2]}xy", None), 403, "bad_token")
    name, mac = token.split(".")
    refused(forum.send("POST", f"/unsubscribe/{name[:-1]}A.{mac}", None), 403, "bad_token")
    assert ok(forum.send("POST", f"/unsubscribe/{token}", None)) == {"unsubscribed": True}
    assert ok(forum.get("/me", "alan"))["email_reminders"] == "off"
    ok(forum.reply("grace", tid, "Or a FULL JOIN."), 201)
    assert run_mail(forum) == (0, 0)


def test_nobody_who_chose_no_email_gets_mail_and_a_digest_gathers_the_day(forum: Forum, inbox: Inbox) -> None:
    choose(forum, "alan", "digest")
    tid, _ = question(forum)
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    ok(forum.reply("grace", tid, "Or a FULL JOIN."), 201)
    ok(forum.send("PUT", "/me/preferences", "grace", {"lock_screen": None}))  # grace keeps email off
    ok(forum.reply("alan", tid, "Thanks both."), 201)
    now = utcnow()
    assert run_mail(forum, now) == (2, 0)  # into tomorrow's (or today's) digest, not sent yet
    assert inbox.messages == []
    assert run_mail(forum, now + dt.timedelta(days=1, hours=1)) == (0, 1)
    [message] = inbox.messages
    assert message["To"] == "alan@example.org"
    assert message["Subject"] == "Acme Communities: 2 new responses"
    body = message.get_content()
    assert body.count(" replied in “How do I join two tables?”") == 2


def test_a_crash_between_claim_and_send_neither_drops_nor_duplicates(forum: Forum, inbox: Inbox) -> None:
    choose(forum, "alan", "replies")
    tid, _ = question(forum)
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    store, now = forum.store, utcnow()
    # On PostgreSQL another sender takes a claim back only once its lease has ended: here, at once.
    store.claim_lease = 0.0
    mailer = Mailer(forum.settings.email, _rules(forum))
    mailer.queue(store, now)
    found = store.feed_state()
    [claimed] = mailer._claim(store, now, found.state if found else FeedState("x", "https://x/", None, {}, {}))
    assert claimed.message is not None  # frozen, then the mailer died before the SMTP conversation
    assert run_mail(forum, now) == (0, 1)
    assert run_mail(forum, now) == (0, 0)
    [message] = inbox.messages
    frozen = email.message_from_string(claimed.message, policy=policy.default)
    assert message["Message-ID"].strip() == frozen["Message-ID"].strip()  # the same mail, not a new one


def test_a_question_routed_to_an_expert_is_mailed_once(forum: Forum, inbox: Inbox) -> None:
    ingest(forum.store, parse_feed(ask_feed()), T0, Rules())  # Ada takes questions
    choose(forum, "ada", "replies")
    asked = ok(forum.send("POST", "/questions", "robert", {"ask": {"person": "ada"}, "title": "Which horizon?",
                                                           "body": "Weekly or monthly?", "idempotency_key": new_key()}),
               201)
    assert run_mail(forum) == (1, 1)
    assert run_mail(forum) == (0, 0)  # exactly once
    [message] = inbox.messages
    assert (message["To"], message["Subject"]) == ("ada@example.org", "Robert Example asked you: “Which horizon?”")
    assert f"#post-{asked['post']['id']}" in message.get_content()


def test_thanks_are_mailed_once_to_an_author_who_chose_email(forum: Forum, inbox: Inbox) -> None:
    """Issue 23: "Thank the author" mails the author as they chose (never when email is off), once per thanks."""
    choose(forum, "ada", "off")
    ok(forum.send("POST", "/thanks", "alan", {"item": "urn:practica:lesson:sql-joins"}), 201)
    assert run_mail(forum) == (0, 0)
    choose(forum, "ada", "replies")
    ok(forum.send("POST", "/thanks", "robert", {"item": "urn:practica:lesson:sql-joins"}), 201)
    ok(forum.send("POST", "/thanks", "robert", {"item": "urn:practica:lesson:sql-joins"}), 200)  # counted once
    assert run_mail(forum) == (0, 1)
    assert run_mail(forum) == (0, 0)  # nothing twice
    [message] = inbox.messages
    assert (message["To"], message["Subject"]) == ("ada@example.org", "A reader thanked you for “Sql joins”")
    body = message.get_content()
    assert "Someone thanked you for “Sql joins”." in body and "/learn/sql-joins/" in body
    assert "2 readers have thanked you for it so far." in body
    assert "Robert" not in body and "robert" not in body  # never who
    assert message["List-Unsubscribe"].startswith("<https://community.example.org/api/v1/unsubscribe/")
