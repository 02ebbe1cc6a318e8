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
)
LATEST = MIGRATIONS[-1][0]
