# chithi demo: narration
demo-intro = Chithi — demo run. No token is configured, so the bot runs against a sandbox Bot API server on this machine; data is stored in {$db}.
demo-sandbox = Sandbox server running at {$url} (Telegram's real flood limits).
demo-import = Importing the sample tree (Bình Phước province) and the sample members.
demo-imported = Imported {$units} units and {$members} people.
demo-link = The cell's secretary adds the bot to the cell's group and links the group to the unit.
demo-join = A new member opens the cell's join link (the printed QR code) and confirms.
demo-publish = An administrator publishes letter {$number} (as with: chithi publish directives.toml).
demo-published = Queued: {$chats} groups, {$private} private copies, {$messages} messages. The bot posts in the group:
demo-press = Members press the confirmation buttons under the post (a double tap is recorded once).
demo-counters = The post's counters are refreshed (coalesced, at most every few seconds):
demo-pending = The secretary asks: who has not confirmed?
demo-toast = toast for {$name}
demo-private = private chat
demo-more-lines = … ({$count} more lines)
demo-summary =
    Summary: {$units} units, {$members} people, {$chats} linked chats, {$sent} messages sent, {$confirmations} confirmations recorded; the bot made {$calls} Bot API calls, {$flood} refused for sending too fast.
    To run on real Telegram: put the token in config.toml (see config.example.toml) and run this command again.
