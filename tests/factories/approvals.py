"""Factories for the approvals app."""
