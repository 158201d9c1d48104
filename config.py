"""Configuration classes. Every value comes from the environment; see README.md and .env.example.

`create_app()` picks the class named by `MARKETPLACE_ENV` (development, testing, production) and calls its
`validate()`, so a bad setup fails at start, not at the first request.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE = BASE_DIR / "instance"


def env(name: str, default: str | None = None) -> str | None:
    """Return an environment variable, treating an empty value as unset."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """The configuration is incomplete or contradictory."""


#: The development server's address: emailed links point there unless PUBLIC_BASE_URL says otherwise.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"


class BaseConfig:
    INSTANCE_PATH = Path(env("INSTANCE_PATH", str(DEFAULT_INSTANCE)))

    SECRET_KEY = env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Celery: the embedded default is kombu's filesystem transport inside instance/.
    CELERY_BROKER_URL = env("CELERY_BROKER_URL")
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND")
    # Extra broker options as JSON, e.g. {"visibility_timeout": 7200} for Redis (seconds before a task a dead
    # worker took is delivered again; longer than the longest feed build).
    CELERY_BROKER_TRANSPORT_OPTIONS = env("CELERY_BROKER_TRANSPORT_OPTIONS")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    WTF_CSRF_TIME_LIMIT = None

    # Language and time.
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    # Email: "file" writes .eml files to MAIL_FILE_DIR; "smtp" sends through MAIL_SMTP_*.
    MAIL_BACKEND = env("MAIL_BACKEND", "file")
    MAIL_FILE_DIR = env("MAIL_FILE_DIR")
    MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER", "Pasar UMKM <no-reply@pasar-umkm.test>")
    MAIL_SMTP_HOST = env("MAIL_SMTP_HOST", "localhost")
    MAIL_SMTP_PORT = env_int("MAIL_SMTP_PORT", 587)
    MAIL_SMTP_USER = env("MAIL_SMTP_USER")
    MAIL_SMTP_PASSWORD = env("MAIL_SMTP_PASSWORD")
    MAIL_SMTP_STARTTLS = env_bool("MAIL_SMTP_STARTTLS", True)

    # Uploaded and generated files (images, attachments, imports, feeds); instance/files by default.
    STORAGE_DIR = env("STORAGE_DIR")

    # Public address used in emails (links) when there is no request.
    PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL)

    # Reverse proxies in front of the app (0: none). With 1, X-Forwarded-For/-Proto/-Host from that proxy are
    # trusted, so sign-in throttling sees the client's address rather than the proxy's.
    PROXY_FIX_HOPS = env_int("PROXY_FIX_HOPS", 0)

    # Sign-in throttling: failures allowed in the window, per account and per IP address.
    LOGIN_WINDOW_SECONDS = env_int("LOGIN_WINDOW_SECONDS", 15 * 60)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 30)

    # Links sent by email.
    PASSWORD_RESET_MAX_AGE = env_int("PASSWORD_RESET_MAX_AGE", 60 * 60)
    INVITATION_MAX_AGE = env_int("INVITATION_MAX_AGE", 7 * 24 * 60 * 60)

    # Procurement limits (rupiah) and the auto-cancel period (working days).
    PP_ORDER_LIMIT = env_int("PP_ORDER_LIMIT", 200_000_000)
    KKP_LIMIT = env_int("KKP_LIMIT", 200_000_000)
    ORDER_AUTO_CANCEL_WORKING_DAYS = env_int("ORDER_AUTO_CANCEL_WORKING_DAYS", 3)
    # How often the scheduled task cancels orders whose party due did not act in time (cron, WIB).
    ORDER_EXPIRE_CRON = env("ORDER_EXPIRE_CRON", "*/15 * * * *")
    # Stripe (card payments by KKP): keys from the dashboard, or a local emulator (localstripe) at STRIPE_API_BASE.
    # Without a secret key card payment is hidden and bank transfer remains.
    STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = env("STRIPE_API_BASE")
    # When the beat task retrieves card payments still processing after an hour and applies their real status.
    PAYMENTS_RECONCILE_CRON = env("PAYMENTS_RECONCILE_CRON", "0 2 * * *")
    # A card payment still pending (3-D Secure never completed, no PaymentIntent) this long is settled by the
    # reconciliation: cancelled at Stripe and failed, so the invoice can be paid again.
    PAYMENTS_PENDING_STALE_MINUTES = env_int("PAYMENTS_PENDING_STALE_MINUTES", 60)
    # OCDS: the ocid prefix of the orders' contracting processes (`ocds-` and six characters, registered with OCP).
    OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", "ocds-pumkm1")

    # e-Katalog feeds: where files go (a folder, or an S3 bucket when FEEDS_S3_BUCKET is set; credentials and region
    # from the standard AWS_* variables), the schedule (cron expressions in WIB) and how builds run.
    FEEDS_STORAGE_DIR = env("FEEDS_STORAGE_DIR")
    FEEDS_S3_BUCKET = env("FEEDS_S3_BUCKET")
    FEEDS_S3_ENDPOINT_URL = env("FEEDS_S3_ENDPOINT_URL")
    FEEDS_S3_PREFIX = env("FEEDS_S3_PREFIX", "feeds/")
    FEEDS_DELTA_CRON = env("FEEDS_DELTA_CRON", "0 1 * * *")
    FEEDS_FULL_CRON = env("FEEDS_FULL_CRON", "0 3 * * 0")
    FEEDS_CLEANUP_CRON = env("FEEDS_CLEANUP_CRON", "30 4 * * *")
    FEEDS_SCHEDULED_SHAPES = env("FEEDS_SCHEDULED_SHAPES", "datafeed,csv,xlsx")
    FEEDS_KEEP = env_int("FEEDS_KEEP", 30)
    FEEDS_BATCH_SIZE = env_int("FEEDS_BATCH_SIZE", 2000)
    FEEDS_PROGRESS_EVERY = env_int("FEEDS_PROGRESS_EVERY", 1000)
    FEEDS_PART_ROWS = env_int("FEEDS_PART_ROWS", 50_000)
    FEEDS_STALE_SECONDS = env_int("FEEDS_STALE_SECONDS", 600)
    FEEDS_DELTA_OVERLAP_SECONDS = env_int("FEEDS_DELTA_OVERLAP_SECONDS", 120)

    PAGE_SIZE = env_int("PAGE_SIZE", 20)
    # Seconds each web worker keeps search results (ids, counts, typo corrections, filter lists); 0 turns it off.
    CATALOG_SEARCH_CACHE_SECONDS = env_int("CATALOG_SEARCH_CACHE_SECONDS", 0)
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)

    @classmethod
    def finalize(cls, config: dict) -> None:
        """Fill values that derive from others (paths inside the instance folder)."""
        instance = Path(config["INSTANCE_PATH"])
        if not config.get("STORAGE_DIR"):
            config["STORAGE_DIR"] = str(instance / "files")
        config.setdefault("MAIL_FILE_DIR", None)
        if not config.get("MAIL_FILE_DIR"):
            config["MAIL_FILE_DIR"] = str(instance / "mail")
        if not config.get("FEEDS_STORAGE_DIR"):
            config["FEEDS_STORAGE_DIR"] = str(instance / "feeds")
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'marketplace.db'}"
        if not config.get("CELERY_BROKER_URL"):
            config["CELERY_BROKER_URL"] = "filesystem://"
        config["CELERY"] = celery_settings(config, instance)

    @classmethod
    def validate(cls, config: dict) -> None:
        """Raise ConfigError when a required setting is missing or a feed setting is malformed."""
        if not config.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY is not set")
        validate_feed_settings(config)


def validate_feed_settings(config: dict) -> None:
    """The feed schedule's cron expressions, shapes and numbers must make sense."""
    from celery.schedules import crontab

    for name in ("FEEDS_DELTA_CRON", "FEEDS_FULL_CRON", "FEEDS_CLEANUP_CRON"):
        fields = str(config.get(name) or "").split()
        try:
            if len(fields) != 5:
                raise ValueError("five fields expected")
            minute, hour, day_of_month, month_of_year, day_of_week = fields
            crontab(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
            )
        except ValueError as exc:
            raise ConfigError(f"{name} must be a cron expression 'minute hour day month weekday': {exc}") from exc
    shapes = [part.strip() for part in str(config.get("FEEDS_SCHEDULED_SHAPES") or "").split(",") if part.strip()]
    unknown = sorted(set(shapes) - {"datafeed", "csv", "xlsx"})
    if unknown:
        raise ConfigError(f"FEEDS_SCHEDULED_SHAPES: unknown shapes {', '.join(unknown)} (datafeed, csv, xlsx)")
    for name in ("FEEDS_KEEP", "FEEDS_BATCH_SIZE", "FEEDS_PROGRESS_EVERY", "FEEDS_PART_ROWS", "FEEDS_STALE_SECONDS"):
        if int(config.get(name) or 0) < 1:
            raise ConfigError(f"{name} must be at least 1")


