"""The national-scale benchmark (`make bench`)."""
