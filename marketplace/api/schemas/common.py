"""Shared schema pieces: base models, checked field types, the error body and the pagination envelope."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from marketplace.core.fields import MAX_DB_INTEGER, MIN_DB_INTEGER, has_forbidden_characters
from marketplace.core.pagination import MAX_PAGE
from marketplace.core.validators import (
    check_email,
    check_kbli_list,
    check_nib,
    check_nik,
    check_npwp,
    check_phone,
    check_region,
)

#: The validation context of a query string: its values are all text, so `?flag=true` may still be a boolean.
QUERY_CONTEXT = {"query": True}


class InModel(BaseModel):
    """A request body or query: surrounding spaces stripped, unknown fields refused, and every field checked by
    `check_input` (no booleans as numbers or numbers as booleans, integers a database column holds, text without
    control characters)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="wrap")
    @classmethod
    def _check_input(cls, raw: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        """Validate the field as declared, then refuse what pydantic's lax mode lets through."""
        value = handler(raw)
        check_input(raw, value, from_query=bool(info.context and info.context.get("query")))
        return value


def check_input(raw: Any, value: Any, *, from_query: bool = False) -> None:
    """Raise a pydantic error when `value`, validated from `raw`, is a boolean sent as anything but true/false
    (text is allowed in a query string), an integer sent as a boolean or too large for the database, or text
    with control characters; lists and dicts are walked (nested models check their own fields)."""
    if isinstance(value, bool):
        if not isinstance(raw, bool) and not (from_query and isinstance(raw, str)):
            raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    elif isinstance(value, int):
        _check_integer(raw, value)
    elif isinstance(value, str):
        if has_forbidden_characters(value):
            raise PydanticCustomError("forbidden_characters", "Text contains characters that are not allowed")
    elif isinstance(value, list | tuple):
        raws = raw if isinstance(raw, list | tuple) and len(raw) == len(value) else value
        for raw_item, item in zip(raws, value, strict=True):
            check_input(raw_item, item, from_query=from_query)
    elif isinstance(value, set | frozenset):
        for item in value:
            check_input(item, item, from_query=from_query)
    elif isinstance(value, dict):
        raws = raw if isinstance(raw, dict) else value
        for key, item in value.items():
            check_input(key, key, from_query=from_query)
            check_input(raws.get(key, item), item, from_query=from_query)


def _check_integer(raw: Any, value: int) -> None:
    """Refuse `true`/`false` as an integer, and integers outside the database's signed 64-bit range."""
    if isinstance(raw, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if value > MAX_DB_INTEGER:
        raise PydanticCustomError(
            "less_than_equal", "Input should be less than or equal to {le}", {"le": MAX_DB_INTEGER}
        )
    if value < MIN_DB_INTEGER:
        raise PydanticCustomError(
            "greater_than_equal", "Input should be greater than or equal to {ge}", {"ge": MIN_DB_INTEGER}
        )


class OutModel(BaseModel):
    """A response body, read from ORM objects' attributes."""

    model_config = ConfigDict(from_attributes=True)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**kwargs: Any) -> Any:
    """A PATCH field that may be left out but not sent as null (the schema shows no default)."""
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


def region_of_level(level: int | None) -> Any:
    """A Kemendagri region code type, of `level` when given (1 province … 4 kelurahan/desa)."""
    return Annotated[
        str,
        AfterValidator(lambda value: check_region(value, level)),
        Field(description="Kemendagri region code, e.g. 35.76.02.1001", examples=["35.76.02.1001"]),
    ]


Email = Annotated[
    str, AfterValidator(check_email), Field(description="Email address", json_schema_extra={"format": "email"})
]
Nib = Annotated[str, AfterValidator(check_nib), Field(description="NIB: 13 digits", examples=["9120000000001"])]
Npwp = Annotated[str, AfterValidator(check_npwp), Field(description="NPWP: 16 digits (or the old 15-digit number)")]
Nik = Annotated[str, AfterValidator(check_nik), Field(description="NIK of the owner: 16 digits")]
Phone = Annotated[str, AfterValidator(check_phone), Field(description="Indonesian phone number, stored as +62…")]
KbliCodes = Annotated[
    list[str], AfterValidator(check_kbli_list), Field(description="KBLI 2020 codes, 5 digits each", min_length=1)
]
RegionCode = region_of_level(None)
VillageCode = region_of_level(4)
Name = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2000, description="Why; shown to the person concerned")]


