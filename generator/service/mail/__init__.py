"""Reminders by email: the mailer and its one-click unsubscribe tokens."""
