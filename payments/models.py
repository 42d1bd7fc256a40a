"""Tables of the payments app."""
