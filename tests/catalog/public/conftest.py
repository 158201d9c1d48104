import pytest

from tests.catalog.search.shelf import Shelf


@pytest.fixture
def shelf(db) -> Shelf:
    return Shelf()
