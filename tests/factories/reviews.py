"""Factories for the reviews app."""
