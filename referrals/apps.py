"""The referrals app: referrals into the PHB offer and the conversations that follow them."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"
    # The person's page and the person API show this app's part of the record.
    person_section = ("referrals/_person_section.html", "referrals.selectors.person_section")
    person_api_section = ("referrals", "referrals.api.person_referrals")
    home_panel = ("includes/home_panel.html", "referrals.selectors.home_panel")
