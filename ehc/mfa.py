"""Which of a user's django-otp devices take a code.

The identity provider's marker (ehc.models.IdentityProviderDevice) is a confirmed device so that
django-otp can mark a session verified by it, but it takes no code: counting it would send a user
with no authenticator app to the code page instead of setting one up."""

from django_otp import devices_for_user

from .models import IdentityProviderDevice


def code_devices(user):
    return [
        device for device in devices_for_user(user, confirmed=True) if not isinstance(device, IdentityProviderDevice)
    ]