def celery_settings(config: dict, instance: Path) -> dict:
    """Celery settings derived from the broker URL; the filesystem transport keeps its folders in instance/."""
    broker = config["CELERY_BROKER_URL"]
    settings: dict = {
        "broker_url": broker,
        # Celery prefers the CELERY_BROKER_URL environment variable to broker_url; the read/write URLs take
        # precedence over both, so the configured broker (e.g. the tests' memory://) is the one used.
        "broker_read_url": broker,
        "broker_write_url": broker,
        "result_backend": config.get("CELERY_RESULT_BACKEND"),
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "Asia/Jakarta",
        "enable_utc": True,
        "task_default_queue": "default",
        "task_routes": {
            "notifications.*": {"queue": "email"},
            "procurement.notify_order": {"queue": "email"},
            "feeds.*": {"queue": "feeds"},
        },
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        # Feed builds are long: a worker takes one task at a time, so waiting ones go to idle workers.
        "worker_prefetch_multiplier": 1,
    }
    if broker.startswith("filesystem://"):
        queue_dir = instance / "broker"
        settings["broker_transport_options"] = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(instance / "broker-processed"),
            "control_folder": str(instance / "broker-control"),  # kombu's default is ./control
            "store_processed": False,
        }
    extra = config.get("CELERY_BROKER_TRANSPORT_OPTIONS")
    if extra:
        try:
            options = json.loads(extra) if isinstance(extra, str) else dict(extra)
        except ValueError as exc:
            raise ConfigError(f"CELERY_BROKER_TRANSPORT_OPTIONS must be a JSON object: {exc}") from exc
        if not isinstance(options, dict):
            raise ConfigError("CELERY_BROKER_TRANSPORT_OPTIONS must be a JSON object")
        settings["broker_transport_options"] = {**settings.get("broker_transport_options", {}), **options}
    return settings


