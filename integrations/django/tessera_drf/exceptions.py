"""Errors the authentication class raises besides DRF's AuthenticationFailed (401)."""
from rest_framework import status
from rest_framework.exceptions import APIException


class TesseraUnavailable(APIException):
    """Tessera could not be asked (network error, timeout, 5xx, an answer that is not JSON, or
    our client credentials refused): the request is neither accepted nor called unauthenticated.
    DRF answers 503 with ``Retry-After``."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The identity server cannot be reached to check these credentials; try again."
    default_code = "tessera_unavailable"
    wait = 5  # DRF's exception handler turns `wait` into Retry-After


class InvalidToken(Exception):
    """A token that is not acceptable; ``reason`` is a short, client-safe phrase."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
