"""Intake: how updates come in from Telegram (long polling, the webhook server, routing of raw
updates) and the press lane that records and answers button presses first."""
