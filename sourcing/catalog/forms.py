"""The image-search form and the quantity and price fields every form that takes them uses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sourcing.core.image_limits import too_many_pixels


class ImageSearchForm(forms.Form):
    """A photo to search 1688 by, or the picture address of a product the portal shows."""

    image = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    image_url = forms.URLField(
        label=_("…or the picture address of a product in the portal"), required=False, max_length=500,
        assume_scheme="https",
    )  # fmt: skip

    def clean_image(self):
        from django.conf import settings

        upload = self.cleaned_data.get("image")
        if upload is None:
            return None
        limit = settings.CATALOG_IMAGE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("That file is %(size)s MB; pictures up to %(limit)s MB can be searched. Send a smaller photo.")
                % {"size": f"{upload.size / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:g}"}
            )
        if not upload.size:
            raise forms.ValidationError(_("That file is empty."))
        too_big = too_many_pixels(upload)
        if too_big:
            raise forms.ValidationError(too_big)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("image") and not cleaned.get("image_url"):
            raise forms.ValidationError(_("Choose a photo to upload, or paste a product picture's address."))
        return cleaned


# --- team lists (docs/lists.md) ---
QUANTITY_MAX = 10_000_000
PRICE_MAX = 1_000_000


def quantity_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Target quantity"), required=False, min_value=1, max_value=QUANTITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 1}),
        error_messages={"invalid": _("Enter a whole number of pieces, like 500."),
                        "min_value": _("Enter at least 1 piece."),
                        "max_value": _("Enter at most 10,000,000 pieces.")},
        **kwargs,
    )  # fmt: skip


def price_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Target price (¥ per piece)"), required=False, min_value=0, max_value=PRICE_MAX, max_digits=12,
        decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": 0}),
        error_messages={"invalid": _("Enter an amount in yuan, like 12.50."),
                        "min_value": _("A price can't be below ¥0."),
                        "max_value": _("Enter at most ¥1,000,000."),
                        "max_decimal_places": _("Enter at most two decimals (fen), like 12.50."),
                        "max_digits": _("Enter at most ¥1,000,000."),
                        "max_whole_digits": _("Enter at most ¥1,000,000.")},
        **kwargs,
    )  # fmt: skip


def one_line(value: str) -> str:
    return " ".join(str(value or "").split())