class DevelopmentConfig(BaseConfig):
    """The embedded default: SQLite, filesystem broker and files in instance/."""

    DEBUG = False
    #: Without SECRET_KEY, the installation's own random key, made once in the instance folder (`finalize`): never
    #: a key written in the source, which anyone could use to forge sessions and links.
    SECRET_KEY = env("SECRET_KEY")
    # `make run` serves localstripe (the Stripe emulator) on 127.0.0.1 and sets LOCALSTRIPE_URL: without keys of its
    # own the app then takes card payments in test mode through it (card 4242 4242 4242 4242). Real keys win.
    STRIPE_API_BASE = env("STRIPE_API_BASE", None if env("STRIPE_SECRET_KEY") else env("LOCALSTRIPE_URL"))
    STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "sk_test_localstripe" if STRIPE_API_BASE else None)
    STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe" if STRIPE_API_BASE else None)
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "whsec_localstripe" if STRIPE_API_BASE else None)

    @classmethod
    def finalize(cls, config: dict) -> None:
        super().finalize(config)
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = instance_secret_key(Path(config["INSTANCE_PATH"]))


def instance_secret_key(instance: Path) -> str:
    """The random secret key kept in `instance/secret_key`, made on first use (readable by the owner only). The
    web, worker and beat processes may start together: the key is written aside and linked into place, so exactly
    one is kept and nobody reads a half-written file."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        draft = instance / f".secret_key.{os.getpid()}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(48))  # owner-only from the start
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text().strip()


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - tests only
    WTF_CSRF_ENABLED = True
    #: The in-process app publishes to kombu's memory transport; tests that start a real worker build their
    #: own app on CELERY_BROKER_URL (see tests/support/worker.py).
    CELERY_BROKER_URL = "memory://"
    PASSWORD_RESET_MAX_AGE = 3600
    SERVER_NAME = None


class ProductionConfig(BaseConfig):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    # Search results (which products match, in which order, the counts) may be 30 s old; cards are always fresh.
    CATALOG_SEARCH_CACHE_SECONDS = env_int("CATALOG_SEARCH_CACHE_SECONDS", 30)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    # Production runs behind one reverse proxy (gunicorn on 127.0.0.1, see README): trust its X-Forwarded-* headers,
    # or every client would share the proxy's address (one address to throttle, and no scheme for the links).
    PROXY_FIX_HOPS = env_int("PROXY_FIX_HOPS", 1)

    @classmethod
    def finalize(cls, config: dict) -> None:
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL")
            if not env(name) and not config.get("SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name)
        ]
        if not env("PUBLIC_BASE_URL") and config.get("PUBLIC_BASE_URL") in (None, "", DEFAULT_PUBLIC_BASE_URL):
            missing.append("PUBLIC_BASE_URL")  # every emailed link is built on it
        if missing:
            raise ConfigError(f"Production needs these environment variables: {', '.join(missing)}")
        super().finalize(config)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[BaseConfig]:
    """Return the configuration class named by `name` or by MARKETPLACE_ENV (development by default)."""
    key = name or env("MARKETPLACE_ENV", "development")
    try:
        return CONFIGS[key]
    except KeyError as exc:
        raise ConfigError(f"MARKETPLACE_ENV must be one of {', '.join(CONFIGS)}, not {key!r}") from exc
