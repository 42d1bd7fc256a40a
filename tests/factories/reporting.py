"""Factories for the reporting app."""
