"""Images and PDF attachments of a listing. They belong to revisions, so changing them is a change to review:
the open draft changes, or a new draft is started from the live version (which stays on sale meanwhile).

Uploads are checked by their content (Pillow for images, the PDF header and trailer for attachments), stored under
generated keys and never under the uploaded name. Resized versions of images are made by the Celery task
`catalog.make_image_sizes`, which calls `make_image_sizes`.
"""

from marketplace.catalog.services.media.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    add_attachment,
    clean_filename,
    looks_like_pdf,
    remove_attachment,
)
from marketplace.catalog.services.media.product_images import (
    MAKE_SIZES_TASK,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    add_image,
    make_image_sizes,
    move_image,
    remove_image,
    set_main_image,
    sized_file,
)
from marketplace.catalog.services.media.serving import Served, attachment_to_serve, image_to_serve

__all__ = [
    "MAKE_SIZES_TASK",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_IMAGES",
    "MAX_IMAGE_BYTES",
    "Served",
    "add_attachment",
    "add_image",
    "attachment_to_serve",
    "clean_filename",
    "image_to_serve",
    "looks_like_pdf",
    "make_image_sizes",
    "move_image",
    "remove_attachment",
    "remove_image",
    "set_main_image",
    "sized_file",
]
