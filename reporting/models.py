"""Tables of the reporting app."""
