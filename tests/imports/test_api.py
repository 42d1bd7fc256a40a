"""The import API (API.md "Import and indicative budgets"): template, upload (preview), confirm."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from imports.constants import COLUMNS
from phb.constants import Role
from phb.models import Person
from support_plans.models import SupportPlan
from tests.factories import member

from .conftest import as_csv, as_xlsx, row

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/orgs/07T/imports/"
TEMPLATE = "/api/v1/orgs/07T/imports/template/"


def upload(client, rows, name="caseload.csv", writer=as_csv, url=IMPORTS):
    return client.post(url, {"file": SimpleUploadedFile(name, writer(rows))}, format="multipart")


def test_template_as_csv_has_the_columns_in_order(api, commissioner):
    response = api(commissioner).get(TEMPLATE, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(response.content.decode()))) == list(COLUMNS)


def test_template_as_xlsx_has_the_columns_in_order(api, commissioner):
    response = api(commissioner).get(TEMPLATE, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)


def test_template_in_an_unknown_format_is_a_400(api, commissioner):
    response = api(commissioner).get(TEMPLATE, {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.json()


def test_upload_answers_a_preview_and_writes_nothing(api, commissioner):
    response = upload(api(commissioner), [row(1), row(1, item_description="Gym"), row(2, "CH-002")])
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "status", "rows", "errors", "summary"}
    assert body["status"] == "previewed"
    assert body["rows"] == 3
    assert body["summary"] == {"people": 2, "plans": 2, "items": 3}
    assert Person.objects.count() == 0


def test_upload_of_an_xlsx_sheet(api, commissioner):
    response = upload(api(commissioner), [row(1)], name="caseload.xlsx", writer=as_xlsx)
    assert response.status_code == 201
    assert response.json()["status"] == "previewed"


def test_upload_with_problems_is_invalid_with_each_by_row_and_field(api, commissioner):
    response = upload(api(commissioner), [row(1, date_of_birth="01/05/1970", frequency="daily")])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "invalid"
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(2, "date_of_birth"), (2, "frequency")}


def test_upload_without_a_file_is_a_400(api, commissioner):
    response = api(commissioner).post(IMPORTS, {}, format="multipart")
    assert response.status_code == 400


def test_upload_of_something_not_a_sheet_is_a_400(api, commissioner):
    response = api(commissioner).post(
        IMPORTS, {"file": SimpleUploadedFile("photo.xlsx", b"PK\x03\x04 not really")}, format="multipart"
    )
    assert response.status_code == 400
    assert Person.objects.count() == 0


def test_upload_as_json_is_refused(api, commissioner):
    response = api(commissioner).post(IMPORTS, {"file": "x"}, format="json")
    assert response.status_code == 415


def test_confirm_writes_and_a_rerun_is_unchanged(api, commissioner):
    client = api(commissioner)
    rows = [row(1), row(1, item_description="Gym"), row(2, "CH-002")]
    first = upload(client, rows).json()
    response = client.post(f"{IMPORTS}{first['id']}/confirm/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "done",
        "created": {"people": 2, "plans": 2, "items": 3},
        "unchanged": 0,
    }
    second = upload(client, rows).json()
    again = client.post(f"{IMPORTS}{second['id']}/confirm/").json()
    assert again == {"status": "done", "created": {"people": 0, "plans": 0, "items": 0}, "unchanged": 3}
    assert SupportPlan.objects.count() == 2


def test_confirm_of_an_invalid_sheet_is_a_409(api, commissioner):
    client = api(commissioner)
    batch = upload(client, [row(1, nhs_number="123")]).json()
    assert client.post(f"{IMPORTS}{batch['id']}/confirm/").status_code == 409
    assert Person.objects.count() == 0


def test_confirm_twice_is_a_409(api, commissioner):
    client = api(commissioner)
    batch = upload(client, [row(1)]).json()
    assert client.post(f"{IMPORTS}{batch['id']}/confirm/").status_code == 200
    assert client.post(f"{IMPORTS}{batch['id']}/confirm/").status_code == 409


def test_import_needs_credentials(api, org):
    assert api(None).get(TEMPLATE).status_code == 401
    assert upload(api(None), [row(1)]).status_code == 401


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.FINANCE, Role.BROKER, Role.PHB_LEAD])
def test_other_roles_may_not_import(api, org, role):
    user = member(org, role)
    assert api(user).get(TEMPLATE).status_code == 403
    assert upload(api(user), [row(1)]).status_code == 403


def test_an_organisation_administrator_may_not_import_person_level_data(api, org_admin):
    assert upload(api(org_admin), [row(1)]).status_code == 403


def test_another_organisations_import_is_a_404(api, commissioner, other_org):
    foreign = member(other_org, Role.COMMISSIONER, username="foreigncommissioner")
    batch = upload(api(foreign), [row(1)], url="/api/v1/orgs/15E/imports/").json()
    assert api(commissioner).post(f"{IMPORTS}{batch['id']}/confirm/").status_code == 404
    assert api(commissioner).get("/api/v1/orgs/15E/imports/template/").status_code == 404


def test_another_organisations_sheet_is_a_404_whatever_the_method(api, commissioner, other_org):
    foreign = member(other_org, Role.COMMISSIONER, username="foreigncommissioner")
    batch = upload(api(foreign), [row(1)], url="/api/v1/orgs/15E/imports/").json()
    assert api(commissioner).get(f"{IMPORTS}{batch['id']}/confirm/").status_code == 404


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00garbage", b"nhs_number\x00,given_name\n1,2\n", b",,,\n,,,\n", b'"unclosed,\n'],
)
def test_an_unreadable_upload_is_a_400_never_a_500(api, commissioner, content):
    response = api(commissioner).post(
        IMPORTS, {"file": SimpleUploadedFile("sheet.csv", content)}, format="multipart"
    )
    assert response.status_code == 400
