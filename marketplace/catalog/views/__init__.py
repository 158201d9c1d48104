"""Catalog pages, one blueprint per audience: sellers, reviewers, the public catalog, bulk upload, media, reference."""

from marketplace.catalog.views.imports import bp as imports_bp
from marketplace.catalog.views.listings import bp as listings_bp
from marketplace.catalog.views.media import bp as media_bp
from marketplace.catalog.views.public import bp as catalog_bp
from marketplace.catalog.views.reference import bp as reference_bp
from marketplace.catalog.views.review import bp as review_bp

BLUEPRINTS = (listings_bp, media_bp, review_bp, reference_bp, catalog_bp, imports_bp)
