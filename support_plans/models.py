"""Tables of the support_plans app."""
