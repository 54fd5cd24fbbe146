from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from . import views


class Root(APIRootView):
    """MonthlySpecs API: send `Authorization: Bearer <access token>` (from Tessera) or
    `Authorization: Token <key>` (a personal API token, or an old MonthlySpecs key)."""
    permission_classes = [AllowAny]  # the list of routes is no secret


class Router(DefaultRouter):
    APIRootView = Root


router = Router()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("items", views.ItemViewSet, basename="item")
router.register("customers", views.CustomerViewSet, basename="customer")

urlpatterns = [
    path("users/", views.UserList.as_view(), name="user-list"),
    path("me/", views.me, name="me"),
    path("", include(router.urls)),
]
