"""`runserver` as whitenoise wraps Django's (static files from whitenoise), with a longer queue, and
refusing to start on the built-in secret key with DEBUG off (phb/secret_key.py).

Django's development server queues only 10 connections waiting to be accepted: an eleventh
arriving in the same instant (40 people saving at once on the embedded default) is reset before
the app sees it. A listen queue of 128 lets each wait its turn instead.
"""

from django.core.servers.basehttp import WSGIServer
from whitenoise.runserver_nostatic.management.commands.runserver import Command as NoStaticRunserver

from phb.secret_key import require_secret_key


class QueueingWSGIServer(WSGIServer):
    request_queue_size = 128


class Command(NoStaticRunserver):
    server_cls = QueueingWSGIServer

    def handle(self, *args, **options):
        require_secret_key()  # with DEBUG off, not on the built-in key
        super().handle(*args, **options)
