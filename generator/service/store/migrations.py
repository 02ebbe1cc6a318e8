"""The store's schema as numbered migrations. Append a migration; never edit one that has shipped.

Plain SQL that SQLite and PostgreSQL both accept (TEXT times in `iso()` form, INTEGER ids), so a
PostgreSQL backend can run the same list with `INTEGER PRIMARY KEY` spelled as an identity column.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "subscriptions, feed history and the outbox", (
        """CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY,                  -- short hash of the endpoint; what logs show
            endpoint TEXT NOT NULL UNIQUE,
            p256dh TEXT NOT NULL,
            auth TEXT NOT NULL,                   -- the browser's secret: needed to encrypt, and the proof of holding
            topics TEXT NOT NULL,                 -- JSON arrays
            people TEXT NOT NULL,
            types TEXT NOT NULL,
            frequency TEXT NOT NULL CHECK (frequency IN ('immediate', 'daily', 'weekly')),
            quiet_start TEXT,
            quiet_end TEXT,
            timezone TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE feed_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            data TEXT NOT NULL,                   -- JSON: title, site_url, icon, topics, people
            ingested_at TEXT NOT NULL
        )""",
        """CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            items INTEGER NOT NULL,
            initial INTEGER NOT NULL              -- 1: the first ingest, recorded without notifying
        )""",
        """CREATE TABLE items (
            id TEXT PRIMARY KEY,                  -- the feed's stable id, urn:practica:<type>:<id>
            batch_id INTEGER NOT NULL REFERENCES batches (id),
            position INTEGER NOT NULL,            -- order in the feed (newest first)
            type TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            topics TEXT NOT NULL,
            people TEXT NOT NULL
        )""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            slot TEXT NOT NULL,                   -- batch:<batch id>, or at:<due time> for delayed deliveries
            due_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            payload TEXT,                         -- frozen at the first claim; resends reuse it
            status INTEGER,                       -- the push service's last HTTP status
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (subscription_id, slot)
        )""",
        "CREATE INDEX outbox_due ON outbox (state, due_at)",
        "CREATE INDEX outbox_subscriber_due ON outbox (subscription_id, due_at)",
        """CREATE TABLE outbox_items (
            subscription_id TEXT NOT NULL,
            item_id TEXT NOT NULL REFERENCES items (id),
            outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            PRIMARY KEY (subscription_id, item_id) -- an item is queued to a subscriber at most once
        )""",
        "CREATE INDEX outbox_items_row ON outbox_items (outbox_id)",
    )),
    (2, "reader feedback", (
        """CREATE TABLE feedback (
            id TEXT PRIMARY KEY,                  -- random, made by the browser for this one vote: resends dedupe
            page TEXT NOT NULL,                   -- site-relative item URL, e.g. learn/sql-joins/
            helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
            comment TEXT,                         -- redacted; at most 500 characters
            day TEXT NOT NULL                     -- YYYY-MM-DD only: no time, address or agent is kept
        )""",
        "CREATE INDEX feedback_page ON feedback (page)",
    )),
    (3, "people and their data", (
        """CREATE TABLE people (
            subject TEXT PRIMARY KEY,             -- the SSO's stable id for the reader (Principal.subject)
            email TEXT,                           -- as last seen
            name TEXT,
            person TEXT,                          -- the site's person id whose contact email matched, if any
            lock_screen TEXT CHECK (lock_screen IN ('full', 'private')),
            pseudonym TEXT NOT NULL UNIQUE,       -- random; stands for the person in learning records
            created_at TEXT NOT NULL,
            seen_on TEXT NOT NULL                 -- YYYY-MM-DD of the last signed-in call: retention counts from it
        )""",
        # Deleting a person deletes the devices linked to them and, by the outbox's own cascade, their rows.
        "ALTER TABLE subscriptions ADD COLUMN owner TEXT REFERENCES people (subject) ON DELETE CASCADE",
        "ALTER TABLE subscriptions ADD COLUMN lock_screen TEXT CHECK (lock_screen IN ('full', 'private'))",
        "CREATE INDEX subscriptions_owner ON subscriptions (owner)",
        "CREATE INDEX people_seen ON people (seen_on)",
        "CREATE INDEX feedback_day ON feedback (day)",
    )),
    (4, "conversations: threads, posts, marks, flags, moderation, limits", (
        # A person's rows go with them (marks, flags, limits) or lose their name (threads, posts, the log):
        # the foreign keys to people say which; PRACTICA_ERASE_POSTS=remove deletes post text before that.
        """CREATE TABLE threads (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('item', 'board')),
            target TEXT NOT NULL,                 -- item: its feed id (urn:practica:…); board: the community id
            type TEXT CHECK (type IN ('question', 'insight', 'applied')),  -- boards only
            title TEXT,                           -- boards only; NULL once its author's text was removed
            author TEXT REFERENCES people (subject) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            last_post_at TEXT NOT NULL,           -- the last post shown to everyone: board order, retention
            pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
            locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
            accepted_post_id INTEGER,             -- questions: the accepted answer (a post of this thread)
            CHECK ((kind = 'item') = (type IS NULL))
        )""",
        "CREATE UNIQUE INDEX threads_item ON threads (target) WHERE kind = 'item'",  # one discussion per item
        "CREATE INDEX threads_board ON threads (target, pinned, last_post_at)",
        "CREATE INDEX threads_author ON threads (author)",
        "CREATE INDEX threads_last_post ON threads (last_post_at)",
        """CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES posts (id) ON DELETE CASCADE,  -- a top-level post: one level deep
            author TEXT REFERENCES people (subject) ON DELETE SET NULL,
            body TEXT,                            -- the Markdown-lite source, rendered on read; NULL once deleted
            state TEXT NOT NULL CHECK (state IN ('visible', 'held', 'hidden', 'deleted')),
            hidden_reason TEXT,
            hidden_by TEXT REFERENCES people (subject) ON DELETE SET NULL,
            steward_note TEXT,
            steward_note_by TEXT REFERENCES people (subject) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            edited_at TEXT,
            idempotency_key TEXT,                 -- the client's, so a resend is the same post
            UNIQUE (author, idempotency_key)
        )""",
        "CREATE INDEX posts_thread ON posts (thread_id, created_at)",
        "CREATE INDEX posts_parent ON posts (parent_id)",
        "CREATE INDEX posts_author ON posts (author)",
        "CREATE INDEX posts_state ON posts (state)",
        """CREATE TABLE helpful (
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            PRIMARY KEY (post_id, subject)
        )""",
        "CREATE INDEX helpful_subject ON helpful (subject)",
        """CREATE TABLE flags (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            reason TEXT NOT NULL CHECK (reason IN ('spam', 'rude', 'off_topic', 'personal_data', 'wrong', 'other')),
            text TEXT,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT REFERENCES people (subject) ON DELETE SET NULL,
            UNIQUE (post_id, subject)             -- one flag per reader per post
        )""",
        "CREATE INDEX flags_open ON flags (resolved_at)",
        "CREATE INDEX flags_subject ON flags (subject)",
        """CREATE TABLE moderation_log (
            id INTEGER PRIMARY KEY,
            actor TEXT REFERENCES people (subject) ON DELETE SET NULL,
            action TEXT NOT NULL,
            thread_id INTEGER,                    -- no foreign keys: the entry outlives what it was about
            post_id INTEGER,
            reason TEXT,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX moderation_log_at ON moderation_log (at)",
        "CREATE INDEX moderation_log_actor ON moderation_log (actor)",
        """CREATE TABLE limits (
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            action TEXT NOT NULL,                 -- post, thread, flag, mark
            window_end TEXT NOT NULL,             -- the current window's end; a call after it starts a new one
            count INTEGER NOT NULL,
            PRIMARY KEY (subject, action)
        )""",
        "CREATE INDEX limits_window_end ON limits (window_end)",
    )),
    (5, "activity: who hears of a post, thread follows, the outbox's activity rows", (
        """CREATE TABLE follows (
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            following INTEGER NOT NULL CHECK (following IN (0, 1)),  -- 0: unfollowed a thread they posted in
            PRIMARY KEY (subject, thread_id)
        )""",
        "CREATE INDEX follows_thread ON follows (thread_id)",
        """CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,  -- who hears of it
            kind TEXT NOT NULL CHECK (kind IN ('reply', 'thread_post', 'mention', 'flag')),
            grp TEXT NOT NULL CHECK (grp IN ('post', 'flag')),  -- reply, thread_post and mention are one group
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            read_at TEXT,
            pushed_at TEXT,                       -- when its outbox rows were queued (NULL: not yet)
            UNIQUE (subject, post_id, grp)        -- a re-run or retry never records twice
        )""",
        "CREATE INDEX activity_unread ON activity (subject, read_at)",
        "CREATE INDEX activity_unpushed ON activity (pushed_at)",
        "CREATE INDEX activity_created ON activity (created_at)",
        """CREATE TABLE outbox_activity (
            subscription_id TEXT NOT NULL,
            activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
            outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            PRIMARY KEY (subscription_id, activity_id)  -- an activity is queued to a device at most once
        )""",
        "CREATE INDEX outbox_activity_row ON outbox_activity (outbox_id)",
    )),
    (6, "reminders by email: a person's choice and the mail outbox", (
        "ALTER TABLE people ADD COLUMN email_pref TEXT NOT NULL DEFAULT 'off' "
        "CHECK (email_pref IN ('off', 'replies', 'digest'))",
        "ALTER TABLE activity ADD COLUMN mailed_at TEXT",  # when it was queued to mail, or skipped (NULL: not yet)
        """CREATE TABLE emails (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            slot TEXT NOT NULL,                   -- activity:<id> (one reply), or digest:<YYYY-MM-DD>
            due_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            message TEXT,                         -- frozen at the first claim; a resend is the same message
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (subject, slot)
        )""",
        "CREATE INDEX emails_due ON emails (state, due_at)",
        """CREATE TABLE email_activity (
            email_id INTEGER NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
            activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
            PRIMARY KEY (activity_id)             -- an activity is mailed at most once
        )""",
        "CREATE INDEX email_activity_email ON email_activity (email_id)",
    )),
    (7, "ask an expert: items' experts, questions' routes; activity kinds checked by the code", (
        "ALTER TABLE items ADD COLUMN experts TEXT NOT NULL DEFAULT '[]'",  # JSON: person ids, best first
        """CREATE TABLE routes (
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,                -- routing order (0: the person asked, or the best evidence)
            person TEXT NOT NULL,                 -- the site person id the question was sent to
            asked INTEGER NOT NULL CHECK (asked IN (0, 1)),  -- 1: asked by name, from their profile
            routed_at TEXT NOT NULL,              -- the per-expert daily cap counts these by UTC day
            PRIMARY KEY (thread_id, rank),
            UNIQUE (thread_id, person)
        )""",
        "CREATE INDEX routes_person ON routes (person, routed_at)",
        # The activity table is rebuilt without CHECKs on `kind` and `grp`: SQLite cannot change a CHECK, and
        # every new kind of reminder (questions routed, invitations, events…) would rebuild it again. The kinds
        # are the code's (models.ActivityKind), which alone writes them. The two tables that reference it are
        # set aside first and put back after, so no cascade fires and their rows survive; plain SQL that
        # PostgreSQL runs the same way.
        """CREATE TABLE activity_next (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            kind TEXT NOT NULL,                   -- models.ActivityKind: reply, thread_post, mention, flag, …
            grp TEXT NOT NULL,                    -- post (reply, thread_post, mention are one), flag, question, …
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            read_at TEXT,
            pushed_at TEXT,
            mailed_at TEXT,
            UNIQUE (subject, post_id, grp)
        )""",
        "INSERT INTO activity_next (id, subject, kind, grp, thread_id, post_id, created_at, read_at, pushed_at, "
        "mailed_at) SELECT id, subject, kind, grp, thread_id, post_id, created_at, read_at, pushed_at, mailed_at "
        "FROM activity",
        "CREATE TABLE outbox_activity_kept AS SELECT subscription_id, activity_id, outbox_id FROM outbox_activity",
        "CREATE TABLE email_activity_kept AS SELECT email_id, activity_id FROM email_activity",
        "DROP TABLE outbox_activity",
        "DROP TABLE email_activity",
        "DROP TABLE activity",
        "ALTER TABLE activity_next RENAME TO activity",
        "CREATE INDEX activity_unread ON activity (subject, read_at)",
        "CREATE INDEX activity_unpushed ON activity (pushed_at)",
        "CREATE INDEX activity_created ON activity (created_at)",
        """CREATE TABLE outbox_activity (
            subscription_id TEXT NOT NULL,
            activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
            outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            PRIMARY KEY (subscription_id, activity_id)
        )""",
        "INSERT INTO outbox_activity SELECT subscription_id, activity_id, outbox_id FROM outbox_activity_kept",
        "CREATE INDEX outbox_activity_row ON outbox_activity (outbox_id)",
        """CREATE TABLE email_activity (
            email_id INTEGER NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
            activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
            PRIMARY KEY (activity_id)
        )""",
        "INSERT INTO email_activity SELECT email_id, activity_id FROM email_activity_kept",
        "CREATE INDEX email_activity_email ON email_activity (email_id)",
        "DROP TABLE outbox_activity_kept",
        "DROP TABLE email_activity_kept",
    )),
    (8, "introductions and introduction rounds", (
        """CREATE TABLE introductions (
            subject TEXT PRIMARY KEY REFERENCES people (subject) ON DELETE CASCADE,
            motto TEXT NOT NULL,                  -- one line each, control and bidi characters removed
            learning TEXT NOT NULL,
            workplace TEXT NOT NULL,
            communities TEXT NOT NULL,            -- JSON array of topic ids known to the feed
            photo BLOB,                           -- re-encoded by the service (256 px WebP, no metadata), never as sent
            photo_id TEXT UNIQUE,                 -- random per photo: its URL and its ETag
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE introduction_rounds (
            id INTEGER PRIMARY KEY,
            community TEXT NOT NULL,
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            opened_at TEXT NOT NULL
        )""",
        "CREATE INDEX introduction_rounds_community ON introduction_rounds (community, id)",
    )),
    (9, "claims: which sender holds an outbox row or a mail, and until when", (
        # Several instances on one PostgreSQL database share the outboxes: a row 'sending' belongs to the sender
        # that claimed it until its lease ends, then another sender may take it back (a dead instance's rows).
        "ALTER TABLE outbox ADD COLUMN claimed_by TEXT",
        "ALTER TABLE outbox ADD COLUMN claimed_until TEXT",
        "ALTER TABLE emails ADD COLUMN claimed_by TEXT",
        "ALTER TABLE emails ADD COLUMN claimed_until TEXT",
        "CREATE INDEX outbox_claims ON outbox (state, claimed_until)",
        "CREATE INDEX emails_claims ON emails (state, claimed_until)",
    )),
    (10, "the outboxes in claiming order", (
        # A claim takes the due rows ORDER BY due_at, id. SQLite's (state, due_at) index ends in the rowid, so it
        # was already in that order; PostgreSQL's is not, and a fan-out puts every row on one due_at: it sorted
        # the whole outbox on each claim (bench/BENCHMARKS.md, "Fan-out on PostgreSQL").
        "CREATE INDEX outbox_claim_order ON outbox (state, due_at, id)",
        "DROP INDEX outbox_due",
        "CREATE INDEX emails_claim_order ON emails (state, due_at, id)",
        "DROP INDEX emails_due",
    )),
    (11, "events: occurrences from the feed, RSVPs, attendance, and the notices sent about them", (
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,                  -- the event file's id (events/<id>.md)
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            topics TEXT NOT NULL,                 -- JSON arrays: its communities, its hosts (person ids)
            hosts TEXT NOT NULL,
            timezone TEXT NOT NULL,
            capacity INTEGER,                     -- NULL: no limit
            sequence INTEGER NOT NULL,            -- the .ics SEQUENCE: raised when times or status change
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE occurrences (
            id TEXT PRIMARY KEY,                  -- <event id>@<local start date>
            event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            start_at TEXT NOT NULL,
            end_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
            url TEXT NOT NULL
        )""",
        "CREATE INDEX occurrences_event ON occurrences (event_id)",
        "CREATE INDEX occurrences_start ON occurrences (start_at)",
        # No foreign key to occurrences: an RSVP outlives an occurrence that left the feed, until retention.
        """CREATE TABLE rsvps (
            occurrence_id TEXT NOT NULL,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (occurrence_id, subject)  -- one per person per occurrence
        )""",
        "CREATE INDEX rsvps_subject ON rsvps (subject)",
        """CREATE TABLE attendance (
            occurrence_id TEXT NOT NULL,
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            at TEXT NOT NULL,                     -- when they checked in ("I'm here")
            PRIMARY KEY (occurrence_id, subject)
        )""",
        "CREATE INDEX attendance_subject ON attendance (subject)",
        "CREATE INDEX attendance_at ON attendance (at)",
        # One row per notice ever queued (an announcement, a reminder, a cancellation notice): written in the
        # transaction that queues it, so a re-poll, a restart or a second instance never queues it again.
        """CREATE TABLE event_notices (
            key TEXT PRIMARY KEY,                 -- e.g. new:<event>, remind:<occurrence>:<start>:<offset>:<subject>
            subject TEXT REFERENCES people (subject) ON DELETE CASCADE,  -- a reminder's person; NULL: followers
            at TEXT NOT NULL
        )""",
        "CREATE INDEX event_notices_at ON event_notices (at)",
        "CREATE INDEX event_notices_subject ON event_notices (subject)",
    )),
    (12, "learning records: the xAPI statements outbox", (
        # Migration 11 is the events' (RSVP and check-in), built beside this one. The actor at the `aggregate`
        # level is `people.pseudonym` (migration 3), random and deleted with the person.
        """CREATE TABLE xapi_statements (
            id INTEGER PRIMARY KEY,               -- sending order: a person's statements arrive in it
            statement_id TEXT NOT NULL UNIQUE,    -- UUIDv5 of actor, verb, object and attempt: a resend is the same
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            verb TEXT NOT NULL,                   -- the ADL or video verb's last segment: completed, answered, …
            object TEXT NOT NULL,                 -- the activity id (the item's canonical URL)
            body TEXT NOT NULL,                   -- the statement's JSON, frozen when recorded; resends reuse it
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'rejected')),
            attempts INTEGER NOT NULL DEFAULT 0,
            due_at TEXT NOT NULL,
            status INTEGER,                       -- the LRS's last HTTP status
            error TEXT,                           -- the LRS's answer to a rejection, for an admin
            claimed_by TEXT,
            claimed_until TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX xapi_statements_claim_order ON xapi_statements (state, due_at, id)",
        "CREATE INDEX xapi_statements_subject ON xapi_statements (subject)",
    )),
    (13, "learning that sticks: follow-ups of commitments, and thanks", (
        # Only what a follow-up needs (issue 23): when and about which item. The reader's note, the action they
        # chose and their reflection stay on their device. A commitment belongs to one device (its subscription)
        # or to a signed-in person (all their devices); either's deletion removes it.
        """CREATE TABLE commitments (
            id TEXT PRIMARY KEY,                  -- random, made by the browser: a resend is the same commitment
            subscription_id TEXT REFERENCES subscriptions (id) ON DELETE CASCADE,
            subject TEXT REFERENCES people (subject) ON DELETE CASCADE,
            item TEXT NOT NULL,                   -- the feed id of the lesson or path, urn:practica:<type>:<id>
            due_at TEXT NOT NULL,                 -- the follow-up's time: the chosen day at the digest time, local
            created_at TEXT NOT NULL,
            queued_at TEXT,                       -- when its follow-up went into the outbox (NULL: not yet)
            CHECK ((subscription_id IS NULL) <> (subject IS NULL))
        )""",
        "CREATE INDEX commitments_due ON commitments (queued_at, due_at)",
        "CREATE INDEX commitments_subscription ON commitments (subscription_id)",
        "CREATE INDEX commitments_subject ON commitments (subject)",
        """CREATE TABLE thanks (
            subject TEXT NOT NULL REFERENCES people (subject) ON DELETE CASCADE,
            item TEXT NOT NULL,                   -- the feed id of the lesson, video, answer or path thanked for
            created_at TEXT NOT NULL,
            PRIMARY KEY (subject, item)           -- once per reader per item
        )""",
        "CREATE INDEX thanks_item ON thanks (item)",
    )),
)
LATEST = MIGRATIONS[-1][0]
