from django.contrib.auth import get_user_model
from rest_framework import serializers

from .models import Company, Customer, Item


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "email", "phone", "address"]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "description"]


class CustomerSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    companies = CompanySerializer(many=True, read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "username", "email", "phone", "address", "date_of_birth", "bio",
                  "profile_picture", "companies", "items"]
        read_only_fields = ["profile_picture"]


class UserSerializer(serializers.ModelSerializer):
    tessera_id = serializers.CharField(source="tessera_identity.subject", read_only=True,
                                       default=None)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "is_active", "is_staff", "tessera_id"]


class CustomerRef(serializers.Serializer):
    customer_id = serializers.IntegerField(required=False)


class CompanyRef(serializers.Serializer):
    company_id = serializers.IntegerField()


class ItemRef(serializers.Serializer):
    item_id = serializers.IntegerField()
