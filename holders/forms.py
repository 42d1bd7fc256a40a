"""Forms of the budget holder's pages: asking for a review, adding a receipt."""

from django import forms

from phb.fields import PlainErrorsMixin

from .services import REASON_LIMIT


class ReviewRequestForm(PlainErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why would you like a review?",
        help_text="For example, your needs have changed, or something in your plan is not working.",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Tell us why you would like a review"},
    )


class ReceiptForm(PlainErrorsMixin, forms.Form):
    receipt = forms.FileField(
        label="Receipt",
        help_text="A photo or scan: PDF, JPEG, PNG, HEIC or WebP, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.heif,.webp,image/*"}),
        error_messages={"required": "Choose the receipt file"},
    )
