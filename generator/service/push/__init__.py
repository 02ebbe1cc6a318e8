"""Web Push: VAPID keys, encryption, payloads, schedules, the feed reader, ingest and the sender."""
