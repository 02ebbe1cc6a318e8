"""Events (ARCHITECTURE.md, "Events"): RSVPs and check-ins (`attendance.py`), and what the service tells people
about events by push (`notices.py`): announcements to followers, reminders and cancellation notices."""
