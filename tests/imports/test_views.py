"""Import pages: template download, upload, the preview with every problem by row and column, confirm."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imports.constants import COLUMNS
from imports.models import ImportBatch
from phb.constants import Role
from phb.models import Person
from support_plans.models import SupportPlan
from tests.factories import member

from .conftest import as_csv, row

pytestmark = pytest.mark.django_db

PAGE = "/o/07T/imports/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_import_page_needs_sign_in(org):
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_import_page_is_refused_to_a_care_coordinator(coordinator):
    assert client_for(coordinator).get(PAGE).status_code == 403


def test_import_page_of_another_organisation_is_404(outsider):
    assert client_for(outsider).get(PAGE).status_code == 404


def test_import_page_offers_both_templates(commissioner):
    response = client_for(commissioner).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Download the template (XLSX)" in text and "Download the template (CSV)" in text
    template = client_for(commissioner).get(f"{PAGE}template/?file=csv")
    assert next(csv.reader(io.StringIO(template.content.decode()))) == list(COLUMNS)


def test_uploading_a_sheet_shows_what_it_would_create_and_writes_nothing(commissioner):
    client = client_for(commissioner)
    response = client.post(
        PAGE, {"file": SimpleUploadedFile("caseload.csv", as_csv([row(1), row(2, "CH-2")]))}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{PAGE}{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Check before you import" in page
    assert "Import 2 budgets" in page
    assert Person.objects.count() == 0


def test_the_preview_lists_every_problem_by_row_and_column(commissioner):
    client = client_for(commissioner)
    rows = [row(1, nhs_number="9434765918"), row(2, "CH-2", category="yachts")]
    client.post(PAGE, {"file": SimpleUploadedFile("caseload.csv", as_csv(rows))})
    page = client.get(f"{PAGE}{ImportBatch.objects.get().pk}/").content.decode()
    assert "There are problems in caseload.csv" in page
    assert '<td class="nhsuk-table__cell">2</td><td class="nhsuk-table__cell">nhs_number</td>' in page
    assert '<td class="nhsuk-table__cell">3</td><td class="nhsuk-table__cell">category</td>' in page
    assert (
        "Upload a corrected sheet" in page
        and "Import " not in page.split("Problems to fix")[1].split("<form")[0]
    )


def test_a_file_that_is_not_a_sheet_is_shown_as_an_error_on_the_form(commissioner):
    response = client_for(commissioner).post(PAGE, {"file": SimpleUploadedFile("notes.csv", b"hello\n")})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_confirming_on_the_page_imports_the_sheet(commissioner):
    client = client_for(commissioner)
    client.post(
        PAGE, {"file": SimpleUploadedFile("caseload.csv", as_csv([row(1), row(1, item_description="Gym")]))}
    )
    url = f"{PAGE}{ImportBatch.objects.get().pk}/"
    response = client.post(url, follow=True)
    text = response.content.decode()
    assert "Imported: 1 person, 1 budget and 2 items created" in text
    assert SupportPlan.objects.count() == 1


def test_confirming_an_invalid_sheet_on_the_page_says_why(commissioner):
    client = client_for(commissioner)
    client.post(PAGE, {"file": SimpleUploadedFile("caseload.csv", as_csv([row(1, amount="abc")]))})
    url = f"{PAGE}{ImportBatch.objects.get().pk}/"
    text = client.post(url, follow=True).content.decode()
    assert "fix them and upload it again" in text
    assert Person.objects.count() == 0


def test_a_commissioner_sees_the_import_in_the_navigation_and_others_do_not(commissioner, org):
    assert 'href="/o/07T/imports/"' in client_for(commissioner).get(PAGE).content.decode()
    for role in (Role.BROKER, Role.ORG_ADMIN):
        home = client_for(member(org, role)).get("/o/07T/").content.decode()
        assert 'href="/o/07T/imports/"' not in home


def test_a_large_sheet_is_imported_in_the_background_with_its_progress_shown(
    commissioner, monkeypatch, django_capture_on_commit_callbacks
):
    from imports import views

    monkeypatch.setattr(views, "BACKGROUND_ROWS", 1)  # two rows count as large here
    client = client_for(commissioner)
    client.post(PAGE, {"file": SimpleUploadedFile("caseload.csv", as_csv([row(1), row(2, "CH-2")]))})
    batch = ImportBatch.objects.get()
    url = f"{PAGE}{batch.pk}/"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(url)
    assert len(queued) == 1 and Person.objects.count() == 0
    page = client.get(url).content.decode()
    assert "Importing: 0 of 2 budgets" in page and f'hx-get="{url}progress/"' in page
    queued[0]()  # the worker runs the task (eagerly in tests)
    batch.refresh_from_db()
    assert batch.status == "done" and SupportPlan.objects.count() == 2
    finished = client.get(f"{url}progress/")
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"


def test_a_sheet_being_imported_cannot_be_queued_twice(
    commissioner, monkeypatch, django_capture_on_commit_callbacks
):
    from imports import views

    monkeypatch.setattr(views, "BACKGROUND_ROWS", 0)
    client = client_for(commissioner)
    client.post(PAGE, {"file": SimpleUploadedFile("caseload.csv", as_csv([row(1)]))})
    url = f"{PAGE}{ImportBatch.objects.get().pk}/"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(url)
        text = client.post(url, follow=True).content.decode()
    assert len(queued) == 1
    assert "already being imported" in text
