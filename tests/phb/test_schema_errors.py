"""The schema documents every error answer with one shared model, and errors are always JSON."""

import pytest

from phb import schema


def test_error_statuses_follow_the_operation():
    write = {"requestBody": {}, "security": [{"tokenAuth": []}]}
    assert schema.error_statuses("post", "/api/v1/orgs/{org}/plans/", write, []) == [
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
    ]
    public_read = {"security": []}
    assert schema.error_statuses("get", "/api/v1/things/", public_read, []) == ["400"]
    paginated = {"parameters": [{"name": "page"}], "security": [{"tokenAuth": []}]}
    assert "404" in schema.error_statuses("get", "/api/v1/orgs/", paginated, [])


def test_every_operation_of_the_served_schema_documents_its_errors(client):
    served = client.get("/api/schema/", {"format": "json"}).json()
    assert served["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("FieldErrors")
            if "{org}" in path:
                assert {"401", "403", "404"} <= set(responses), (method, path)
            if method in {"post", "put", "patch", "delete"}:
                assert "409" in responses, (method, path)


def test_only_the_receipt_and_sheet_uploads_take_multipart(client):
    served = client.get("/api/schema/", {"format": "json"}).json()
    encodings = {
        (method, path): sorted(operation["requestBody"]["content"])
        for path, operations in served["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    several = {key: value for key, value in encodings.items() if value != ["application/json"]}
    assert several == {
        ("post", "/api/v1/orgs/{org}/plans/{id}/payments/"): ["application/json", "multipart/form-data"],
        # A spreadsheet is a file: the import upload is multipart only.
        ("post", "/api/v1/orgs/{org}/imports/"): ["multipart/form-data"],
    }


@pytest.mark.django_db
def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_a_form_encoded_body_is_refused_with_json(client, django_user_model):
    response = client.post("/api/v1/auth/token/", {"username": "a", "password": "b"})
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.django_db
def test_an_error_asked_for_as_csv_is_json(org, django_user_model):
    from rest_framework.test import APIClient

    from phb.constants import Role
    from tests.factories import member

    api = APIClient()
    api.force_authenticate(member(org, Role.FINANCE, username="finance_csv"))
    response = api.get("/api/v1/orgs/07T/payments/", {"format": "csv", "to": "not-a-date"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "to" in response.json()


@pytest.mark.django_db
def test_a_flag_that_is_not_true_or_false_is_a_400(org):
    from rest_framework.test import APIClient

    from phb.constants import Role
    from tests.factories import member

    api = APIClient()
    api.force_authenticate(member(org, Role.COMMISSIONER, username="commissioner_flag"))
    response = api.get("/api/v1/orgs/07T/approvals/", {"mine": "null"})
    assert response.status_code == 400
    assert response.json() == {"mine": ["Use true or false."]}
    assert api.get("/api/v1/orgs/07T/approvals/", {"page_size": "0"}).status_code == 400
