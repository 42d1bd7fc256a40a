"""The development server of the embedded default (`make dev`): Django's runserver, made to take a
team's burst of requests (see management/commands/runserver.py)."""
