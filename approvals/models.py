"""Tables of the approvals app."""
