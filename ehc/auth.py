from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    """Django's username and password backend, loading the signed-in user with their
    organisation (and, for an LA, its settings: ehc.access.case_access_restricted): every page reads
    it (navigation, access rules), so it comes in the same query as the user instead of a second
    one on each request."""

    def get_user(self, user_id):
        UserModel = get_user_model()
        try:
            user = UserModel._default_manager.select_related("organisation__la_settings").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
