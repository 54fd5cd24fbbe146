"""The original's REST API (`/api/…`), authenticated by Tessera (settings.REST_FRAMEWORK).

    /api/companies/                  list, create
    /api/companies/{id}/             retrieve, update, partial update, delete
    /api/companies/{id}/add_customer/   POST {"customer_id"?}: link a customer (default: yours)
    /api/companies/{id}/customers/   GET: its customers
    /api/items/ …                    the same for items
    /api/customers/                  list (yours; every one with the staff or admin role)
    /api/customers/{id}/             retrieve, update, partial update
    /api/customers/me/               yours (GET, PATCH)
    /api/customers/{id}/add_company/ POST {"company_id"}
    /api/customers/{id}/add_item/    POST {"item_id"}
    /api/users/                      GET: local users (staff or admin role)
    /api/me/                         GET: who the credential is (user, customer, Tessera token)

Gone: /api/auth/login/ and /api/auth/logout/ (README.md: Tessera's account API or the code flow
give the tokens; old DRF keys keep working).

Who may change what: anyone signed in reads every company and item and creates new ones;
changing or deleting a company or item, or acting on a customer, is for that customer (or a
customer of that company or item) and for people with Tessera's `staff` or `admin` role.
"""
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from tessera_drf import HasAnyRole

from .models import Company, Customer, Item
from .serializers import (CompanyRef, CompanySerializer, CustomerRef, CustomerSerializer,
                          ItemRef, ItemSerializer, UserSerializer)

MANAGER_ROLES = ("staff", "admin")


def is_manager(request):
    roles = getattr(request.auth, "roles", frozenset())
    return bool(roles & set(MANAGER_ROLES))


def own_customer(request):
    customer, _ = Customer.objects.get_or_create(user=request.user)
    return customer


def _linked_customer(request):
    """The customer named by {"customer_id"} (staff only), or the caller's."""
    ref = CustomerRef(data=request.data)
    ref.is_valid(raise_exception=True)
    mine = own_customer(request)
    wanted = ref.validated_data.get("customer_id")
    if wanted is None or wanted == mine.pk:
        return mine
    if not is_manager(request):
        raise PermissionDenied("Only staff may link another customer.")
    return get_object_or_404(Customer, pk=wanted)


class _LinkedToCustomers(viewsets.ModelViewSet):
    """Companies and items: both are linked to customers through `customers`."""

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if self.action in ("update", "partial_update", "destroy") and not (
                is_manager(request) or obj.customers.filter(user=request.user).exists()):
            raise PermissionDenied("Only its customers and staff may change this.")

    @action(detail=True, methods=["post"])
    def add_customer(self, request, pk=None):
        obj = self.get_object()
        customer = _linked_customer(request)
        obj.customers.add(customer)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_200_OK)

    @action(detail=True, methods=["get"])
    def customers(self, request, pk=None):
        obj = self.get_object()
        visible = obj.customers.all() if is_manager(request) else obj.customers.filter(user=request.user)
        return Response({"count": obj.customers.count(),
                         "customers": CustomerSerializer(visible, many=True).data})


class CompanyViewSet(_LinkedToCustomers):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer


class ItemViewSet(_LinkedToCustomers):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                      viewsets.GenericViewSet):
    """No create (a Customer is made with the user, on first sight) and no delete."""
    serializer_class = CustomerSerializer

    def get_queryset(self):
        qs = Customer.objects.select_related("user").prefetch_related("companies", "items")
        return qs if is_manager(self.request) else qs.filter(user=self.request.user)

    @action(detail=False, methods=["get", "patch"])
    def me(self, request):
        customer = own_customer(request)
        if request.method == "PATCH":
            s = CustomerSerializer(customer, data=request.data, partial=True)
            s.is_valid(raise_exception=True)
            s.save()
        return Response(CustomerSerializer(customer).data)

    @action(detail=True, methods=["post"])
    def add_company(self, request, pk=None):
        customer = self.get_object()
        ref = CompanyRef(data=request.data)
        ref.is_valid(raise_exception=True)
        customer.companies.add(get_object_or_404(Company, pk=ref.validated_data["company_id"]))
        return Response(CustomerSerializer(customer).data)

    @action(detail=True, methods=["post"])
    def add_item(self, request, pk=None):
        customer = self.get_object()
        ref = ItemRef(data=request.data)
        ref.is_valid(raise_exception=True)
        customer.items.add(get_object_or_404(Item, pk=ref.validated_data["item_id"]))
        return Response(CustomerSerializer(customer).data)


class UserList(ListAPIView):
    """The original listed every user to anyone signed in; now staff and admins only."""
    permission_classes = [HasAnyRole(*MANAGER_ROLES)]
    serializer_class = UserSerializer
    queryset = get_user_model().objects.select_related("tessera_identity").order_by("pk")


@api_view(["GET"])
def me(request):
    token = request.auth
    return Response({
        "user": UserSerializer(request.user).data,
        "customer": own_customer(request).pk,
        "tessera": {"kind": token.kind, "sub": token.subject, "client_id": token.client_id,
                    "scopes": sorted(token.scopes), "roles": sorted(token.roles)},
    })

