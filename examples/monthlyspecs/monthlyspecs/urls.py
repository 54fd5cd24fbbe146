from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The admin site has no password form any more: its login goes through Tessera (a user with
# Tessera's `staff` or `admin` role is is_staff here; api/tessera_users.py).
admin.site.login = RedirectView.as_view(pattern_name="oidc-login", query_string=True)
# … and its "Log out" ends Tessera's session too (a confirmation page, then api/oidc.py).
admin.site.logout = RedirectView.as_view(pattern_name="logout")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("api.web_urls")),
]
