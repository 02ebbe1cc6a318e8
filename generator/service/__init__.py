"""The push service: stores subscriptions, reads the site's feed, sends new-content reminders.

It never imports the content model or page builders; the published feed is its only input.
"""
