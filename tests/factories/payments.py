"""Factories for the payments app."""
