# Roles in chat (/grant, /revoke), the per-role command menus, and privacy (/mydata, /leave,
# /forget).

cmd-mydata = My data
cmd-leave = Leave a unit
cmd-grant = Give a role
cmd-revoke = Take a role away
cmd-forget = Erase a person's data
role-member = member
role-deputy = deputy secretary

roles-usage-grant =
    Usage: <code>/grant role unit-code person</code>
    Roles: <code>secretary</code>, <code>deputy</code>, <code>admin</code>.
    Person: the full name as on the list (accents optional), a phone number, or a Telegram @username.
    Example: <code>/grant deputy BP-DX-01 Nguyễn Thị Lan</code>
roles-usage-revoke =
    Usage: <code>/revoke role unit-code person</code>
    Example: <code>/revoke deputy BP-DX-01 0912345678</code>
roles-bad-role = There is no role “{$role}”. Use <code>secretary</code>, <code>deputy</code> or <code>admin</code>.
roles-refused = You may not give or take the role of {$role} in {$unit}. A secretary appoints only the deputy of their own unit; secretaries and administrators are appointed by an administrator.
roles-no-person = This person is not on the list of {$unit}. Type the full name as on the list, a phone number or a Telegram @username.
roles-choose = {$count} people match that name. Please pick the right one:
roles-grant-done = {$name} is now {$role} in {$unit}.
roles-grant-unchanged = {$name} is already {$role} in {$unit}; nothing changed.
roles-revoke-done = {$name} is no longer {$role} in {$unit}.
roles-revoke-unchanged = {$name} is not {$role} in {$unit}; nothing changed.

privacy-none = (none)
privacy-mydata-title = <b>What Chithi holds about you</b>
privacy-field-name = Name: {$value}
privacy-field-username = Telegram username: {$value}
privacy-field-telegram = Telegram id: {$value}
privacy-field-phone = Phone: {$value}
privacy-field-card = Party card number: {$value}
privacy-field-birth = Date of birth: {$value}
privacy-units-title = <b>Units ({$count})</b>
privacy-units-none = You are not on any unit's list.
privacy-unit-line = • {$unit} ({$code}) — {$role}
privacy-confirmations-title = <b>Confirmations ({$count})</b>
privacy-confirmation-line = • {$number} {$title}: {$kind} on {$date}, {$how}
privacy-confirmations-more = … and {$count} older confirmations.
privacy-kind-received = received
privacy-kind-studied = studied
privacy-how-press = by you
privacy-how-meeting = at a meeting
privacy-how-behalf = recorded by the secretary
privacy-mydata-footer = To leave a unit: /leave. To have your data erased, ask an administrator.
privacy-mydata-nothing = Chithi holds no data about you.
privacy-private-only = Personal data is shown and changed only in your private chat with Chithi: {$link}

privacy-button-yes = Yes
privacy-button-no = No
privacy-cancelled = Cancelled; nothing changed.
privacy-leave-none = You are not on any unit's list.
privacy-leave-pick = Which unit do you want to leave?
privacy-leave-not-on = You are not on the list of “{$code}”. Type /leave to pick one of your units.
privacy-leave-confirm = Leave <b>{$unit}</b>? Your name is taken off the unit's list (with any role you hold there); your confirmations are kept.
privacy-leave-done = You have left <b>{$unit}</b>.
privacy-leave-gone = You are no longer on this unit's list.

privacy-forget-usage =
    Usage: <code>/forget person</code> — the full name as on the list, a phone number or a Telegram @username.
    The person's personal data is erased; their confirmations still count, without a name.
privacy-forget-refused = Only an administrator who manages every unit of this person can erase their data.
privacy-forget-no-person = This person is not on the lists of the units you manage.
privacy-forget-choose = {$count} people match that name. Please pick the right one:
privacy-forget-confirm = Erase the personal data of <b>{$name}</b> ({$units})? Name, phone, card number, date of birth and Telegram account are erased for good; their confirmations still count, without a name. This cannot be undone.
privacy-forget-done = Personal data erased. Their confirmations still count in {$count} unit(s), without a name.

roles-cli-bad-role = No role “{$role}”: use deputy (pho), secretary (bithu) or admin (quantri).
roles-cli-no-unit = No unit with the code “{$code}”.
roles-cli-no-person = This person is not on the list of “{$code}” or of the units under it.
roles-cli-choose = Several people match; run again with the right one's entry id (#number):
roles-cli-grant-done = {$name} is now {$role} in {$code}.
roles-cli-grant-unchanged = {$name} is already {$role} in {$code}; nothing changed.
roles-cli-revoke-done = {$name} is no longer {$role} in {$code}.
roles-cli-revoke-unchanged = {$name} is not {$role} in {$code}; nothing changed.
roles-cli-count = {$count} role holder(s).
roles-cli-no-token = A bot token (bot.token) is needed in the config file to set command menus.
roles-cli-menus = Command menus set for {$done}/{$count} people.
