"""The form that names a budget's broker on the account page."""

from django import forms

from phb.forms import OrgForm

from .broker_selectors import broker_candidates


class BrokerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class BrokerForm(OrgForm):
    broker = BrokerChoiceField(
        queryset=None,
        required=False,
        empty_label="No broker yet",
        label="Broker",
        help_text="The member with the broker role who manages this budget's money",
        error_messages={"invalid_choice": "Choose a member of this organisation who holds the broker role."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["broker"].queryset = broker_candidates(organisation=self.organisation)
