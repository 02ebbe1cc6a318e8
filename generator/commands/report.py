"""`practica report`: content health as text (for people), JSON (for tools) or Markdown (for an issue)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..community import Community
from ..content.load import load_community
from ..health import (
    OPTIONAL,
    SECTIONS,
    Conversation,
    Finding,
    Health,
    conversations_for,
    feedback_for,
    health,
    learning_for,
)
from ..settings import Settings
from .validate import display_path

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~@:])")


def report(settings: Settings, fmt: str = "text", feedback: Path | None = None, only: list[str] | None = None,
           conversations: Path | None = None, learning: Path | None = None) -> str:
    community = load_community(settings)
    result = health(community, feedback_for(settings, feedback), conversations_for(settings, conversations),
                    learning_for(settings, learning))
    if only:
        result.sections = {k: v for k, v in result.sections.items() if k in only}
        result.communities = [] if "communities" not in only else result.communities
        result.conversation = [] if "conversation" not in only else result.conversation
    if fmt == "json":
        return json.dumps(result.as_dict(), indent=2, ensure_ascii=False)
    return (markdown if fmt == "markdown" else text)(community, result)


def text(community: Community, result: Health) -> str:
    s = community.settings
    lines = [f"Content health: {s.site_name} ({s.today.isoformat()}), {_things(result)}"]
    for key, rows in result.sections.items():
        if key in OPTIONAL and not rows:
            continue
        lines += ["", f"{SECTIONS[key]} ({len(rows)})"]
        for row in rows:
            lines.append(f"  {_where(s, row)}  {row.title}: {row.detail}" + (f" ({', '.join(row.who)})" if row.who
                                                                               else ""))
    if result.communities:
        lines += ["", "Communities (newest and oldest item)"]
        for span in result.communities:
            lines.append(f"  {span.name}: {span.items} items" + (
                f"; newest “{span.newest[0]}” ({span.newest[1]}); oldest “{span.oldest[0]}” ({span.oldest[1]})"
                if span.newest and span.oldest else ""))
    if result.conversation:
        lines += ["", f"Conversation against each community's goal (last {result.conversation[0].window_days} days)"]
        lines += [f"  {r.name}" + (f" (goal: {r.goal})" if r.goal else "") + f": {_said(r)}"
                  for r in result.conversation]
    return "\n".join(lines)


def markdown(community: Community, result: Health) -> str:
    s = community.settings
    lines = [f"## Content health: {s.site_name}", "", f"_{s.today.isoformat()}: {_things(result)}._"]
    for key, rows in result.sections.items():
        if key in OPTIONAL and not rows:
            continue
        lines += ["", f"### {SECTIONS[key]} ({len(rows)})", ""]
        lines += [f"- [ ] {_md_link(s, row)}: {_md(row.detail)}" + (f" — {_md(', '.join(row.who))}" if row.who
                                                                       else "") for row in rows] or ["Nothing here."]
    if result.communities:
        lines += ["", "### Communities", "", "| community | items | newest | oldest |", "|---|---|---|---|"]
        for span in result.communities:
            newest = f"{_md(span.newest[0])} ({span.newest[1]})" if span.newest else "—"
            oldest = f"{_md(span.oldest[0])} ({span.oldest[1]})" if span.oldest else "—"
            lines.append(f"| {_md(span.name)} | {span.items} | {newest} | {oldest} |")
    if result.conversation:
        lines += ["", f"### Conversation against each community's goal (last {result.conversation[0].window_days} "
                  "days)", "", "| community | goal | what its boards did |", "|---|---|---|"]
        lines += [f"| {_md(r.name)} | {_md(r.goal or '—')} | {_md(_said(r))} |" for r in result.conversation]
    return "\n".join(lines)


def _said(r: Conversation) -> str:
    wait = f", first answer in {r.median_hours_to_answer:g} h (median)" if r.median_hours_to_answer is not None else ""
    return (f"{r.questions} question{'s' * (r.questions != 1)}, {r.share_answered} answered{wait}; "
            f"{r.new} new and {r.returning} returning participants; " + _contributors(r))


def _contributors(r: Conversation) -> str:
    if not r.new_contributors:
        return "no new contributors"
    names = r.new_contributors
    return f"{len(names)} new contributor{'s' * (len(names) != 1)} ({', '.join(names)})"


def _things(result: Health) -> str:
    n = result.count()
    return f"{n} thing{'s' * (n != 1)} to look at"


def _where(s: Settings, row: Finding) -> str:
    path = display_path(s, row.file) if "/" in row.file or row.file.endswith((".md", ".yml")) else row.file
    return f"{path}:{row.line}" if row.line else path


def _md(text: str) -> str:
    """Text shown as written in GitHub Markdown: on one line, HTML escaped, Markdown's punctuation and
    @mentions backslash-escaped (reader comments and titles are text, never markup)."""
    one_line = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _md_link(s: Settings, row: Finding) -> str:
    thread = row.page and "?thread=" in row.page  # a conversation: link to it, not to the community's file
    target = (s.site_url.rstrip("/") + "/" + row.page.lstrip("/") if thread and row.page else
              s.edit_url(row.file) or display_path(s, row.file))
    return f"[{_md(row.title)}]({target})" + (f" (line {row.line})" if row.line and row.line > 1 else "")
