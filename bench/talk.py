"""Reading a busy discussion: a thread of 200 posts (40 top-level posts with 4 replies each, 200–900 characters of
Markdown-lite with lists, code, links and @mentions) read by a signed-in reader, as GET /api/v1/threads/{id}
builds it: the posts and names read from a real SQLite file, every post rendered from its source, the answer
serialised to JSON. Cold: a new renderer (nothing cached, as after a new feed or a restart); warm: the same
process reading again. Run: `.venv/bin/python bench/talk.py [--posts 200] [--rounds 20]`."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.service.config import TalkSettings
from generator.service.identity.principal import Principal
from generator.service.models import FeedItem, FeedState, Person, Ref
from generator.service.store.sqlite import SqliteStore
from generator.service.talk.markup import Renderer
from generator.service.talk.policy import Talk
from generator.service.talk.reading import discussion

SITE = "https://learn.example.org/"
T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
PARAGRAPHS = [
    "Thanks @ada, this helped a lot. In our team we first check the **row counts** on both sides, then join.",
    "- try a `LEFT JOIN` first\n- then `COALESCE(total, 0)` for the gaps\n- and *always* look at the NULLs",
    "The docs explain it well: [table expressions](https://www.postgresql.org/docs/current/queries-table-"
    "expressions.html), and so does the lesson on the site.",
    "```sql\nSELECT c.id, coalesce(sum(o.total), 0)\nFROM customers c LEFT JOIN orders o USING (id)\n"
    "GROUP BY c.id;\n```",
    "1. export the report\n2. open it in Power Query\n3. merge on the customer id (left outer)",
    "I asked @grace about it at the lunch & learn; she said the same. Worth a verified FAQ?",
]


def body(n: int) -> str:
    """Distinct for every post, as real posts are (the renderer caches by text)."""
    return f"Post {n}: " + "\n\n".join(PARAGRAPHS[(n + k) % len(PARAGRAPHS)] for k in range(1 + n % 4))


def thread_of(store: SqliteStore, posts: int) -> int:
    people = {p: Ref(p, p.title() + " Example", f"{SITE}people/{p}/") for p in ("ada", "grace", "alan")}
    store.save_feed_state(FeedState("Acme", SITE, None, {"data": Ref("data", "Data", f"{SITE}topics/data/", None,
                                                                         ("ada",))}, people), T0)
    store.add_batch(T0, [FeedItem("urn:practica:lesson:sql-joins", "lesson", f"{SITE}learn/sql-joins/", "Joins",
                                  "", ("data",), ("ada",))], True)
    for n in range(20):
        store.save_person(Person(f"sso|{n}", None, f"Reader {n}", ("ada", "grace", "alan", None)[n % 4],
                                 f"key-{n}", T0, T0.date()))
    tid = store.create_thread("board", "data", "question", "Joins that keep every customer", "sso|0", T0).id
    top = None
    for n in range(posts):
        parent = None if n % 5 == 0 else top
        post = store.add_post(tid, parent, f"sso|{n % 20}", body(n), "visible", f"bench-{n:08d}",
                              T0 + dt.timedelta(minutes=n))
        top = post.id if parent is None else top
        if n % 3 == 0:
            store.mark(post.id, f"sso|{(n + 1) % 20}", True)
    return tid


def timed(talk: Talk, tid: int, reader: Principal) -> float:
    start = time.perf_counter()
    discussion(talk, tid, reader).model_dump_json()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "talk.sqlite3")
        store.migrate()
        tid = thread_of(store, args.posts)
        reader = Principal("sso|1", None, "Reader 1", "jwt", "grace")
        talk = Talk(store, TalkSettings())
        timed(talk, tid, reader)  # imports, the parser's first use and SQLite's page cache: not what is measured
        cold = [timed(Talk(store, TalkSettings(), Renderer()), tid, reader) for _ in range(args.rounds)]
        warm = [timed(talk, tid, reader) for _ in range(args.rounds)]
        store.close()
    for name, runs in (("cold (nothing cached)", cold), ("warm (rendered before)", warm)):
        print(f"{args.posts} posts, {name}: median {statistics.median(runs):.1f} ms, "
              f"min {min(runs):.1f}, max {max(runs):.1f} ({args.rounds} rounds)")


if __name__ == "__main__":
    main()
