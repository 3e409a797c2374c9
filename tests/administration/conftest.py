from types import SimpleNamespace

import pytest

from ehc.models import Role
from tests.factories import UserFactory


def _admins(world, suffix):
    return SimpleNamespace(
        la=UserFactory(username=f"la-admin-{suffix}", organisation=world.la, roles=[Role.ADMINISTRATOR]),
        provider=UserFactory(
            username=f"provider-admin-{suffix}", organisation=world.provider, roles=[Role.ADMINISTRATOR]
        ),
        icb=UserFactory(username=f"icb-admin-{suffix}", organisation=world.icb, roles=[Role.ADMINISTRATOR]),
    )


@pytest.fixture
def our_admins(ours):
    """An administrator of each of our organisations (the LA, the provider, the ICB)."""
    return _admins(ours, "ours")


@pytest.fixture
def their_admins(theirs):
    return _admins(theirs, "theirs")
