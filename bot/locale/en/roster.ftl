# The roster: importing it from a file (CSV, XLSX) and editing it in chat
import-not-xlsx = the file is not an XLSX workbook that can be read
import-too-long = longer than {$max} characters
import-bad-phone = phone number "{$value}" is not a Vietnamese number (e.g. 0912 345 678 or +84 912 345 678)
import-bad-card = party card number "{$value}" must have no spaces and at most {$max} characters
import-bad-date = date of birth "{$value}" is not a date; write day/month/year, e.g. 27/08/1952
import-telegram-taken = Telegram account {$value} already belongs to another member on the roster
import-card-taken = card number "{$value}" does not match the stored member (the card or the Telegram account belongs to someone else)

## Editing a roster in chat: /member_add, /member_rename, /member_move, /member_remove
roster-add-usage = To add a member: <code>/member_add unit-code full name [phone]</code>, e.g. <code>/member_add BP-DX-01 Nguyễn Văn An 0912 345 678</code>.
roster-rename-usage = To correct a name: <code>/member_rename unit-code old full name | new full name</code> (a phone or party card number works instead of the old name).
roster-move-usage = To move a member: <code>/member_move unit-code new-unit-code full name</code> (or phone, party card number).
roster-remove-usage = To take a member off a roster: <code>/member_remove unit-code full name</code> (or phone, party card number).
roster-not-found = Nobody on the roster of <b>{$unit}</b> has the name, phone or card number "{$who}". Please check it.
roster-ambiguous = {$count} people on the roster of <b>{$unit}</b> match "{$who}". Please give a phone or party card number instead of the name.
roster-duplicate = <b>{$name}</b> is already on the roster of <b>{$unit}</b>; not added again.
roster-bad-phone = Phone number "{$value}" is not a Vietnamese number. For example: 0912 345 678 or +84 912 345 678.
roster-name-empty = The full name is missing. Please write it in full.
roster-name-too-long = The full name is longer than {$max} characters. Please shorten it.
roster-has-role = <b>{$name}</b> is a secretary or administrator of <b>{$unit}</b>: revoke the role before moving them or taking them off the roster.
roster-already-there = <b>{$name}</b> is already on the roster of <b>{$unit}</b>.
roster-added = ✅ Added <b>{$name}</b> to the roster of <b>{$unit}</b>.
roster-added-phone = ✅ Added <b>{$name}</b> (phone {$phone}) to the roster of <b>{$unit}</b>.
roster-renamed = ✅ Corrected a name on the roster of <b>{$unit}</b>: {$previous} → <b>{$name}</b>.
roster-moved = ✅ Moved <b>{$name}</b> from <b>{$unit}</b> to <b>{$target}</b>.
roster-removed = ✅ Took <b>{$name}</b> off the roster of <b>{$unit}</b>. Their confirmations so far are kept.
cmd-member_add = Add a person to a unit's list
cmd-member_rename = Correct a person's name on the list
cmd-member_move = Move a person to another unit
cmd-member_remove = Take a person off a unit's list
