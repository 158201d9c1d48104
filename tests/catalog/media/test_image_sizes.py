"""The resize task: 50/100/300/800 px versions through Celery's apply (the real task code), EXIF orientation
applied, transparency kept, never upscaled, idempotent."""

from __future__ import annotations

from PIL import Image

from marketplace.catalog import images
from marketplace.catalog.services import add_image, make_image_sizes
from marketplace.catalog.services.media import sized_file
from marketplace.core.storage import storage
from tests.catalog.media.files import image_bytes, upload


def opened(key: str) -> Image.Image:
    with storage().open(key) as handle:
        picture = Image.open(handle)
        picture.load()
        return picture


def test_the_task_writes_every_size_with_the_right_dimensions(db, maker, draft, run_tasks) -> None:
    image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(1600, 800))))

    results = run_tasks()

    assert results == [[50, 100, 300, 800]]
    db.session.refresh(image)
    assert image.sizes == [50, 100, 300, 800]
    for size in image.sizes:
        key, content_type = sized_file(image, size)
        assert key == images.sized_key(image.storage_key, size, "jpg") and content_type == "image/jpeg"
        picture = opened(key)
        assert (picture.format, picture.size) == ("JPEG", (size, size // 2))
        assert "exif" not in picture.info


def test_exif_orientation_is_applied(db, maker, draft, run_tasks) -> None:
    """A phone photo stored landscape with "rotate 90°" in EXIF is shown portrait."""
    image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(1000, 500), orientation=6)))
    assert (image.width, image.height) == (500, 1000)
    run_tasks()
    db.session.refresh(image)
    assert opened(sized_file(image, 300)[0]).size == (150, 300)


def test_png_with_transparency_stays_png_and_others_become_jpeg(db, maker, draft, run_tasks) -> None:
    clear = add_image(
        actor=maker, product=draft, file_storage=upload(image_bytes("PNG", (900, 900), mode="RGBA", color=(0, 0, 0, 0)))
    )
    flat = add_image(actor=maker, product=draft, file_storage=upload(image_bytes("PNG", (900, 900)), "flat.png"))
    run_tasks()
    db.session.refresh(clear)
    db.session.refresh(flat)
    assert sized_file(clear, 800) == (images.sized_key(clear.storage_key, 800, "png"), "image/png")
    assert opened(sized_file(clear, 100)[0]).mode == "RGBA"
    assert sized_file(flat, 800)[1] == "image/jpeg"


def test_small_originals_are_never_upscaled(db, maker, draft, run_tasks) -> None:
    image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(240, 120))))
    run_tasks()
    db.session.refresh(image)
    assert image.sizes == [50, 100]
    assert sized_file(image, 300) is None


def test_running_twice_changes_nothing(db, maker, draft, run_tasks) -> None:
    image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(400, 400))))
    run_tasks()
    db.session.refresh(image)
    path = storage().path(sized_file(image, 300)[0])
    written = path.stat().st_mtime_ns

    assert make_image_sizes(image_id=image.id) == [50, 100, 300]
    assert path.stat().st_mtime_ns == written

    path.unlink()  # a version lost on disk is made again
    assert make_image_sizes(image_id=image.id) == [50, 100, 300]
    assert path.exists()


def test_a_missing_image_or_file_makes_nothing(db, maker, draft) -> None:
    assert make_image_sizes(image_id=987654) == []
    image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes()))
    storage().delete(image.storage_key)
    assert make_image_sizes(image_id=image.id) == []
    assert image.sizes == []
