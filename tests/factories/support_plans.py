"""Factories for the support_plans app."""
