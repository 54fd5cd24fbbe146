"""`manage.py check` (and every runserver/migrate) reports a broken TESSERA setting at start-up
instead of at the first authenticated request."""
from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .conf import build_config


@register()
def check_tessera_settings(app_configs, **kwargs):
    try:
        build_config(getattr(settings, "TESSERA", None))
    except ImproperlyConfigured as e:
        return [Error(str(e), id="tessera_drf.E001")]
    return []
