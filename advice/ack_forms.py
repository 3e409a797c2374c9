"""The SPOC's acknowledgement form: a question per team of the provider, as a column of radios or,
for 9 teams or more, one grid (advice.ack_grid; decision 0035). With a prefix, several of them make
one page (advice.views.acknowledge_several)."""

from django import forms

from assessments.forms import text_field
from ehc.forms import CountedTextarea
from ehc.models import Team

from .ack_grid import ACK_CHOICES, ACK_SHORT, GRID_FROM_TEAMS, grid_rows
from .models import ItemStatus, KnownStatus
from .services import NOT_INVOLVED, TeamAnswer


class AcknowledgeForm(forms.Form):
    """One question per team of the provider: will it respond, and is the child known to it.
    Teams on the request that are not involved need a reason; other teams answer 'Not involved'."""

    note = text_field("Note to the local authority (optional)", rows=3)

    def __init__(self, *args, advice_request, provider_teams=None, **kwargs):
        """`provider_teams`: the provider's active teams, when a page of several forms read them once;
        a request whose items were prefetched (with their teams) is read without another query."""
        super().__init__(*args, **kwargs)
        self.advice_request = advice_request
        if "items" in getattr(advice_request, "_prefetched_objects_cache", {}):
            items = advice_request.items.all()
        else:
            items = advice_request.items.select_related("team")
        self.items = {item.team_id: item for item in items}
        if provider_teams is None:
            provider_teams = Team.objects.filter(provider_id=advice_request.provider_id, is_active=True)
        teams = {team.pk: team for team in provider_teams}
        teams.update({item.team_id: item.team for item in self.items.values()})
        self.rows = []

        # The teams the family named first, then those already on the request, then the rest.
        def order(team):
            item = self.items.get(team.pk)
            return (not (item is not None and item.named_by_family), item is None, team.name)

        for team in sorted(teams.values(), key=order):
            item = self.items.get(team.pk)
            closed = item is not None and item.status != ItemStatus.OUTSTANDING
            choices = [choice for choice in ACK_CHOICES if not (closed and choice[0] == NOT_INVOLVED)]
            initial = None
            if item is None:
                initial = NOT_INVOLVED
            elif item.known_status != KnownStatus.UNCONFIRMED:
                initial = item.known_status
            status_name, reason_name = f"team_{team.pk}", f"reason_{team.pk}"
            hint = team.get_service_display()
            if item is not None and item.named_by_family:
                hint += ". Named by the family"
            if closed:
                hint += f". Already {item.get_status_display().lower()}"
            self.fields[status_name] = forms.ChoiceField(
                label=team.name,
                choices=choices,
                initial=initial,
                widget=forms.RadioSelect,
                help_text=hint,
                error_messages={"required": f"Select whether {team.name} will respond and if the child is known"},
            )
            if item is not None and not closed:
                self.fields[reason_name] = forms.CharField(
                    label=f"If {team.name} is not involved, why not",
                    required=False,
                    max_length=1000,
                    widget=CountedTextarea(attrs={"rows": 2}),
                    error_messages={"max_length": "The reason must be 1,000 characters or fewer"},
                )
            self.rows.append((team, self[status_name], self[reason_name] if reason_name in self.fields else None))

    @property
    def is_grid(self):
        return len(self.rows) >= GRID_FROM_TEAMS

    def grid(self):
        return grid_rows(self.rows, [value for value, _ in ACK_CHOICES])

    def grid_columns(self):
        return [(value, ACK_SHORT[value]) for value, _ in ACK_CHOICES]

    def clean(self):
        data = super().clean()
        for team, status_field, reason_field in self.rows:
            removing = data.get(status_field.name) == NOT_INVOLVED and reason_field is not None
            if removing and not (data.get(reason_field.name) or "").strip():
                self.add_error(reason_field.name, f"Enter why {team.name} is not involved")
        return data

    def answers(self):
        data = self.cleaned_data
        return [
            TeamAnswer(
                team=team,
                known_status=data[status_field.name],
                removed_reason=data.get(reason_field.name, "") if reason_field is not None else "",
            )
            for team, status_field, reason_field in self.rows
        ]


class TickedRequestsField(forms.Field):
    """The request ids ticked on the SPOC queue, as the browser sends them (one `request` per tick).
    Ids that are not whole numbers were not sent by our page: acknowledge_several answers them with
    its 404; here they only do not count as ticks."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, at_most, **kwargs):
        super().__init__(**kwargs)
        self.at_most = at_most

    def to_python(self, value):
        ids = []
        for each in value or []:
            try:
                pk = int(each)
            except (TypeError, ValueError):
                continue
            if pk not in ids:
                ids.append(pk)
        return ids

    def validate(self, value):
        if not value:
            raise forms.ValidationError("Select the requests to acknowledge", code="required")
        if len(value) > self.at_most:
            raise forms.ValidationError(
                f"Select {self.at_most} requests or fewer to acknowledge at once: you selected {len(value)}",
                code="too_many",
            )


class TickedRequestsForm(forms.Form):
    """The queue's ticks before the acknowledgement page opens: at least one, at most `at_most`
    (advice.services.ACKNOWLEDGE_AT_ONCE). Refused, the queue shows the error with the ticks kept."""

    def __init__(self, *args, at_most, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"] = TickedRequestsField(at_most=at_most, required=False)

    def ticked(self) -> list[int]:
        """What was ticked, valid or not, to tick the same boxes again."""
        return self.fields["request"].to_python(self.data.getlist("request") if self.is_bound else [])
