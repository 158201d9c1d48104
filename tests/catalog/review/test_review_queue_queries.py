"""A page of the review queue costs a fixed number of statements, whatever the number of revisions on it; the
one-query SKU and category checks give what the per-revision ones gave."""

from __future__ import annotations

from marketplace.accounts.models import User
from marketplace.catalog.display import category_path, category_paths
from marketplace.catalog.models import Category
from marketplace.catalog.quality import check_listing, duplicate_skus, error_count, warning_count
from marketplace.catalog.services import update_listing
from marketplace.catalog.services.review import quality_counts, queue_choices, review_queue
from marketplace.extensions import db
from tests.catalog.review.conftest import submitted
from tests.factories import listing, listing_data
from tests.support.statements import recorded_statements


def leaf_category(reference: dict, name: str) -> int:
    """A new level-3 category under a new level-2 one, under the reference's top category."""
    top = db.session.get(Category, reference["category_ids"][0])
    middle = Category(name=f"Tengah {name}", level=2, parent=top)
    leaf = Category(name=name, level=3, parent=middle)
    db.session.add_all([middle, leaf])
    db.session.flush()
    return leaf.id


def queue_page_statements(cooperative_id: int) -> int:
    """How many statements a queue page's data takes: the revisions, their quality counts, the filters' choices."""
    db.session.expunge_all()
    db.session.connection()  # the test's savepoint is begun before counting
    with recorded_statements() as statements:
        revisions = db.session.scalars(review_queue(cooperative_id=cooperative_id)).unique().all()
        quality_counts(cooperative_id=cooperative_id, revisions=revisions)
        queue_choices(cooperative_id=cooperative_id)
    return len(statements)


def test_queue_page_statements_do_not_grow_with_its_revisions(db, reference, cooperative, maker) -> None:
    listing(maker, reference, sku="PUB-1")
    submitted(maker, reference, sku="NEW-0")
    maker_id, cooperative_id = maker.id, cooperative.id
    one = queue_page_statements(cooperative_id)

    maker = db.session.get(User, maker_id)
    for index in range(1, 6):
        submitted(maker, reference, sku=f"NEW-{index}", category_id=leaf_category(reference, f"Daun {index}"))
    submitted(maker, reference, sku="pub-1")  # the published product's SKU in another case
    assert queue_page_statements(cooperative_id) == one


def test_quality_counts_match_checking_each_revision_on_its_own(db, reference, cooperative, maker) -> None:
    listing(maker, reference, sku="PUB-1")
    listing(maker, reference, sku="PUB-2")
    published = listing(maker, reference, sku="PUB-3")
    revisions = [
        submitted(maker, reference, sku="pub-1"),  # a published product's SKU: an error
        submitted(maker, reference, sku="Pub-2"),
        submitted(maker, reference, sku="NEW-1"),  # only new products share it: no error
        submitted(maker, reference, sku="new-1"),
        submitted(maker, reference, sku="FRESH"),
    ]
    revisions.append(  # a new version of a published product: the cooperative's duplicates decide
        update_listing(
            actor=maker, product=published, data=listing_data(reference, sku="PUB-3", name="Beras Baru"), submit=True
        )
    )
    duplicates = duplicate_skus(cooperative.id)
    expected = {}
    for revision in revisions:
        known = duplicates if revision.product.live_revision_id is not None else None
        issues = check_listing(revision.product, revision, duplicates=known)
        expected[revision.id] = (error_count(issues), warning_count(issues))

    counts = quality_counts(cooperative_id=cooperative.id, revisions=revisions)

    assert counts == expected
    assert [counts[r.id][0] - counts[revisions[-2].id][0] for r in revisions[:5]] == [1, 1, 0, 0, 0]


def test_category_paths_are_the_paths_of_each_category(db, reference) -> None:
    other = leaf_category(reference, "Jagung")
    ids = [*reference["category_ids"], other]
    with recorded_statements() as statements:
        paths = category_paths(ids)
    assert len(statements) == 1
    assert paths == {category_id: category_path(category_id) for category_id in ids}
    assert paths[reference["category_id"]] == "Bahan Pokok › Beras dan Serealia › Beras"
    assert category_paths([]) == {}
