"""A commissioner brings in the caseload from a spreadsheet: template, problems by row, fix, confirm."""

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from phb.models import Person
from support_plans.models import SupportPlan
from tests.factories import OrganisationFactory, member
from tests.factories.kernel import PASSWORD
from tests.imports.conftest import as_csv, row

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_commissioner_imports_a_spreadsheet_after_fixing_its_problems(page, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    organisation = OrganisationFactory(code="07T", name="NHS City and Hackney")
    member(organisation, Role.COMMISSIONER, username="commissioner")
    sign_in(page, "commissioner", PASSWORD)
    page.goto("/o/07T/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import from a spreadsheet", use_inner_text=True
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (XLSX)").click()
    assert download.value.suggested_filename == "phb-import-template.xlsx"
    check_accessible(page, f"imports-01-upload-{width}")

    wrong = tmp_path / "caseload.csv"
    wrong.write_bytes(as_csv([row(1), row(2, "CH-2", nhs_number="9434765918", amount="twelve")]))
    page.get_by_label("Upload your filled-in sheet").set_input_files(str(wrong))
    page.get_by_role("button", name="Check the sheet").click()
    problems = page.get_by_role("table", name="Every problem, by row and column")
    assert "nhs_number" in problems.inner_text() and "amount" in problems.inner_text()
    assert page.get_by_role("button", name="Import").count() == 0
    check_accessible(page, f"imports-02-problems-{width}")

    page.get_by_role("link", name="Upload a corrected sheet").click()
    fixed = tmp_path / "caseload-fixed.csv"
    fixed.write_bytes(as_csv([row(1), row(2, "CH-2")]))
    page.get_by_label("Upload your filled-in sheet").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the sheet").click()
    assert "Check before you import" in page.get_by_role("heading", level=1).inner_text()
    check_accessible(page, f"imports-03-preview-{width}")
    assert Person.objects.count() == 0

    page.get_by_role("button", name="Import 2 budgets").click()
    page.get_by_text("Imported: 2 people, 2 budgets and 2 items created").wait_for()
    assert SupportPlan.objects.filter(organisation=organisation).count() == 2
    check_accessible(page, f"imports-04-done-{width}")
