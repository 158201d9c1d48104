"""The marketplace Flask application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

import config as config_module

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(env_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app: configure, register extensions, blueprints, error handlers and CLI, then validate."""
    config_cls = config_module.config_class(env_name)
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "marketplace" / "static"),
        instance_path=str(config_cls.INSTANCE_PATH),
        instance_relative_config=False,
    )
    load_config(app, config_cls, overrides or {})
    trust_proxies(app)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def load_config(app: Flask, config_cls: type[config_module.BaseConfig], overrides: dict) -> None:
    app.config.from_object(config_cls)
    app.config.update(overrides)
    app.config["INSTANCE_PATH"] = Path(app.config["INSTANCE_PATH"])
    app.instance_path = str(app.config["INSTANCE_PATH"])
    config_cls.finalize(app.config)
    config_cls.validate(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX_HOPS reverse proxies, take the client address and scheme from their X-Forwarded headers."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from marketplace.core.db import install_sqlite_recipe
    from marketplace.core.i18n import select_locale, select_timezone
    from marketplace.core.tasks import install_session_hooks
    from marketplace.extensions import babel, celery_init_app, csrf, db, login_manager, migrate

    install_sqlite_recipe()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(BASE_DIR / "marketplace" / "translations"),
    )
    login_manager.init_app(app)
    from marketplace.accounts.auth import configure_login_manager

    configure_login_manager(login_manager)
    celery_init_app(app)
    install_session_hooks()
    import_models()


def import_models() -> None:
    """Import every domain's models so metadata and mappers are complete."""
    import marketplace.accounts.models
    import marketplace.agencies.models
    import marketplace.catalog.models
    import marketplace.cooperatives.models
    import marketplace.core.audit
    import marketplace.feeds.models
    import marketplace.payments.models
    import marketplace.procurement.models  # noqa: F401


def register_url_converters(app: Flask) -> None:
    """Replace converters before any route is added (rules look their converter up when added)."""
    from marketplace.core.urls import install_url_converters

    install_url_converters(app)


def register_blueprints(app: Flask) -> None:
    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.admin.views import bp as admin_bp
    from marketplace.agencies.views import bp as agencies_bp
    from marketplace.api import bp as api_bp
    from marketplace.catalog.views import BLUEPRINTS as catalog_blueprints
    from marketplace.cooperatives.views import bp as cooperatives_bp
    from marketplace.core.views import bp as core_bp
    from marketplace.dashboard.views import bp as dashboard_bp
    from marketplace.feeds.lkpp import bp as lkpp_bp
    from marketplace.feeds.views import bp as feeds_bp
    from marketplace.payments.views import bp as payments_bp
    from marketplace.procurement.views import bp as procurement_bp

    blueprints = (
        *(core_bp, dashboard_bp, accounts_bp, cooperatives_bp, agencies_bp, admin_bp),
        *(*catalog_blueprints, feeds_bp, procurement_bp, payments_bp),
    )
    for blueprint in (*blueprints, api_bp, lkpp_bp):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from marketplace.core.http import install_error_handlers

    install_error_handlers(app)


def register_security_headers(app: Flask) -> None:
    from marketplace.core.security import install_security_headers

    install_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace.core.templating import install_template_helpers

    install_template_helpers(app)


def register_cli(app: Flask) -> None:
    from marketplace.core.cli import install_cli
    from marketplace.feeds.cli import feeds_cli

    install_cli(app)
    app.cli.add_command(feeds_cli)
