from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html


class CountedTextarea(forms.Textarea):
    """A text box that says its limit and counts down to it (the GOV.UK character count), and never
    cuts what is typed or pasted. Django gives a CharField's widget maxlength, which makes the browser
    drop whatever goes past the limit without a word; here the limit goes to the character count
    instead, and the form refuses longer text with its max_length message, keeping every character
    for the person to shorten. Without JavaScript the hint still says the limit."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        limit = widget_attrs.pop("maxlength", None)
        context["widget"]["limit"] = int(limit) if limit else None
        # crispy-forms-gds styles a widget by its class name and knows only "Textarea"'s.
        classes = ["govuk-textarea" if c == "countedtextarea" else c for c in widget_attrs.get("class", "").split()]
        if "govuk-textarea" not in classes:
            classes.insert(0, "govuk-textarea")
        if widget_attrs.get("aria-invalid") == "true":
            classes.append("govuk-textarea--error")
        if limit:
            classes.append("govuk-js-character-count")
        widget_attrs["class"] = " ".join(dict.fromkeys(classes))
        if limit:
            info = f"{widget_attrs['id']}-info"
            described = widget_attrs.get("aria-describedby", "").split()
            if info not in described:
                widget_attrs["aria-describedby"] = " ".join([*described, info])
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        html = self._render(self.template_name, context, renderer)
        limit = context["widget"]["limit"]
        if not limit:
            return html
        return format_html(
            '<div class="govuk-character-count app-character-count" data-module="govuk-character-count" '
            'data-maxlength="{}">{}<div id="{}-info" class="govuk-hint govuk-character-count__message">'
            "You can enter up to {} characters</div></div>",
            limit,
            html,
            context["widget"]["attrs"]["id"],
            f"{limit:,}",
        )


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so no validator enforces it:
        # a longer username reached django-axes' 255-character column and answered 500.
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
        field.error_messages["max_length"] = f"Username must be {field.max_length} characters or fewer"
        field.error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from .sso import must_use_sign_on

        # Checked after the password, so the answer tells nothing to someone without it.
        if must_use_sign_on(user):
            from .audit import audit_record
            from .models import AuditAction

            audit_record(
                request=self.request,
                user=user,
                action=AuditAction.LOGIN_FAILED,
                summary="Password sign-in refused: the organisation signs its users in with its own account",
            )
            raise ValidationError(
                'Your organisation signs you in with its own account: use "Sign in with your '
                'organisation" and your work email address',
                code="sso_required",
            )


class SsoEmailForm(forms.Form):
    """The first step of signing in with an organisation's own account: the work email address."""

    prefix = "sso"
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )


class PasswordResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class NewPasswordForm(SetPasswordForm):
    error_messages = {"password_mismatch": "The two passwords do not match. Enter the same password twice."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm the new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your backup codes",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the security code"},
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip()


import datetime  # noqa: E402

from crispy_forms_gds.fields import DateInputField  # noqa: E402


class GovDateField(DateInputField):
    """A GOV.UK date input (day, month, year) with messages that name the date and say what to do."""

    def __init__(self, *, label, not_future=True, **kwargs):
        self.not_future = not_future
        self.label_text = label
        super().__init__(label=label, require_all_fields=False, **kwargs)
        lowered = label[0].lower() + label[1:]
        self.error_messages["required"] = f"Enter {lowered}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"
        for sub, part in zip(self.fields, ("day", "month", "year"), strict=True):
            sub.error_messages["incomplete"] = f"{label} must include a {part}"
            sub.validators = []
            sub.max_length = 4

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            day_, month_, year_ = int(day), int(month), int(year)
        except ValueError:
            raise ValidationError(f"{self.label_text} must be a real date, in numbers") from None
        if year_ < 1900 or year_ > 2200 or len(str(year).strip()) != 4:
            raise ValidationError(f"{self.label_text}: the year must be 4 digits, like 2026")
        try:
            value = datetime.date(year_, month_, day_)
        except ValueError:
            raise ValidationError(f"{self.label_text} must be a real date") from None
        if self.not_future:
            from django.utils import timezone

            if value > timezone.localdate():
                raise ValidationError(f"{self.label_text} must be today or in the past")
        return value


class SeveralFilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SeveralFilesField(forms.FileField):
    """Any number of files under one name (the GOV.UK file upload with `multiple`); cleaned to a list,
    each file cleaned as a FileField cleans one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", SeveralFilesInput(attrs={"multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        files = [file for file in files if file]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(SeveralFilesField, self).clean(file, initial) for file in files]
