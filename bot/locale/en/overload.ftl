# Overload: too many presses at once (toast)
press-busy = ⏳ Busy right now: this press was NOT recorded. Please press again in a few seconds.
