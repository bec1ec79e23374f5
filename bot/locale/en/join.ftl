# Joining a unit by deep link, /name, linking groups/channels (/link), printing QR codes
unit-label = <b>{$unit}</b>
unit-label-with-parent = <b>{$unit}</b> (under {$parent})
join-offer =
    You are invited to join {$unit}.
    
    Press <b>Join</b> to confirm. The unit's directives and letters will then be sent to you, and you can confirm that you received and studied them.
join-button-confirm = ✅ Join
join-button-cancel = Cancel
join-done =
    You have joined {$unit}.
    
    The unit's directives and letters will be sent to you here. To correct your display name, type /name.
join-done-toast = Joined!
join-already = You have already joined {$unit}; nothing more to do.
join-already-toast = You have already joined this unit.
join-invalid = This join link is wrong or has expired. Please ask your unit's secretary for a new link or QR code.
join-invalid-toast = This link has expired. Please ask your secretary for a new one.
join-cancelled = Cancelled; you have not joined the unit. Open the link or scan the QR code again whenever you are ready.
join-cancelled-toast = Cancelled.
name-usage =
    To correct your display name, type /name followed by your full name, for example:
    /name Nguyen Van An
name-too-long = The name is longer than {$max} characters. Please type a shorter one.
name-done = Your display name is now: <b>{$name}</b>
link-usage-group = Type /link and the unit's code, for example: /link BP-DX-01
link-usage-private =
    To link a <b>group</b> to a unit: add the bot to the group, then type in the group: /link UNIT_CODE (for example /link BP-DX-01).
    
    To link a <b>channel</b>: make the bot an administrator of the channel, then type here: /link UNIT_CODE @channel_name (or the channel's id, like -100…).
link-from-channel = To link this channel, open a private chat with the bot and type: /link UNIT_CODE {$chat_id}
link-done = {$chat} is now linked to {$unit}. Directives sent to the unit will be posted here.
link-unchanged = {$chat} was already linked to {$unit}; nothing changed.
link-moved = {$chat} moved from {$previous} to {$unit}.
link-join-hint = Members join the unit with this link: {$link}
link-unknown-unit = There is no unit with code "{$code}". Please check the code (for example BP-DX-01) or ask an administrator.
link-refused = You may not link chats to {$unit}. Only a secretary of this unit or of a unit above it, or an administrator, can do that.
link-refused-ask = Please ask: {$names}.
link-manager = {$name} ({$role} of {$unit})
role-secretary = secretary
role-admin = administrator
link-anonymous = You are posting anonymously on behalf of the group, so the bot cannot tell who you are. Turn off your anonymous admin setting in this group and send the command again.
link-bad-channel = "{$channel}" is not a channel name or id. Write @channel_name or an id like -100…
link-channel-not-found = The bot cannot see the channel {$channel}. Add the bot to the channel as an administrator, then send the command again.
link-not-a-channel = {$chat} is a group, not a channel. To link a group, type /link {$code} inside that group.
link-user-not-admin = You are not an administrator of the channel {$chat}, so you cannot link it. Please ask the channel's administrator.
link-bot-not-admin = The bot is not an administrator of the channel {$chat} yet. Make it an administrator (allowed to post messages), then send the command again.
unlink-done = {$chat} is no longer linked to {$unit}. New directives will not be posted here.
unlink-not-linked = This group is not linked to any unit.
unlink-refused = You may not unlink this group from {$unit}. Only a secretary of this unit or of a unit above it, or an administrator, can do that.
# Command line: chithi units links
links-unit = {$code}  {$name}
links-unit-with-parent = {$code}  {$name} (under {$parent})
links-link = link: {$link}
links-file = QR code: {$file}
links-summary = Wrote {$count} QR code(s) to {$dir}.
links-sheet = One printable page with every QR code (open it in a browser and print): {$file}
links-unknown-unit = There is no unit with code "{$code}".
links-empty = There are no units yet. Import the unit tree first: chithi units import units.csv
links-sheet-title = QR codes to join a unit
links-sheet-hint = Scan the code with your phone (Camera or Telegram) to join the unit.
