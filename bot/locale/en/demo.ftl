# chithi demo: narration
demo-intro = Chithi — demo run. No token is configured, so the bot runs against a sandbox Bot API server on this machine; data is stored in {$db}.
demo-sandbox = Sandbox server running at {$url} (Telegram's real flood limits).
demo-import = Importing the sample tree (Bình Phước province) and the sample members.
demo-imported = Imported {$units} units and {$members} people.
demo-cast = The scene plays in cell {$cell}, which has {$sample} people in the sample list. It adds 3: Thu (the secretary) and Phúc are imported now, An will join by the link. So the cell has {$total} people, the whole list {$members}.
demo-link = The cell's secretary adds the bot to the cell's group and links the group to the unit.
demo-join = An, on the cell's list but new to the bot, opens the cell's join link (the printed QR code) and shares his phone number: he is recognised at once.
demo-publish = An administrator publishes letter {$number} (as with: chithi publish directives.toml).
demo-published = Queued {$messages} messages: the post in {$chats} linked groups, {$qr} QR code photos (one per link in the post) and {$private} private copies (for people who opened a private chat with the bot: An). The bot posts in the group, buttons right under the post:
demo-qr = Then the link's QR code photo, as soon as Telegram's limits allow: a group takes at most {$per_second} message a second and {$per_minute} a minute.
demo-photo = (QR code photo)
demo-private-copy = An also gets the post in a private chat (same text, same buttons; here its first line):
demo-press = Members press the confirmation buttons under the post (a double tap is recorded once).
demo-counters = The post's counters are refreshed (coalesced, at most every few seconds):
demo-counters-why = Received 2: Phúc pressed ✅, An pressed 📖 (studied means received too). Studied 1: An; An's second press records nothing more. {$total} is the number of people in the cell.
demo-pending = The secretary asks: who has not confirmed?
demo-toast = toast for {$name}
demo-private = private chat
demo-summary = Summary: {$units} units; {$members} people ({$sample} in the sample list + {$added} of this scene: Thu, Phúc, An); {$chats} linked chats; {$sent} messages sent through the queue (the post, the QR photo, An's private copy; command replies and toasts go straight); {$confirmations} confirmations recorded (Phúc: received; An: received and studied); the bot made {$calls} Bot API calls ({$methods}), {$flood} refused for sending too fast.
demo-next =
    The demo's data is in {$where} (the next demo starts afresh). The next chithi command uses it with CHITHI_DATABASE__URL set; for example, in this folder, to print each unit's join link and QR code:
        CHITHI_DATABASE__URL={$url} chithi units links --out qr/
demo-real = To run on real Telegram: put the token in config.toml (see config.example.toml) and run this command again.
