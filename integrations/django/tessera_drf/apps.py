from django.apps import AppConfig


class TesseraDrfConfig(AppConfig):
    name = "tessera_drf"
    verbose_name = "Tessera authentication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system check
