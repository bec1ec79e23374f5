# General: greeting, help, generic errors
welcome =
    Hello {$name}! I am <b>Chithi</b>, I carry directives and official letters to every unit and record who received and studied them.
    
    To join your unit, open the link or scan the QR code your secretary sent you.
    Type /help to see the commands.
help =
    <b>Chithi commands</b>
    /start — start, join your unit through its link
    /help — help
    /name — correct your display name
    /pending — (secretaries) who has not confirmed
    /publish — (admins, secretaries) publish a directive
    /status — (admins, secretaries) delivery status
    /broadcast — (admins) send an announcement
    /report — (secretaries) submit your unit's report
    /deadline — (admins, secretaries) change a document's deadline
    /link — (secretaries) bind this group to your unit
    /member_add — (secretaries) add a member to a unit's roster: <code>/member_add unit-code full name [phone]</code>
    /member_rename — (secretaries) correct a full name: <code>/member_rename unit-code old name | new name</code>
    /member_move — (secretaries) move to another unit: <code>/member_move unit-code new-unit-code full name</code>
    /member_remove — (secretaries) take off a unit's roster: <code>/member_remove unit-code full name</code>
    /cancel — cancel what you are doing
cmd-start = Start
cmd-help = Help
cmd-name = Correct your name
cmd-pending = Who has not confirmed
cmd-publish = Publish a document
cmd-status = Delivery status
cmd-broadcast = Send an announcement
cmd-report = Submit a report
cmd-deadline = Change a deadline
cmd-cancel = Cancel
error-internal = Something went wrong, please try again in a few minutes. Nothing you sent was lost.
error-unknown-command = There is no command {$command}. Type /help to see the commands.
nothing-to-cancel = There is nothing in progress to cancel.
