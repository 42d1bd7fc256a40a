"""The upload form of the import page."""

from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload your filled-in sheet",
        help_text="A CSV or XLSX file made from the template, one row per plan item.",
        error_messages={
            "required": "Choose the CSV or XLSX file to upload",
            "empty": "The file is empty: choose the filled-in sheet",
            "invalid": "Choose a CSV or XLSX file to upload",
        },
    )

    def __init__(self, *args, organisation=None, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)
