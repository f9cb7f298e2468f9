"""Running memo-bot for real: its health and readiness, its metrics and its log lines.

Nothing here is a chat platform: ``memo-bot run`` puts the health routes on the HTTP
server a platform already serves (Slack's), or on a listener of their own
(``MEMO_HEALTH_PORT``), and the platforms report their API errors to ``metrics``.
"""
