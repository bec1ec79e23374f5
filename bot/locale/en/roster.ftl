# The roster: importing it from a file (CSV, XLSX) and editing it in chat
import-not-xlsx = the file is not an XLSX workbook that can be read
import-too-long = longer than {$max} characters
import-bad-phone = phone number "{$value}" is not a Vietnamese number (e.g. 0912 345 678 or +84 912 345 678)
import-bad-card = party card number "{$value}" must have no spaces and at most {$max} characters
import-bad-date = date of birth "{$value}" is not a date; write day/month/year, e.g. 27/08/1952
import-telegram-taken = Telegram account {$value} already belongs to another member on the roster
import-card-taken = card number "{$value}" does not match the stored member (the card or the Telegram account belongs to someone else)