class BankAccount(OutModel):
    """A bank account."""

    name: str = Field(description="Bank name, e.g. BRI")
    account_number: str
    account_name: str = Field(description="Account holder")

    @classmethod
    def of(cls, subject: Any) -> BankAccount | None:
        """The bank_* columns of a seller profile or a cooperative, or None when there is no account."""
        if not subject.bank_account_number:
            return None
        return cls(
            name=subject.bank_name or "",
            account_number=subject.bank_account_number,
            account_name=subject.bank_account_name or "",
        )


class BankAccountIn(InModel):
    """A bank account: all three fields."""

    name: str = Field(min_length=1, max_length=80, description="Bank name, e.g. BRI")
    account_number: str = Field(min_length=1, max_length=34, description="Digits; spaces and dots are ignored")
    account_name: str = Field(min_length=1, max_length=120, description="Account holder")


#: The services' bank_* field names → the API's dotted paths.
BANK_FIELD_NAMES = {
    "bank_name": "bank.name",
    "bank_account_number": "bank.account_number",
    "bank_account_name": "bank.account_name",
}


def bank_columns(bank: BankAccountIn | None) -> dict[str, str | None]:
    """The bank_* values the services take (all None to remove the account)."""
    return {
        "bank_name": bank.name if bank else None,
        "bank_account_number": bank.account_number if bank else None,
        "bank_account_name": bank.account_name if bank else None,
    }


class WithBankOut(OutModel):
    """An output read from a row with bank_* columns, shown as a nested `bank` object."""

    bank: BankAccount | None = None

    @model_validator(mode="before")
    @classmethod
    def _bank_from_columns(cls, value: Any) -> Any:
        if isinstance(value, dict) or not hasattr(value, "bank_account_number"):
            return value
        data = {name: getattr(value, name) for name in cls.model_fields if name != "bank" and hasattr(value, name)}
        data["bank"] = BankAccount.of(value)
        return data


class ErrorDetail(OutModel):
    code: str = Field(description="Machine-readable error code, e.g. validation_error")
    message: str = Field(description="Human-readable message in the user's language")
    fields: dict[str, str] = Field(default_factory=dict, description="Messages keyed by dotted field path")
    current_status: str | None = Field(
        None, description="On a 409 from an order move: the order's status now (refresh and decide again)"
    )


class ErrorOut(OutModel):
    """Every API error has this shape."""

    error: ErrorDetail


class PageQuery(InModel):
    """Page number and size of a paginated list."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"Page number, from 1 to {MAX_PAGE}")
    per_page: int | None = Field(None, ge=1, le=100, description="Items per page (default from PAGE_SIZE, max 100)")


class PageBase(OutModel):
    total: int = Field(description="Number of items over all pages")
    page: int
    per_page: int


@cache
def page_of(item: type[BaseModel]) -> type[PageBase]:
    """The pagination envelope `{"items", "total", "page", "per_page"}` of `item`."""
    return create_model(f"{item.__name__}Page", __base__=PageBase, items=(list[item], ...))


class RegionOut(OutModel):
    code: str
    name: str
    level: int = Field(description="1 province, 2 kab/kota, 3 kecamatan, 4 kelurahan/desa")
    type: str
    path: str = Field(description="Full name from the region up to the province")


class RegionQuery(PageQuery):
    parent: RegionCode | None = Field(None, description="Parent region code; the provinces when left out")
