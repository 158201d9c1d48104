"""Request and response schemas of the JSON API (pydantic v2); the OpenAPI document is built from them."""
