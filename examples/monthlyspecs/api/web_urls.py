from django.urls import path

from . import oidc, web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("dashboard/", web_views.dashboard, name="dashboard"),
    path("dashboard/companies/", web_views.add_company, name="dashboard-add-company"),
    path("dashboard/items/", web_views.add_item, name="dashboard-add-item"),
    # Sign-in through Tessera (instead of allauth's /accounts/…).
    path("login/", oidc.login, name="oidc-login"),
    path("oidc/callback/", oidc.callback, name="oidc-callback"),
    path("logout/", oidc.logout, name="logout"),
]
