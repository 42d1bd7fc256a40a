"""Demo provider login: Better Leisure Centre, on both organisations' directories, sees what each paid
it and what falls due (runs after the payments demo, which paid some of its instalments)."""

from django.contrib.auth import get_user_model

from phb.demo import DEMO_PASSWORD
from support_plans.models import Supplier

from . import selectors, services

USERNAME = "provider"
SUPPLIER = "Better Leisure Centre"


def seed(context) -> None:
    User = get_user_model()
    user = User.objects.filter(username=USERNAME).first()
    for organisation in context.organisations:
        supplier = Supplier.objects.for_org(organisation).filter(name=SUPPLIER).first()
        if supplier is None:
            continue
        if user is None:
            user = services.provider_login_create(
                actor=None,
                supplier=supplier,
                username=USERNAME,
                password=DEMO_PASSWORD,
                email="accounts@betterleisure.example",
            )
        elif not selectors.logins_of(supplier).filter(pk=user.pk).exists():
            services.provider_grant(actor=None, supplier=supplier, user=user)
    if user is not None:
        context.lines.append(f"Provider login {USERNAME}: {SUPPLIER} in both organisations (/provider/)")
