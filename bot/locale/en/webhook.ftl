# chithi run: webhook mode, several processes, one poller per bot
run-workers-need-webhook = --workers {$count} needs webhook mode: set [bot] mode = "webhook" (one poller serves a bot; several processes share a webhook port).
run-workers-need-postgresql = --workers {$count} needs PostgreSQL: SQLite is one file on one machine and serves one process; set [database] url = "postgresql+asyncpg://...".
run-webhook-needs-url = webhook mode needs [webhook] public_url (the HTTPS address Telegram posts to, e.g. https://bot.example.org).
run-webhook-needs-secret = webhook mode needs [webhook] secret_token (1-256 characters A-Z a-z 0-9 _ -), so that only Telegram can post updates.
run-poller-taken = another poller of this bot is running (on this database); stop it first, or use webhook mode with --workers.
run-poller-conflict = Telegram ended this poller: another process is polling this bot's updates (or a webhook is set); stop it first.
