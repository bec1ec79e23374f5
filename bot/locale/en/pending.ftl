# /pending: who has not confirmed
pending-not-secretary = /pending is for secretaries and administrators. If you are a secretary, ask an administrator to update your role.
pending-unknown-number = No document numbered {$number}. Check the number, or type /pending to pick from a list.
pending-not-yours = {$number} was not sent to the units you manage.
pending-none = No open document has been sent to the units you manage.
pending-choose = Pick a document:
pending-title = 📋 <b>Confirmations — {$number}</b>
pending-overall-both = Overall: received {$received}/{$total} ({$received_pct}%) · studied {$studied}/{$total} ({$studied_pct}%)
pending-overall = Overall: received {$received}/{$total} ({$received_pct}%)
pending-unit-counts-both = received {$received}/{$total} · studied {$studied}/{$total}
pending-unit-counts = received {$received}/{$total}
pending-missing-received = Not received ({$count})
pending-missing-studied = Received, not studied ({$count})
pending-no-members = These units have no members yet.
pending-page = Page {$page}/{$pages}
page-prev = ‹ Previous
page-next = Next ›
