"""What a reminder says about an activity, for the bell, a push and a mail: who, where, a one-line headline and
the post's URL (`#post-<id>` on the item's page or the community's hub). Plain text only: a post's own words
come through `Rendered.text`."""

from __future__ import annotations

from urllib.parse import urljoin

from ..models import Activity, FeedState
from .markup import PostRejected, render
from .policy import FORMER, UNNAMED

VERBS = {"reply": "replied in", "thread_post": "posted in", "mention": "mentioned you in", "question": "asked you:",
         "flag": "A post was flagged in", "invitation": "invites you to introduce yourself in"}


def who(activity: Activity, state: FeedState) -> str:
    """The post's author as the site names them, else as they signed in; "a former colleague" once erased."""
    if activity.actor is None:
        return FORMER
    profile = state.people.get(activity.actor_person or "")
    return profile.name if profile else activity.actor_name or UNNAMED


def where(activity: Activity, state: FeedState) -> str:
    """The thread's title: a board thread's own, else its item's."""
    if activity.thread_title:
        return activity.thread_title
    community = state.topics.get(activity.thread_target)
    return f"a discussion in {community.name}" if community else "a discussion"


def headline(activity: Activity, state: FeedState) -> str:
    """'Priya replied in “SQL joins”', 'Priya asked you: “…”', or for a flag 'A post was flagged in “…”'."""
    title = f"“{where(activity, state)}”"
    if activity.kind == "flag":
        return f"{VERBS['flag']} {title}"
    return f"{who(activity, state)} {VERBS[activity.kind]} {title}"


def url(activity: Activity, state: FeedState) -> str:
    """The post on the item's page, or in its thread opened on the community's hub (`?thread=<id>`, as the
    board's own links open it), so tapping a reminder lands on the post."""
    page = activity.item_url
    if page is not None:
        return urljoin(state.site_url, page).split("#")[0] + f"#post-{activity.post_id}"
    community = state.topics.get(activity.thread_target)
    hub = urljoin(state.site_url, community.url if community else state.site_url).split("#")[0].split("?")[0]
    return f"{hub}?thread={activity.thread_id}#post-{activity.post_id}"


def community_of(activity: Activity, state: FeedState) -> str | None:
    """The board's community name (an item thread's is not kept on the activity)."""
    found = state.topics.get(activity.thread_target)
    return found.name if found else None


def text(activity: Activity, state: FeedState) -> str:
    """The post's words as plain text (never its HTML); empty once deleted."""
    if activity.body is None:
        return ""
    try:
        return render(activity.body, state.people, state.site_url).text
    except PostRejected:
        return " ".join(activity.body.split())
