"""Plan files small enough to write out in a test."""

# one plan, one recommendation, one action with one history event (at an offset from UTC)
ONE_ACTION = """\
[plan]
id = "t-1"
title = "A plan"
region = "Greater Manchester"
plan_submitted = 2023-06-22

[[addressees]]
name = "Wigan PDU"
kind = "pdu"

[[addressees.recommendations]]
number = "1"
text = "Improve the quality of work."
agreement = "agreed"

[[addressees.recommendations.actions]]
text = "Deliver training."
owners = ["Head of Wigan PDU"]
target = "September 2023"
status = "complete"

[[addressees.recommendations.actions.history]]
at = 2023-07-12T10:31:00+01:00
by = "hop"
change = "status"
from = "not_started"
to = "complete"
note = "Training delivered 12 July"
"""
