"""What a reader sees of a conversation (the API's response bodies): threads and posts with their authors'
names as the site and the sign-in give them today, text rendered from its source on every read, held posts
only for their author and the thread's moderators, hidden posts as their reason, and a question's accepted
answer first, then the most helpful."""

from __future__ import annotations

import html as htmllib
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from ..identity.principal import Principal
from ..models import IngestedFeed, Person, Post, PostState, Thread, ThreadKind, ThreadType
from .markup import PostRejected
from .policy import FORMER, UNNAMED, Talk, shown_to


class AuthorView(BaseModel):
    name: str = Field(description="Their name on the site's profile, else as their sign-in gives it; \"a former "
                      "colleague\" once they were erased.")
    person: str | None = Field(description="Their profile's person id on the site, if they have one.")
    former: bool = Field(description="The author was erased: the post stays, without their name.")
    photo: str | None = Field(None, description="An introduced author's photo path on the service "
                              "(`/api/v1/photos/<id>`); null for site people (the site has their profile's photo).")
    motto: str | None = Field(None, description="An introduced author's motto.")


class NoteView(BaseModel):
    html: str = Field(description="A steward's note shown with the post (safe HTML, rendered like a post).")
    by: AuthorView


class PostView(BaseModel):
    id: int
    thread: int
    parent: int | None = Field(description="The top-level post this replies to; null at the top level.")
    author: AuthorView | None = Field(description="Null for a deleted post.")
    html: str | None = Field(description="The text as safe HTML; null when deleted, or hidden (see hidden_reason) "
                             "for anyone but its author and the moderators.")
    source: str | None = Field(default=None, description="The reader's own post's Markdown-lite text, to edit "
                               "it from; null for anyone else's and when deleted.")
    state: PostState = Field(description="visible; held (waits for a steward; shown only to its author and "
                             "stewards); hidden (by a steward, with a reason); deleted (its place kept for replies)")
    hidden_reason: str | None
    note: NoteView | None
    created_at: str
    edited_at: str | None
    edited: bool
    helpful: int = Field(description="How many readers marked it \"this helped\".")
    helped_by_me: bool
    mine: bool
    accepted: bool = Field(description="The question's accepted answer.")
    replies: list[PostView] = Field(default_factory=list, description="Replies, oldest first (top level only).")


class ThreadSummary(BaseModel):
    id: int
    kind: ThreadKind
    item: str | None = Field(description="The item's feed id, for an item's discussion.")
    community: str | None = Field(description="The community (topic) id, for a board's thread.")
    type: ThreadType | None
    title: str | None = Field(description="Board threads; null for an item's discussion, or once its author's text "
                              "was removed.")
    author: AuthorView | None = Field(description="Who opened a board thread; null for an item's discussion.")
    created_at: str
    last_post_at: str
    pinned: bool
    locked: bool
    accepted_post: int | None
    posts: int = Field(description="Visible posts (not held, hidden or deleted).")
    routed_to: list[AuthorView] = Field(default_factory=list, description="An asked question: the site's people it "
                                        "was sent to, in routing order (empty: the board's stewards see it as usual).")


class Discussion(BaseModel):
    """A thread with its posts, or an item's discussion that has no post yet (`thread` null)."""

    thread: ThreadSummary | None
    item: str | None
    communities: list[str] = Field(description="The communities whose stewards moderate it.")
    moderator: bool = Field(description="You may moderate it (a steward of one of its communities, or an admin).")
    can_post: bool = Field(description="You may post in it (signed in, and it is not locked, or you moderate it).")
    following: bool = Field(False, description="You hear of its new posts (you opened, posted in or followed it, "
                            "and have not unfollowed it).")
    posts: list[PostView] = Field(description="Top-level posts: a board thread's opening post first; for questions "
                                  "then the accepted answer, the most helpful, the oldest; otherwise oldest first.")


class Board(BaseModel):
    """A community's threads: pinned first, then by last activity."""

    community: str
    threads: list[ThreadSummary]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")
    moderator: bool


