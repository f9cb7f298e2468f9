"""A conference's programme: reading it from iCalendar, CSV or schedule JSON, and storing it."""
