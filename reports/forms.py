"""Filters for the dashboard, the list and the reports. Every choice comes from what the user may
see, so a hand-typed id of another area's provider is an error like a missing one, never a leak."""

from django import forms

from ehc.forms import GovDateField

from .selectors.overdue import AGE_BANDS, STAGE_BUCKETS, ItemFilters
from .selectors.periods import months_between
from .selectors.scope import local_authorities_in_scope, providers_in_scope, teams_in_scope

MAX_PERIOD_MONTHS = 60


class _ScopedChoice(forms.ModelChoiceField):
    def __init__(self, *, label, noun, one, **kwargs):
        super().__init__(
            label=label,
            queryset=None,
            required=False,
            empty_label=f"All {noun}",
            error_messages={"invalid_choice": f"Select {one} from the list"},
            **kwargs,
        )


class LocalAuthorityChoice(_ScopedChoice):
    def __init__(self):
        super().__init__(label="Local authority", noun="local authorities", one="a local authority")


class ProviderChoice(_ScopedChoice):
    def __init__(self):
        super().__init__(label="Health provider", noun="providers", one="a provider")


class TeamChoice(_ScopedChoice):
    def __init__(self):
        super().__init__(label="Team", noun="teams", one="a team")

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.provider.short_name or obj.provider.name})"


class DashboardForm(forms.Form):
    la = LocalAuthorityChoice()
    provider = ProviderChoice()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = local_authorities_in_scope(user)
        self.fields["provider"].queryset = providers_in_scope(user).order_by("name")
        # An LA's own staff see one LA: a choice of one is noise.
        self.show_la = user.is_icb_user


class ItemFilterForm(forms.Form):
    la = LocalAuthorityChoice()
    provider = ProviderChoice()
    team = TeamChoice()
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "All outstanding advice"), *STAGE_BUCKETS],
        error_messages={"invalid_choice": "Select a stage from the list"},
    )
    age = forms.ChoiceField(
        label="Time since the request",
        required=False,
        choices=[("", "Any"), *[(key, label) for key, label, *_ in AGE_BANDS]],
        error_messages={"invalid_choice": "Select a time since the request from the list"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = local_authorities_in_scope(user)
        self.fields["provider"].queryset = providers_in_scope(user)
        self.fields["team"].queryset = teams_in_scope(user)
        self.show_la = user.is_icb_user

    def filters(self):
        data = self.cleaned_data
        return ItemFilters(
            local_authority=data.get("la"),
            provider=data.get("provider"),
            team=data.get("team"),
            stage=data.get("stage") or "",
            age=data.get("age") or "",
        )


class PeriodForm(forms.Form):
    """A reporting period (inclusive dates) and optional scope. Dates not given fall back to the
    report's default period, so a link carrying only a provider still works."""

    start = GovDateField(label="Start date", not_future=False)
    end = GovDateField(label="End date", not_future=False)
    la = LocalAuthorityChoice()
    provider = ProviderChoice()

    def __init__(self, params, *, user, default_start, default_end, with_provider=True):
        data = {}
        for name, value in (("start", default_start), ("end", default_end)):
            for index, part in enumerate((value.day, value.month, value.year)):
                data[f"{name}_{index}"] = str(part)
        given = {key: params.get(key) for key in params if key in _PERIOD_KEYS}
        if any(key.startswith("start_") for key in given):
            data = {key: value for key, value in data.items() if not key.startswith("start_")}
        if any(key.startswith("end_") for key in given):
            data = {key: value for key, value in data.items() if not key.startswith("end_")}
        data.update(given)
        super().__init__(data)
        self.fields["la"].queryset = local_authorities_in_scope(user)
        self.show_la = user.is_icb_user
        if with_provider:
            self.fields["provider"].queryset = providers_in_scope(user)
        else:
            del self.fields["provider"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "End date must be the same as or after the start date")
            elif len(months_between(start, end)) > MAX_PERIOD_MONTHS:
                self.add_error("end", "Choose a period of 5 years or less")
        return data


_PERIOD_KEYS = {f"{name}_{index}" for name in ("start", "end") for index in range(3)} | {"la", "provider"}
