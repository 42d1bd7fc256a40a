"""Start the test OpenID provider: migrate its own database, add its users, one RSA key and one client
(the app under test), then serve HTTP until killed. Prints READY when it answers.

python -m tests.oidc_op.serve PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET USER:EMAIL:PASSWORD...
"""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main(argv: list[str]) -> None:
    port, redirect_uri, client_id, client_secret, *users = argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_op.settings")
    os.environ.setdefault("OIDC_OP_URL", f"http://127.0.0.1:{port}")
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType, RSAKey

    call_command("migrate", verbosity=0, interactive=False)
    for spec in users:
        username, email, password = spec.split(":", 2)
        get_user_model().objects.create_user(username=username, email=email, password=password)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    RSAKey.objects.create(key=pem.decode())
    client = Client.objects.create(
        name="PHB under test",
        client_type="confidential",
        client_id=client_id,
        client_secret=client_secret,
        jwt_alg="RS256",
        require_consent=False,
        _redirect_uris=redirect_uri,
        _scope="openid profile email",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    server = make_server(
        "127.0.0.1",
        int(port),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
