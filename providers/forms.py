"""Forms of the provider's pages (filters) and of the org admin's page that gives a supplier a login."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from phb.fields import PlainErrorsMixin
from phb.forms import OrgForm

from .constants import InstalmentFilter

User = get_user_model()


class ProviderLoginForm(OrgForm):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter a username"})
    email = forms.EmailField(required=False, help_text="Where the supplier can be reached about the login")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password. Give it to the supplier safely.",
        error_messages={"required": "Enter a password for the new login"},
    )

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(password, candidate)
            except forms.ValidationError as error:
                for message in error.messages:
                    self.add_error("password", message)
        return data


class _FilterForm(PlainErrorsMixin, forms.Form):
    organisation = forms.ChoiceField(required=False, label="Organisation")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "All organisations")] + [
            (o.code, f"{o.name} ({o.code})") for o in organisations
        ]

    def value(self, name: str, default=None):
        return self.cleaned_data.get(name) or default if self.is_valid() else default


class PaymentFilterForm(_FilterForm):
    pass


class InstalmentFilterForm(_FilterForm):
    status = forms.ChoiceField(required=False, choices=InstalmentFilter.choices, label="Show")
