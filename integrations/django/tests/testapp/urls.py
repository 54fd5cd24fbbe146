from django.urls import path

from . import views

urlpatterns = [
    path("whoami", views.WhoAmI.as_view()),
    path("admin-only", views.AdminOnly.as_view()),
    path("admin-alias", views.AdminAlias.as_view()),
    path("invoices", views.Invoices.as_view()),
    path("invoices-write", views.InvoicesWrite.as_view()),
    path("reports", views.Reports.as_view()),
]
