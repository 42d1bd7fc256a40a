from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"
    # The person's page shows their reviews and outcome measures; the person API adds `reviews`.
    person_section = ("reviews/_person_section.html", "reviews.selectors.person_section")
    person_api_section = ("reviews", "reviews.selectors.person_reviews")
    home_panel = ("includes/home_panel.html", "reviews.selectors.home_panel")
    plan_parts = {"first_review": "reviews.selectors.plan_first_review"}
