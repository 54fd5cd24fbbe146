"""A few DRF views behind TesseraAuthentication (the default authentication class)."""
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera_drf.permissions import HasAnyRole, HasRole, HasScope, IsTesseraAdmin


def describe(request):
    token = request.auth
    return {
        "user_id": request.user.pk,
        "username": request.user.get_username(),
        "email": getattr(request.user, "email", ""),
        "kind": token.kind,
        "subject": token.subject,
        "client_id": token.client_id,
        "scopes": sorted(token.scopes),
        "roles": sorted(token.roles),
        "is_client_token": token.is_client_token,
    }


class WhoAmI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(describe(request))


class AdminOnly(APIView):
    permission_classes = [IsAuthenticated, HasRole("admin")]

    def get(self, request):
        return Response(describe(request))


class AdminAlias(APIView):
    permission_classes = [IsTesseraAdmin]

    def get(self, request):
        return Response(describe(request))


class Invoices(APIView):
    permission_classes = [HasScope("invoices:read")]

    def get(self, request):
        return Response(describe(request))


class InvoicesWrite(APIView):
    permission_classes = [HasScope("invoices:read", "invoices:write")]

    def get(self, request):
        return Response(describe(request))


class Reports(APIView):
    """Admins and auditors, or anyone whose token may read invoices."""
    permission_classes = [HasAnyRole("admin", "auditor") | HasScope("invoices:read")]

    def get(self, request):
        return Response(describe(request))
