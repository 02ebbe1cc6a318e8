"""The store: subscriptions, the outbox, feed state and votes; SQLite today (migrations.py)."""
