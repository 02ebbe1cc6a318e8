"""Conversations: threads, posts, mentions and moderation under items and on community boards (issue 17).

`markup.py` turns what a reader writes into safe HTML and plain text; the threads and posts come next."""