class Names:
    """Authors' names for one answer: their stored rows read once, the site's names from the feed."""

    def __init__(self, talk: Talk, feed: IngestedFeed, subjects: Iterable[str | None]) -> None:
        self.feed = feed
        known = [s for s in subjects if s]
        self.people: dict[str, Person] = talk.store.people_by_subject(known)
        self.intros = talk.store.introductions(sorted(set(known)))

    def __call__(self, subject: str | None) -> AuthorView:
        if subject is None:
            return AuthorView(name=FORMER, person=None, former=True)
        row = self.people.get(subject)
        site = self.feed.state.people
        profile = row.person if row is not None and row.person in site else None
        name = site[profile].name if profile else (row.name if row is not None and row.name else UNNAMED)
        intro = None if profile else self.intros.get(subject)
        return AuthorView(name=name, person=profile, former=False, photo=photo_path(intro.photo_id) if intro else None,
                          motto=intro.motto or None if intro else None)


def photo_path(photo_id: str | None) -> str | None:
    """Where the service serves an introduction's photo (its id changes with every new photo)."""
    return f"/api/v1/photos/{photo_id}" if photo_id else None


def summary(thread: Thread, names: Names) -> ThreadSummary:
    board = thread.kind == "board"
    site = names.feed.state.people
    return ThreadSummary(id=thread.id, kind=thread.kind, item=None if board else thread.target,
                         community=thread.target if board else None, type=thread.type, title=thread.title,
                         author=names(thread.author) if board else None, created_at=thread.created_at.isoformat(),
                         last_post_at=thread.last_post_at.isoformat(), pinned=thread.pinned, locked=thread.locked,
                         accepted_post=thread.accepted_post_id, posts=thread.posts,
                         routed_to=[AuthorView(name=site[p].name, person=p, former=False)
                                    for p in thread.routed if p in site])


class Reading:
    """One reader's view of one thread's posts."""

    def __init__(self, talk: Talk, feed: IngestedFeed, thread: Thread | None, principal: Principal | None,
                 moderator: bool, posts: Sequence[Post]) -> None:
        self.talk, self.feed, self.thread, self.principal, self.moderator = talk, feed, thread, principal, moderator
        self.names = Names(talk, feed, [p.author for p in posts] + [p.steward_note_by for p in posts]
                           + [thread.author if thread else None])
        self.marked = talk.store.marked(principal.subject, [p.id for p in posts]) if principal else set()
        self.first = min((p.id for p in posts), default=None)  # a board thread's opening post

    def post(self, post: Post, replies: Sequence[PostView] = ()) -> PostView:
        mine = self.principal is not None and post.author == self.principal.subject
        deleted = post.state == "deleted" or post.body is None
        readable = not deleted and (post.state != "hidden" or mine or self.moderator)
        note = None
        if post.steward_note and not deleted:
            note = NoteView(html=self.html(post.steward_note), by=self.names(post.steward_note_by))
        return PostView(id=post.id, thread=post.thread_id, parent=post.parent_id,
                        author=None if deleted else self.names(post.author),
                        html=self.html(post.body or "") if readable else None, state=post.state,
                        source=post.body if mine and not deleted else None,
                        hidden_reason=post.hidden_reason, note=note, created_at=post.created_at.isoformat(),
                        edited_at=post.edited_at.isoformat() if post.edited_at else None,
                        edited=post.edited_at is not None, helpful=post.helpful, helped_by_me=post.id in self.marked,
                        mine=mine, accepted=self.thread is not None and post.id == self.thread.accepted_post_id,
                        replies=list(replies))

    def html(self, text: str) -> str:
        try:
            return self.talk.render(text, self.feed).html
        except PostRejected:  # stored within the limits, but the site's people changed (more mentions now count)
            return f"<p>{htmllib.escape(text)}</p>"

    def tree(self, posts: Sequence[Post]) -> list[PostView]:
        """The posts this reader may see, top level ordered, replies nested under theirs, oldest first."""
        shown = [p for p in posts if shown_to(p, self.principal, self.moderator)]
        replies: dict[int, list[Post]] = {}
        for post in shown:
            if post.parent_id is not None:
                replies.setdefault(post.parent_id, []).append(post)
        return [self.post(top, [self.post(r) for r in replies.get(top.id, [])]) for top in self.ordered(shown)]

    def ordered(self, posts: Sequence[Post]) -> list[Post]:
        tops = [p for p in posts if p.parent_id is None]
        thread = self.thread
        if thread is None or thread.kind != "board":
            return tops
        opener = [p for p in tops if p.id == self.first]
        rest = [p for p in tops if p.id != self.first]
        if thread.type == "question":
            rest.sort(key=lambda p: (p.id != thread.accepted_post_id, -p.helpful, p.created_at, p.id))
        return opener + rest
