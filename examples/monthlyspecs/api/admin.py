from django.contrib import admin

from .models import Company, Customer, Item


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["user", "phone"]
    filter_horizontal = ["companies", "items"]


admin.site.register(Company)
admin.site.register(Item)
