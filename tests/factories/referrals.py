"""Factories for the referrals app."""
